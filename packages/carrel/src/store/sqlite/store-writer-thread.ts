/**
 * The SQLite writer thread: the one connection of a process that writes documents. The ingest
 * worker prepares (reads, extracts, chunks, embeds) and sends each write here, so the next batch
 * is prepared on the other core while this one commits, and no write ever runs on the main
 * thread. Every request is one short transaction (see `staging.ts`, `publish.ts`). Between
 * requests it collects garbage in bounded batches, yielding to new requests in between.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { completeInTransaction } from '@carrel/tasks/sqlite';
import { toWire } from '../../ingest/wire-error.js';
import { GARBAGE_BATCH_CHUNKS } from '../repository.js';
import { busyAsStoreError } from './busy.js';
import { openDatabase } from './database.js';
import { collectGarbage, discardRun, hasGarbage } from './garbage.js';
import { stagePack } from './packs.js';
import { publishRun } from './publish.js';
import { openRun, setRunBinding, setRunChunking } from './runs.js';
import { appendStage, beginStage, finishStage, stageDocuments } from './staging.js';
import { settleSyncPlanItems, writeSyncPlan } from './sync-plans.js';
import type { WriteReply, WriteRequest } from './store-writer.js';

// The writer appends: what it reads again is the right edge of each B-tree and FTS5's newest
// segments, which a small cache holds. The default 32 MB would fill with pages it does not revisit,
// adding ~25 MB to every large ingest's RSS (bench/README.md § Fidelity).
const db = openDatabase((workerData as { path: string }).path, { cacheMb: 8 });
const port = parentPort!;
let collecting = false;
let closing = false;

function handle(request: WriteRequest): unknown {
  switch (request.op) {
    case 'openRun':
      return openRun(db, ...request.args);
    case 'setRunBinding':
      return setRunBinding(db, ...request.args);
    case 'setRunChunking':
      return setRunChunking(db, ...request.args);
    case 'stageDocuments':
      return stageDocuments(db, ...request.args);
    case 'beginStage':
      return beginStage(db, ...request.args);
    case 'appendStage':
      return appendStage(db, ...request.args);
    case 'finishStage':
      return finishStage(db, ...request.args);
    case 'stagePack':
      return stagePack(db, ...request.args);
    case 'publishRun': {
      const [runId, { completeTask, sync } = {}] = request.args;
      return publishRun(db, runId, completeTask && (() => completeInTransaction(db, completeTask, { now: Date.now() })), sync);
    }
    case 'discardRun':
      return discardRun(db, ...request.args);
    case 'writeSyncPlan':
      return writeSyncPlan(db, ...request.args);
    case 'settleSyncPlanItems':
      return settleSyncPlanItems(db, ...request.args);
    case 'collectGarbage':
      return collectGarbage(db, ...request.args);
  }
}

/** Deletes one batch of garbage, then lets queued requests run before the next. */
function collectSoon(): void {
  if (collecting || closing) return;
  collecting = true;
  setImmediate(() => {
    collecting = false;
    try {
      if (collectGarbage(db, GARBAGE_BATCH_CHUNKS) > 0 || hasGarbage(db)) collectSoon();
    } catch {
      // A busy lock or a closing database: the next request or start collects what is left.
    }
  });
}

port.on('message', (msg: WriteRequest | 'close') => {
  if (msg === 'close') {
    closing = true;
    // What is left is collected now: the next process to write would otherwise find it.
    try {
      while (collectGarbage(db, GARBAGE_BATCH_CHUNKS) > 0 || hasGarbage(db));
    } catch {
      // Left for the next writer.
    }
    db.close();
    port.close();
    return;
  }
  let reply: WriteReply;
  try {
    reply = { id: msg.id, value: handle(msg) };
  } catch (err) {
    // A lock held past this connection's busy timeout reaches the worker as the contract's StoreBusyError.
    reply = { id: msg.id, error: toWire(busyAsStoreError(err)) };
  }
  port.postMessage(reply);
  collectSoon();
});

collectSoon();
