import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { spawnChild } from '../support/child.js';
import { writeDocs } from '../support/corpus.js';
import { tempDir } from '../support/temp-dir.js';

/** Every document complete: its chunk rows, FTS entries and vectors all present, the file sound. */
function assertConsistent(dbPath: string): number {
  const db = new Database(dbPath);
  sqliteVec.load(db);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.exec("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')");
    const broken = db
      .prepare('SELECT d.id FROM documents d WHERE d.chunk_count != (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)')
      .all();
    expect(broken).toEqual([]);
    const embedded = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM chunks WHERE embedded = 1').get()!.n;
    const chunks = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM chunks').get()!.n;
    expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM vec_chunks_64').get()!.n).toBe(embedded);
    expect(embedded).toBe(chunks);
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM documents').get()!.n;
  } finally {
    db.close();
  }
}

describe('ingest crash recovery', () => {
  it('leaves no half-written document after SIGKILL, and a re-run resumes where it stopped', async () => {
    const root = tempDir();
    const docs = writeDocs(join(root, 'docs'), 600);
    const dataDir = tempDir();
    const child = spawnChild('ingest-child.ts', [dataDir, docs, '16']);
    await child.waitFor(/^progress (1\d\d|[2-9]\d\d) /);
    child.process.kill('SIGKILL');
    expect(await child.exited).toBe(null);

    const committed = assertConsistent(join(dataDir, 'carrel.db'));
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(600);

    const kb = KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [root] });
    try {
      const resumed = await kb.ingestDirectory(docs, { library: 'shared' });
      expect(resumed).toMatchObject({ unchanged: committed, created: 600 - committed, failed: 0 });
    } finally {
      await kb.close();
    }
    expect(assertConsistent(join(dataDir, 'carrel.db'))).toBe(600);
  }, 120_000);
});
