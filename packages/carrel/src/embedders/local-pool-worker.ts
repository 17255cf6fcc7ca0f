/**
 * One thread of the local embedder pool (local-pool.ts): its own ONNX session, embedding the
 * batches it is sent one at a time.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWire } from '../ingest/wire-error.js';
import type { LocalEmbedderConfig } from './embedder.js';
import { LocalEmbedder } from './local-embedder.js';
import type { FromPoolWorker, ToPoolWorker } from './local-pool.js';

const port = parentPort!;
const embedder = new LocalEmbedder(workerData as LocalEmbedderConfig);
const post = (msg: FromPoolWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

embedder.load().then(
  () => post({ type: 'ready', dims: embedder.dims! }),
  (err: unknown) => post({ type: 'failed', error: toWire(err) }),
);

port.on('message', (msg: ToPoolWorker) => {
  embedder.embed(msg.texts).then(
    (vectors) =>
      post(
        { type: 'embedded', id: msg.id, vectors },
        vectors.map((v) => v.buffer as ArrayBuffer),
      ),
    (err: unknown) => post({ type: 'error', id: msg.id, error: toWire(err) }),
  );
});
