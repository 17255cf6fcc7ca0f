/**
 * Entry point of the ingest worker thread. It opens its own repository on the store (see
 * `store/open-repository.ts`) and runs jobs one at a time; reading, parsing, chunking and
 * embedding happen here, off the main event loop (a SQLite store also sends its writes on to a
 * writer thread of its own, so on two cores the next batch is prepared while the last one is
 * staged). When a job has staged everything it asks the main thread for its task's completion,
 * which the store commits in the publish transaction.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TaskCompletion } from '@carrel/tasks';
import type { Embedder, EmbedderConfig } from '../embedders/embedder.js';
import { IngestCancelledError } from '../errors.js';
import type { StoreLocation } from '../store/location.js';
import { GARBAGE_BATCH_CHUNKS } from '../store/repository.js';
import type { FromWorker, ToWorker } from './jobs.js';
import type { PipelineSettings } from './pipeline.js';
import type { RelayedEmbedderConfig } from './relayed-embedder.js';
import { fromWire, toWire } from './wire-error.js';

/** What the worker is started with. */
export interface WorkerConfig {
  store: StoreLocation;
  embedder: EmbedderConfig | RelayedEmbedderConfig;
  settings: PipelineSettings;
}

const config = workerData as WorkerConfig;
const port = parentPort!;
// The store is opened before this thread loads the pipeline: a SQLite store's writer thread then loads alongside.
const { openRepository } = await import('../store/open-repository.js');
const store = await openRepository(config.store, { ingestWorker: true });
const [{ createEmbedder }, { IngestPipeline }, { RelayedEmbedder }] = await Promise.all([
  import('../embedders/create-embedder.js'),
  import('./pipeline.js'),
  import('./relayed-embedder.js'),
]);
const post = (msg: FromWorker) => port.postMessage(msg);
const embedder: Embedder | null =
  config.embedder.kind === 'relayed' ? new RelayedEmbedder(config.embedder, post) : createEmbedder(config.embedder);
const relayed = embedder instanceof RelayedEmbedder ? embedder : undefined;
const pipeline = new IngestPipeline(store, embedder, config.settings);
/** Jobs waiting for the main thread's answer to `staged`. */
const awaitingCompletion = new Map<number, { resolve: (completion: TaskCompletion | null) => void; reject: (error: Error) => void }>();
/** The cancel check of the job running now, by id: a `cancel` message runs it at once. */
const cancelChecks = new Map<number, () => boolean>();
let queue = Promise.resolve();

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'close':
      queue = queue.then(async () => {
        await store.close();
        await embedder?.close?.();
        port.close();
      });
      return;
    case 'collect':
      void collectAllGarbage().catch(() => undefined);
      return;
    case 'publish': {
      const waiting = awaitingCompletion.get(msg.id);
      awaitingCompletion.delete(msg.id);
      if ('refused' in msg) waiting?.reject(fromWire(msg.refused));
      else waiting?.resolve(msg.completion);
      return;
    }
    case 'embedded':
      relayed?.answer(msg);
      return;
    case 'cancel':
      cancelChecks.get(msg.id)?.();
      return;
    case 'job':
      queue = queue.then(() => runJob(msg));
  }
});

async function runJob(msg: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  const flag = new Int32Array(msg.abort);
  const controller = new AbortController();
  const cancelled = () => {
    if (Atomics.load(flag, 0) !== 0 && !controller.signal.aborted) controller.abort();
    return controller.signal.aborted;
  };
  // A slow embedding request should notice a cancel without waiting for the batch to end: the
  // main thread's `cancel` message aborts it (the flag alone is read only between batches). A
  // cancel that came while the job was queued is in the flag already.
  cancelChecks.set(msg.id, cancelled);
  cancelled();
  try {
    const result = await pipeline.run(msg.job, {
      cancelled,
      signal: controller.signal,
      progress: (current, total, message) => post({ type: 'progress', id: msg.id, current, total, message }),
      opened: (runId) => post({ type: 'opened', id: msg.id, runId }),
      staged: (result) =>
        new Promise((resolve, reject) => {
          awaitingCompletion.set(msg.id, { resolve, reject });
          post({ type: 'staged', id: msg.id, result });
        }),
    });
    post({ type: 'done', id: msg.id, result });
  } catch (err) {
    post({ type: 'error', id: msg.id, error: toWire(cancelled() ? new IngestCancelledError() : err) });
  } finally {
    cancelChecks.delete(msg.id);
    awaitingCompletion.delete(msg.id);
  }
}

/** Collects garbage in bounded batches until none is left, each batch a short write of its own. */
async function collectAllGarbage(): Promise<void> {
  while ((await store.collectGarbage(GARBAGE_BATCH_CHUNKS)) > 0 || (await store.hasGarbage()));
}
