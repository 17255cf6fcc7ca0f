/**
 * The store's writer thread: the one connection of a process that writes documents. The ingest
 * worker prepares (reads, extracts, chunks, embeds) and sends each write here, so the next batch
 * is prepared on the other core while this one commits, and no write ever runs on the main
 * thread. Every request is one short transaction (see `store/staging.ts`, `store/publish.ts`).
 * Between requests it collects garbage in bounded batches, yielding to new requests in between.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { completeInTransaction } from '@carrel/tasks/sqlite';
import { openDatabase } from '../store/database.js';
import { collectGarbage, discardRun, hasGarbage } from '../store/garbage.js';
import { stagePack } from '../store/packs.js';
import { publishRun } from '../store/publish.js';
import { openRun, setRunBinding, setRunChunking } from '../store/runs.js';
import { appendStage, beginStage, finishStage, stageDocuments } from '../store/staging.js';
import { settleSyncPlanItems, writeSyncPlan } from '../store/sync-plans.js';
import type { WriteReply, WriteRequest } from './store-writer.js';
import { toWire } from './wire-error.js';

/** Garbage chunks deleted per transaction: a few tens of milliseconds of work. */
const GARBAGE_BATCH = 2_000;

const db = openDatabase((workerData as { dbPath: string }).dbPath);
const port = parentPort!;
let collecting = false;
let closing = false;

function handle(request: WriteRequest): unknown {
  switch (request.op) {
    case 'openRun':
      return openRun(db, request.args);
    case 'setBinding':
      return setRunBinding(db, request.runId, request.embedder, request.dims, request.rebind);
    case 'setChunking':
      return setRunChunking(db, request.runId, request.chunking);
    case 'stage':
      return stageDocuments(db, request.runId, request.dims, request.docs);
    case 'beginStage':
      return beginStage(db, request.runId, request.doc);
    case 'appendStage':
      return appendStage(db, request.runId, request.at, request.dims, request.ord, request.chunks);
    case 'finishStage':
      return finishStage(db, request.runId, request.version);
    case 'stagePack':
      return stagePack(db, request.runId, request.pack);
    case 'publish': {
      const { completion } = request;
      return publishRun(
        db,
        request.runId,
        completion ? () => completeInTransaction(db, completion, { now: Date.now() }) : undefined,
        request.sync,
      );
    }
    case 'writeSyncPlan':
      return writeSyncPlan(db, request.runId, request.header, request.items);
    case 'settleSyncPlan':
      return settleSyncPlanItems(db, request.runId, request.fates);
    case 'discard':
      return discardRun(db, request.runId);
    case 'collect':
      return undefined;
  }
}

/** Deletes one batch of garbage, then lets queued requests run before the next. */
function collectSoon(): void {
  if (collecting || closing) return;
  collecting = true;
  setImmediate(() => {
    collecting = false;
    try {
      if (collectGarbage(db, GARBAGE_BATCH) > 0 || hasGarbage(db)) collectSoon();
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
      while (collectGarbage(db, GARBAGE_BATCH) > 0 || hasGarbage(db));
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
    reply = { id: msg.id, error: toWire(err) };
  }
  port.postMessage(reply);
  collectSoon();
});

collectSoon();
