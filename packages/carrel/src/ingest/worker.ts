/**
 * Entry point of the ingest worker thread. It owns its own SQLite connection (WAL lets the main
 * thread keep reading while it writes) and runs jobs one at a time; reading, parsing, chunking and
 * embedding happen here, off the main event loop, while batch commits go to a writer thread of its
 * own, so on two cores the next batch is prepared while the last one commits.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EmbedderConfig } from '../embedders/embedder.js';
import { createEmbedder } from '../embedders/create-embedder.js';
import { IngestCancelledError } from '../errors.js';
import { openDatabase } from '../store/database.js';
import type { FromWorker, ToWorker } from './jobs.js';
import type { PipelineSettings } from './pipeline.js';
import { BatchWriter } from './batch-writer.js';
import { IngestPipeline } from './pipeline.js';
import { toWire } from './wire-error.js';

/** What the worker is started with. */
export interface WorkerConfig {
  dbPath: string;
  embedder: EmbedderConfig;
  settings: PipelineSettings;
}

const config = workerData as WorkerConfig;
const port = parentPort!;
const db = openDatabase(config.dbPath);
const writer = new BatchWriter(config.dbPath);
const pipeline = new IngestPipeline(db, createEmbedder(config.embedder), config.settings, (dims, docs) => writer.write(dims, docs));
let queue = Promise.resolve();

const post = (msg: FromWorker) => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'close') {
    queue = queue.then(async () => {
      await writer.close();
      db.close();
      port.close();
    });
    return;
  }
  const flag = new Int32Array(msg.abort);
  const controller = new AbortController();
  const cancelled = () => {
    if (Atomics.load(flag, 0) !== 0 && !controller.signal.aborted) controller.abort();
    return controller.signal.aborted;
  };
  // A slow embedding request should notice a cancel without waiting for the batch to end.
  const poll = setInterval(cancelled, 50);
  queue = queue
    .then(() =>
      pipeline.run(msg.job, {
        cancelled,
        signal: controller.signal,
        progress: (current, total, message) => post({ type: 'progress', id: msg.id, current, total, message }),
      }),
    )
    .then(
      (result) => post({ type: 'done', id: msg.id, result }),
      (err: unknown) => post({ type: 'error', id: msg.id, error: toWire(cancelled() ? new IngestCancelledError() : err) }),
    )
    .finally(() => clearInterval(poll));
});
