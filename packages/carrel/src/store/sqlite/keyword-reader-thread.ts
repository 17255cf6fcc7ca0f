/**
 * The keyword reader thread: a read-only connection of its own that answers keyword searches
 * (`keyword-search.ts`) off the main thread, so a hybrid search ranks its keyword half here while
 * the main thread scans vectors (see `keyword-reader.ts`).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWire } from '../../ingest/wire-error.js';
import { openDatabase } from './database.js';
import { keywordSearch } from './keyword-search.js';
import type { KeywordReply, KeywordRequest } from './keyword-reader.js';

const db = open((workerData as { path: string }).path);
const port = parentPort!;

port.on('message', async (msg: KeywordRequest | 'close') => {
  if (msg === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: KeywordReply;
  try {
    reply = { id: msg.id, value: await keywordSearch(db, msg.query, msg.filters, msg.limit) };
  } catch (err) {
    reply = { id: msg.id, error: toWire(err) };
  }
  port.postMessage(reply);
});

function open(path: string) {
  try {
    return openDatabase(path, { readonly: true });
  } catch (err) {
    // better-sqlite3's SqliteError reaches the parent's 'error' event as a bare `{ code }`; a plain Error keeps its message.
    throw new Error(`The keyword reader thread could not open ${path}: ${(err as Error).message}`);
  }
}
