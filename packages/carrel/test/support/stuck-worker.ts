/**
 * A stand-in for the ingest worker thread, for WorkerClient tests: a content job whose source is
 * `stuck` spins forever after opening its run (as a parser caught by hostile input would, deaf
 * to its cancel flag); any other job succeeds at once.
 */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, IngestResult, ToWorker } from '../../src/ingest/jobs.js';

const port = parentPort!;
let nextRun = 100;
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'close') return port.close();
  if (msg.type !== 'job') return;
  const post = (reply: FromWorker) => port.postMessage(reply);
  post({ type: 'opened', id: msg.id, runId: nextRun++ });
  if (msg.job.kind === 'content' && msg.job.source === 'stuck') for (;;);
  const result: IngestResult = {
    library: 'l',
    version: '',
    created: 1,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    pages: {},
    failed: 0,
    chunks: 1,
    chunksWithoutVectors: 0,
    documents: [],
    unlisted: 0,
    resumed: 0,
    warnings: [],
  };
  post({ type: 'done', id: msg.id, result });
});
