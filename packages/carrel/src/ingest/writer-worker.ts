/**
 * The second stage of a batch ingest: a thread that only commits prepared batches of documents,
 * so the ingest worker can read, chunk and embed the next batch on the other core meanwhile.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { writeDocuments } from '../store/documents.js';
import type { WriteReply, WriteRequest } from './batch-writer.js';
import { toWire } from './wire-error.js';

const db = openDatabase((workerData as { dbPath: string }).dbPath);
const port = parentPort!;
port.on('message', (msg: WriteRequest | 'close') => {
  if (msg === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: WriteReply;
  try {
    reply = { id: msg.id, written: writeDocuments(db, msg.dims, msg.docs) };
  } catch (err) {
    reply = { id: msg.id, error: toWire(err) };
  }
  port.postMessage(reply);
});
