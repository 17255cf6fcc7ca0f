import { describe, expect, it } from 'vitest';
import { renderSearch } from '../../src/app/render.js';
import { cliFix } from '../../src/cli/fix.js';
import type { SearchResponse, SearchResult } from '../../src/search/search.js';

const result = (title: string, heading: string): SearchResult => ({
  chunkId: 7,
  documentId: 3,
  library: 'lib',
  version: '',
  title,
  source: 'views.md',
  kind: 'file',
  heading,
  snippet: 'text',
  score: 1,
  bm25Rank: 1,
  vectorRank: null,
  vectorDistance: null,
  rating: null,
  explanation: '',
});

const page = (results: SearchResult[]): SearchResponse => ({ results, offset: 0, limit: 10, hasMore: false, mode: 'bm25', notes: [] });

describe('renderSearch', () => {
  it('shows a result under an empty heading by its title alone, not "Title —  (lib)"', () => {
    expect(renderSearch(page([result('3.2. Views', '')]), cliFix)).toMatch(/^1\. 3\.2\. Views \(lib\)\n/);
    expect(renderSearch(page([result('Guide', 'Guide > Setup')]), cliFix)).toMatch(/^1\. Guide — Guide > Setup \(lib\)\n/);
  });
});
