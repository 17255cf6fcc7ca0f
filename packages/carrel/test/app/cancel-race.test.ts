/**
 * Cancelled means nothing happened: `index_document` and `reindex_library` tasks cancelled at every
 * moment around the end of their run, where the final write and the task's completion happen. A
 * task that ends cancelled left the library as it was; one whose cancel came too late ended
 * completed with its writes in place, and the cancel was refused as for any finished task.
 */
import { describe, expect, it } from 'vitest';
import { TaskTerminalError, type TaskRecord } from '@carrel/tasks';
import { toolHandlerName, type ToolTaskInput } from '@carrel/tasks/mcp';
import { openRuntime, type CarrelRuntime } from '../../src/app/runtime.js';
import { resolveSettings } from '../../src/app/settings.js';
import { KnowledgeBase } from '../../src/knowledge-base.js';
import { tempDir } from '../support/temp-dir.js';

const OWNER = 'local:race';

/**
 * Starts `tool` as a task and cancels it `delayMs` after its progress reports the last of its work
 * staged (`lastStep`), which is just before the final write; returns how the task ended and whether
 * the cancel was refused.
 */
async function raceCancel(
  runtime: CarrelRuntime,
  tool: string,
  args: Record<string, unknown>,
  lastStep: (progress: NonNullable<TaskRecord['progress']>) => boolean,
  delayMs: number,
) {
  const input: ToolTaskInput = { arguments: args, answers: {} };
  let reached!: () => void;
  const staged = new Promise<void>((resolve) => (reached = resolve));
  const { task } = await runtime.engine.create({ handler: toolHandlerName(tool), input, owner: OWNER });
  if (delayMs >= 0) {
    const unwatch = runtime.engine.watch({ owner: OWNER, taskId: task.id }, (event) => {
      if (!event.task || event.task.status !== 'working' || (event.task.progress && lastStep(event.task.progress))) reached();
    });
    await staged;
    unwatch();
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  let refused = false;
  try {
    await runtime.engine.cancel(task.id, OWNER);
  } catch (error) {
    if (!(error instanceof TaskTerminalError)) throw error;
    refused = true;
  }
  const done: TaskRecord = await runtime.engine.waitForTerminal(task.id, OWNER);
  return { done, refused };
}

/**
 * When to cancel: at once (before the last step), then from 0 to 12 ms after the last step's
 * report in quarter milliseconds (the final write lands a few milliseconds after it), then later
 * and later, so both sides of the race are seen whatever the machine's load.
 */
const DELAYS = [-1, ...Array.from({ length: 48 }, (_, i) => i / 4), 25, 50, 100, 200, 400, 800, 1600, 3200];

const document = (i: number) =>
  `# Page ${i}\n\n${`Paragraph about topic${i} and more words. `.repeat(200)}\n\n## Part\n\n${'Detail text. '.repeat(200)}`;

describe('a cancel racing the final write', () => {
  it('index_document: cancelled leaves no document, completed keeps it, never a mix', async () => {
    const runtime = await openRuntime(resolveSettings({ dataDir: tempDir(), embedder: 'offline' }, {}));
    try {
      const outcomes = { cancelled: 0, completed: 0 };
      for (const [i, delay] of DELAYS.entries()) {
        const title = `page-${i}`;
        const args = { library: 'race', content: document(i), title };
        const { done, refused } = await raceCancel(runtime, 'index_document', args, (p) => p.message?.startsWith('staged') === true, delay);
        const kb = await runtime.kb.get();
        // Unfiltered (only 'race' is ever indexed here): until a first index publishes, naming the library is NotFoundError.
        const stored = (await kb.listDocuments({ limit: 500 })).documents.some((d) => d.source === `raw:${title}`);
        if (done.status === 'cancelled') {
          expect(stored).toBe(false);
          expect(refused).toBe(false);
        } else {
          expect(done.status).toBe('completed');
          expect(stored).toBe(true);
          expect(refused).toBe(true);
        }
        outcomes[done.status as 'cancelled' | 'completed']++;
      }
      // The delays straddle the final write, so both sides of the race must have been seen.
      expect(outcomes.cancelled).toBeGreaterThan(0);
      expect(outcomes.completed).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
  }, 240_000);

  it('reindex_library: cancelled leaves every chunk without its new vector and the library unbound', async () => {
    const dataDir = tempDir();
    // Libraries written with no model: their chunks wait for vectors, which the reindex adds.
    const bare = await KnowledgeBase.open({ dataDir, embedder: { kind: 'none' } });
    for (const i of DELAYS.keys()) await bare.ingestContent({ library: `lib-${i}`, content: document(i), source: 'page' });
    await bare.close();
    const runtime = await openRuntime(resolveSettings({ dataDir, embedder: 'offline' }, {}));
    try {
      const outcomes = { cancelled: 0, completed: 0 };
      for (const [i, delay] of DELAYS.entries()) {
        const lastBatch = (p: { current: number; total?: number }) => p.total !== undefined && p.current >= p.total;
        const { done, refused } = await raceCancel(runtime, 'reindex_library', { library: `lib-${i}` }, lastBatch, delay);
        const status = (await (await runtime.kb.get()).status()).libraries.find((l) => l.name === `lib-${i}`)!;
        if (done.status === 'cancelled') {
          expect(status).toMatchObject({ embedder: null, chunksWithoutVectors: status.chunks });
          expect(refused).toBe(false);
        } else {
          expect(done.status).toBe('completed');
          expect(status).toMatchObject({ embedder: 'offline:hash-v2', chunksWithoutVectors: 0 });
          expect(refused).toBe(true);
        }
        outcomes[done.status as 'cancelled' | 'completed']++;
      }
      expect(outcomes.cancelled).toBeGreaterThan(0);
      expect(outcomes.completed).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
  }, 240_000);
});
