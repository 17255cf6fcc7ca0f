import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { spawnChild } from '../support/child.js';
import { writeDocs } from '../support/corpus.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * The file is sound, every live document complete (its chunk rows, FTS entries and vectors all
 * present), every staged version complete as far as it got; returns [live documents, staged versions].
 */
function assertConsistent(dbPath: string): [number, number] {
  const db = new Database(dbPath);
  sqliteVec.load(db);
  const count = (sql: string) => db.prepare<[], { n: number }>(sql).get()!.n;
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.exec("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')");
    const brokenLive = db
      .prepare(
        'SELECT d.id FROM documents d WHERE d.live_version > 0 AND d.chunk_count != (SELECT count(*) FROM chunks c WHERE c.document_id = d.id AND c.version = d.live_version)',
      )
      .all();
    expect(brokenLive).toEqual([]);
    const brokenStaged = db
      .prepare('SELECT s.version FROM document_stages s WHERE s.chunk_count != (SELECT count(*) FROM chunks c WHERE c.version = s.version)')
      .all();
    expect(brokenStaged).toEqual([]);
    expect(count('SELECT count(*) AS n FROM vec_chunks_64')).toBe(count('SELECT count(*) AS n FROM chunks WHERE embedded = 1'));
    expect(count('SELECT count(*) AS n FROM chunks WHERE embedded = 0')).toBe(0);
    return [count('SELECT count(*) AS n FROM documents WHERE live_version > 0'), count('SELECT count(*) AS n FROM document_stages')];
  } finally {
    db.close();
  }
}

describe('ingest crash recovery', () => {
  it('shows nothing of a run killed by SIGKILL, and a re-run of the same job resumes what it had staged', async () => {
    const root = tempDir();
    const docs = writeDocs(join(root, 'docs'), 600);
    const dataDir = tempDir();
    const child = spawnChild('ingest-child.ts', [dataDir, docs, '16', 'job-1']);
    await child.waitFor(/^progress (1\d\d|[2-9]\d\d) /);
    child.process.kill('SIGKILL');
    expect(await child.exited).toBe(null);

    const [live, staged] = assertConsistent(join(dataDir, 'carrel.db'));
    expect(live).toBe(0);
    expect(staged).toBeGreaterThanOrEqual(100);
    expect(staged).toBeLessThan(600);

    const again = spawnChild('ingest-child.ts', [dataDir, docs, '16', 'job-1']);
    const done = JSON.parse((await again.waitFor(/^done /)).slice(5)) as Record<string, number>;
    expect(done).toEqual({ created: 600, unchanged: 0, failed: 0, resumed: staged });
    expect(await again.exited).toBe(0);
    expect(assertConsistent(join(dataDir, 'carrel.db'))).toEqual([600, 0]);
  }, 120_000);

  it('discards the staged work of a killed run that no job will resume', async () => {
    const root = tempDir();
    const docs = writeDocs(join(root, 'docs'), 300);
    const dataDir = tempDir();
    const child = spawnChild('ingest-child.ts', [dataDir, docs, '16']);
    await child.waitFor(/^progress ([5-9]\d|\d\d\d) /);
    child.process.kill('SIGKILL');
    expect(await child.exited).toBe(null);
    expect(assertConsistent(join(dataDir, 'carrel.db'))[1]).toBeGreaterThan(0);

    // The next process to open the knowledge base sees the writer is gone and drops its work.
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [root] });
    try {
      await expect.poll(() => assertConsistent(join(dataDir, 'carrel.db'))).toEqual([0, 0]);
      expect((await kb.ingestDirectory(docs, { library: 'shared' })).created).toBe(300);
    } finally {
      await kb.close();
    }
    // Nothing of the killed run is left: every stored chunk belongs to a live version.
    const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual(
      db.prepare('SELECT sum(chunk_count) AS n FROM documents WHERE live_version > 0').get(),
    );
    db.close();
  }, 120_000);
});
