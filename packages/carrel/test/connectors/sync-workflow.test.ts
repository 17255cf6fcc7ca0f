/**
 * The sync workflow on a real task engine (SQLite task store) and a real knowledge base: the fetch
 * batches never run more than `parallelism` at once (a hook around each batch holds it until the
 * test lets it go, so an unbounded workflow would pile them up), and what the steps staged in the
 * run of the task they work for publishes in one apply.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TaskEngine } from '@carrel/tasks';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SYNC_WORKFLOW, syncWorkflow } from '../../src/app/sync-workflow.js';
import type { IngestResult } from '../../src/ingest/jobs.js';
import { emptyResult, mergeResult } from '../../src/ingest/result.js';
import { KnowledgeBase } from '../../src/knowledge-base.js';
import { writeDocs } from '../support/corpus.js';
import { tempDir } from '../support/temp-dir.js';

const closing: (() => Promise<void>)[] = [];

function liveDocuments(dataDir: string): number {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM documents WHERE live_version > 0').get()!.n;
  } finally {
    db.close();
  }
}
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

describe('the sync workflow', () => {
  it('runs at most `parallelism` fetch batches at once, and its apply publishes what they staged', async () => {
    // 1,500 files: six fetch batches of 250.
    const docs = writeDocs(tempDir(), 1500, 200);
    const dataDir = tempDir();
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [docs] });
    closing.push(() => kb.close());
    await kb.addConnector({ name: 'docs', kind: 'directory', library: 'docs', options: { path: docs } });

    let live = 0;
    let most = 0;
    let started = 0;
    const held: (() => void)[] = [];
    const hooked = Object.create(kb) as KnowledgeBase;
    hooked.fetchSync = async (...args) => {
      live++;
      started++;
      most = Math.max(most, live);
      await new Promise<void>((resolve) => held.push(resolve));
      try {
        return await kb.fetchSync(...args);
      } finally {
        live--;
      }
    };
    const engine = new TaskEngine({
      store: new SqliteTaskStore({ path: join(dataDir, 'tasks.db') }),
      handlers: {},
      workflows: { [SYNC_WORKFLOW]: syncWorkflow({ get: () => Promise.resolve(hooked) }, { parallelism: 2 }) },
      concurrency: 8,
    });
    await engine.start();
    closing.push(() => engine.stop());
    const runTask = 'sync-under-test';
    const { task } = await engine.create({ handler: SYNC_WORKFLOW, input: { connector: 'docs', task: runTask }, owner: 'alice' });

    for (let remaining = 6; remaining > 0; remaining--) {
      // The batch let go last has finished, and every batch that may start has started and waits
      // (with eight free slots, an unbounded workflow would have started them all by now).
      const waiting = Math.min(2, remaining);
      await expect.poll(() => [live, held.length], { timeout: 60_000 }).toEqual([waiting, waiting]);
      held.shift()!();
    }
    const done = await engine.waitForTerminal(task.id, 'alice');
    expect(done.status).toBe('completed');
    expect({ started, most }).toEqual({ started: 6, most: 2 });

    const { discover, fetch } = (done.outcome as { result: { discover: IngestResult; fetch: IngestResult[] } }).result;
    expect(discover.plan!.reads).toBe(1500);
    expect(fetch.map((part) => part.created)).toEqual([250, 250, 250, 250, 250, 250]);
    const merged = emptyResult(discover);
    for (const part of [discover, ...fetch]) mergeResult(merged, part);
    expect(liveDocuments(dataDir)).toBe(0);
    const applied = await kb.applySync('docs', { runId: null, result: merged }, { task: { id: runTask } });
    expect(applied).toMatchObject({ created: 1500, failed: 0, sync: { connector: 'docs', deleted: 0, complete: true } });
    expect(liveDocuments(dataDir)).toBe(1500);
  }, 180_000);
});
