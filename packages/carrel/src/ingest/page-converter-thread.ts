/**
 * The page-converter thread: converts the pages the ingest worker posts (page-converter.ts), one
 * after another, and answers each with the converted page or the error that stopped it.
 *
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { convertPage } from './page-conversion.js';
import type { ConversionReply, ConversionRequest } from './page-converter.js';
import { toWire } from './wire-error.js';

const port = parentPort!;
port.on('message', (request: ConversionRequest) => {
  convertPage(request).then(
    (page) => port.postMessage({ id: request.id, page } satisfies ConversionReply),
    (err: unknown) => port.postMessage({ id: request.id, error: toWire(err) } satisfies ConversionReply),
  );
});
