/**
 * The ingest worker's handle on the store's writer thread (`store-writer-thread.ts`): each method
 * sends one write and resolves once it has committed. Writes commit in the order they were sent,
 * so the caller may prepare the next batch while the last one commits.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { TaskCompletion } from '@carrel/tasks';
import type { ConnectorSyncWrite } from '../store/connectors.js';
import type { PublishOutcome } from '../store/publish.js';
import type { StagedPack } from '../store/packs.js';
import type { OpenedRun, OpenRunArgs } from '../store/runs.js';
import type { PlanItem, PlanItemState, SyncPlanHeader } from '../store/sync-plans.js';
import type { StagedDocument, StagedVersion } from '../store/staging.js';
import type { ChunkWrite } from '../store/documents.js';
import type { WireError } from './jobs.js';
import { spawnWorker } from './spawn-worker.js';
import { fromWire } from './wire-error.js';

/** Where appended chunks go. */
export interface StageAddress {
  documentId: number;
  version: number;
  libraryId: number;
}

/** A write, as sent to the thread. */
export type WriteRequest = { id: number } & (
  | { op: 'openRun'; args: OpenRunArgs }
  | { op: 'setBinding'; runId: number; embedder: string; dims: number; rebind: boolean }
  | { op: 'setChunking'; runId: number; chunking: string }
  | { op: 'stage'; runId: number; dims: number | null; docs: StagedDocument[] }
  | { op: 'beginStage'; runId: number; doc: Omit<StagedDocument, 'chunks'> }
  | { op: 'appendStage'; runId: number; at: StageAddress; dims: number | null; ord: number; chunks: ChunkWrite[] }
  | { op: 'finishStage'; runId: number; version: number }
  | { op: 'stagePack'; runId: number; pack: StagedPack }
  | { op: 'publish'; runId: number; completion: TaskCompletion | null; sync?: ConnectorSyncWrite }
  | { op: 'writeSyncPlan'; runId: number; header: SyncPlanHeader; items: PlanItem[] }
  | { op: 'settleSyncPlan'; runId: number; fates: { ord: number; state: PlanItemState }[] }
  | { op: 'discard'; runId: number }
  | { op: 'collect' }
);

/** The write's result, or the error that rolled it back. */
export type WriteReply = { id: number; value: unknown } | { id: number; error: WireError };

type Op = WriteRequest['op'];
type Args<O extends Op> = Omit<Extract<WriteRequest, { op: O }>, 'id' | 'op'>;

/** See module comment. */
export class StoreWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();

  constructor(dbPath: string) {
    this.worker = spawnWorker('store-writer-thread', { dbPath });
    this.worker.on('message', (reply: WriteReply) => {
      const p = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(fromWire(reply.error));
      else p.resolve(reply.value);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`The writer thread exited (code ${code})`)));
    this.worker.unref();
  }

  openRun(args: Args<'openRun'>['args']): Promise<OpenedRun> {
    return this.send('openRun', { args }) as Promise<OpenedRun>;
  }

  setBinding(args: Args<'setBinding'>): Promise<void> {
    return this.send('setBinding', args) as Promise<void>;
  }

  setChunking(args: Args<'setChunking'>): Promise<void> {
    return this.send('setChunking', args) as Promise<void>;
  }

  stage(args: Args<'stage'>): Promise<StagedVersion[]> {
    return this.send('stage', args) as Promise<StagedVersion[]>;
  }

  beginStage(args: Args<'beginStage'>): Promise<{ documentId: number; version: number }> {
    return this.send('beginStage', args) as Promise<{ documentId: number; version: number }>;
  }

  appendStage(args: Args<'appendStage'>): Promise<number> {
    return this.send('appendStage', args) as Promise<number>;
  }

  finishStage(args: Args<'finishStage'>): Promise<void> {
    return this.send('finishStage', args) as Promise<void>;
  }

  stagePack(args: Args<'stagePack'>): Promise<void> {
    return this.send('stagePack', args) as Promise<void>;
  }

  publish(args: Args<'publish'>): Promise<PublishOutcome> {
    return this.send('publish', args) as Promise<PublishOutcome>;
  }

  writeSyncPlan(args: Args<'writeSyncPlan'>): Promise<void> {
    return this.send('writeSyncPlan', args) as Promise<void>;
  }

  settleSyncPlan(args: Args<'settleSyncPlan'>): Promise<void> {
    return this.send('settleSyncPlan', args) as Promise<void>;
  }

  discard(args: Args<'discard'>): Promise<boolean> {
    return this.send('discard', args) as Promise<boolean>;
  }

  /** Asks the thread to collect garbage when idle (it also does after every write). */
  collect(): Promise<void> {
    return this.send('collect', {}) as Promise<void>;
  }

  /** Stops the writer after the writes already sent and the garbage left. */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }

  private send<O extends Op>(op: O, args: Args<O>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args } as WriteRequest);
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
