import { describe, expect, it } from 'vitest';
import { renderSearch, renderStatus } from '../../src/app/render.js';
import { cliFix } from '../../src/cli/fix.js';
import type { KnowledgeBaseStatus } from '../../src/knowledge-base.js';
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

describe('renderStatus', () => {
  const status = (vectorSearch: KnowledgeBaseStatus['vectorSearch']): KnowledgeBaseStatus => ({
    dataDir: '/data',
    database: { kind: 'postgres', location: 'postgres://carrel:****@db/carrel' },
    vectorSearch,
    keywordIndex: { path: 'gin', reason: 'the server does not offer the rum extension' },
    embedder: { id: 'offline:hash-v2', available: true },
    chunking: '254 tokens',
    libraries: [],
  });

  it('says where vector search runs: pgvector, or the in-node scan and why not pgvector', () => {
    expect(renderStatus(status({ path: 'pgvector', version: '0.8.1' }), cliFix)).toContain(
      '\nVectors: pgvector 0.8.1 (HNSW index in PostgreSQL)\n',
    );
    const scan = status({
      path: 'node-scan',
      approximateFrom: 100_000,
      reason: 'the server does not offer the vector extension (pgvector)',
    });
    expect(renderStatus(scan, cliFix)).toContain(
      '\nVectors: in-node scan (exact; approximate index for libraries of 100,000+ vectors): not pgvector, the server does not offer the vector extension (pgvector)\n',
    );
    expect(renderStatus({ ...scan, vectorSearch: { path: 'node-scan', approximateFrom: 100_000 } }, cliFix)).toContain(
      '\nVectors: in-node scan (exact; approximate index for libraries of 100,000+ vectors)\n',
    );
  });

  it('says what keyword search ranks through: FTS5, RUM, or GIN and why not RUM', () => {
    const base = status({ path: 'pgvector', version: '0.8.1' });
    expect(renderStatus(base, cliFix)).toContain(
      '\nKeywords: GIN index in PostgreSQL (ts_rank over every match): not RUM, the server does not offer the rum extension\n',
    );
    expect(renderStatus({ ...base, keywordIndex: { path: 'rum', version: '1.3' } }, cliFix)).toContain(
      '\nKeywords: RUM 1.3 index in PostgreSQL (candidates in rank order, ranked by ts_rank)\n',
    );
    expect(renderStatus({ ...base, keywordIndex: { path: 'fts5' } }, cliFix)).toContain('\nKeywords: SQLite FTS5 (BM25)\n');
  });
});
