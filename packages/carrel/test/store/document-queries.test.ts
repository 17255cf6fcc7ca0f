import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, KnowledgeBase, NotFoundError } from 'carrel';
import { chunkMarkdown } from '../../src/ingest/chunker.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { documentText } from '../../src/store/sqlite/document-queries.js';
import { tempDir } from '../support/temp-dir.js';

const sentences = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `Sentence ${tag}-${i} is unique.`).join(' ');
const long = `# Manual\n\n## Setup\n\n${sentences('setup', 120)}\n\n## Usage\n\n${sentences('usage', 120)}\n`;

let kb: KnowledgeBase;
let manualId: number;
beforeAll(async () => {
  kb = await KnowledgeBase.open({
    dataDir: tempDir(),
    embedder: { kind: 'offline' },
    chunker: { targetTokens: 200, maxTokens: 400, overlapTokens: 30 },
  });
  manualId = (await kb.ingestContent({ library: 'docs', version: '2', content: long, source: 'manual.md', tags: ['b', 'a'] })).documents[0]!
    .documentId!;
  for (const s of ['x.md', 'y.md', 'z.md']) await kb.ingestContent({ library: 'other', content: `# ${s}\n\nbody`, source: s });
});
afterAll(() => kb.close());

describe('reading documents', () => {
  it('lists documents with their library, tags and counts, filtered and paged', async () => {
    const docs = await kb.listDocuments({ library: 'docs' });
    expect(docs).toEqual({
      hasMore: false,
      documents: [
        expect.objectContaining({
          id: manualId,
          library: 'docs',
          version: '2',
          title: 'Manual',
          source: 'manual.md',
          kind: 'raw',
          tags: ['a', 'b'],
        }),
      ],
    });
    expect(docs.documents[0]!.chunkCount).toBeGreaterThan(3);
    const page1 = await kb.listDocuments({ library: 'other', limit: 2 });
    const page2 = await kb.listDocuments({ library: 'other', limit: 2, offset: 2 });
    expect(page1.documents.map((d) => d.source)).toEqual(['x.md', 'y.md']);
    expect(page1.hasMore).toBe(true);
    expect(page2).toMatchObject({ hasMore: false, documents: [{ source: 'z.md' }] });
    // A version that does not exist is not an empty page: it is not found (with how to list libraries).
    await expect(kb.listDocuments({ library: 'docs', version: '1' })).rejects.toThrow(/^Library not found: docs@1/);
  });

  it('gives a document back exactly as it was indexed, no overlap repeated', async () => {
    const doc = await kb.getDocument(manualId, { maxChars: 1_000_000 });
    expect(doc.content).toBe(long);
    expect(doc.nextOffset).toBeNull();
  });

  it('pages through long text by character offset', async () => {
    const whole = (await kb.getDocument(manualId, { maxChars: 1_000_000 })).content;
    const first = await kb.getDocument(manualId, { maxChars: 1000 });
    expect(first).toMatchObject({ offset: 0, nextOffset: 1000, totalChars: whole.length });
    const second = await kb.getDocument(manualId, { offset: first.nextOffset!, maxChars: 1000 });
    expect(first.content + second.content).toBe(whole.slice(0, 2000));
  });

  it('reports unknown ids and bad paging arguments clearly', async () => {
    await expect(kb.getDocument(9999)).rejects.toThrow(NotFoundError);
    await expect(kb.getDocument(manualId, { maxChars: 0 })).rejects.toThrow(InvalidInputError);
    await expect(kb.listDocuments({ limit: 0 })).rejects.toThrow(/limit: expected an integer from 1 to 500/);
  });
});

describe('documentText', () => {
  const source = `\r\n# Guide #\r\n\r\n${'A line that runs on. '.repeat(300)}\r\n\r\n\`\`\`\r\ncode\r\n\r\n\`\`\`\r\n## Next\r\n\r\ntail words\r\n\r\n`;

  /** A migrated database holding one document whose chunk rows are `rows`; returns it and the document id. */
  function storeWith(rows: { heading: string; text: string; overlap: number; lead: string | null; trail: string | null }[]) {
    const db = openDatabase(join(tempDir(), 'kb.db'));
    db.prepare("INSERT INTO libraries (id, name, created_at, updated_at) VALUES (1, 'lib', 0, 0)").run();
    db.prepare(
      "INSERT INTO documents (id, library_id, source, kind, title, content_hash, bytes, chunk_count, created_at, updated_at) VALUES (1, 1, 's', 'raw', 't', 'h', 0, ?, 0, 0)",
    ).run(rows.length);
    const insert = db.prepare('INSERT INTO chunks (document_id, ord, heading, text, overlap, lead, trail) VALUES (1, ?, ?, ?, ?, ?, ?)');
    rows.forEach((r, i) => insert.run(i, r.heading, r.text, r.overlap, r.lead, r.trail));
    return db;
  }

  it('gives back the chunked source exactly, joined by the recorded lead and trail', () => {
    const { chunks } = chunkMarkdown(source, { targetTokens: 125, maxTokens: 250, overlapTokens: 25 });
    expect(chunks.length).toBeGreaterThan(5);
    const db = storeWith(chunks);
    try {
      expect(documentText(db, 1)).toBe(source);
    } finally {
      db.close();
    }
  });

  it('reads chunks stored before the lead and trail were recorded the old way', () => {
    const db = storeWith([
      { heading: 'Guide', text: 'one', overlap: 0, lead: null, trail: null },
      { heading: 'Guide > Next', text: 'ne\n\ntwo', overlap: 4, lead: null, trail: null },
    ]);
    try {
      expect(documentText(db, 1)).toBe('# Guide\n\none\n\n## Next\n\ntwo');
    } finally {
      db.close();
    }
  });
});
