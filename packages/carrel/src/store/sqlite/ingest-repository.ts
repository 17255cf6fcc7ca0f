/**
 * The SQLite repository the ingest worker opens: it reads on the worker's own connection, and a
 * run's writes (open, stage, publish, discard, sync plans, garbage) go to a writer thread
 * (`store-writer.ts`). SQLite writes are synchronous: made on the worker's thread they stalled
 * reading, chunking and embedding; on their own thread the next batch is prepared on the other
 * core while the last one commits (bench/README § Ingest, "The staged write path").
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { openDatabase } from './database.js';
import { SqliteRepository } from './sqlite-repository.js';
import { StoreWriter, type ThreadWrites } from './store-writer.js';

/** See module comment. */
export class SqliteIngestRepository extends SqliteRepository {
  private constructor(
    db: Database,
    private readonly writer: StoreWriter,
  ) {
    super(db);
  }

  /**
   * Starts the writer thread on the file at `path`, then opens this thread's connection (the two
   * load side by side). It keeps SQLite's busy wait: this thread serves nobody else.
   */
  static override open(path: string): SqliteIngestRepository {
    const writer = new StoreWriter(path);
    return new SqliteIngestRepository(openDatabase(path), writer);
  }

  override openRun(...args: Parameters<ThreadWrites['openRun']>) {
    return this.writer.write('openRun', ...args);
  }

  override setRunBinding(...args: Parameters<ThreadWrites['setRunBinding']>) {
    return this.writer.write('setRunBinding', ...args);
  }

  override setRunChunking(...args: Parameters<ThreadWrites['setRunChunking']>) {
    return this.writer.write('setRunChunking', ...args);
  }

  override stageDocuments(...args: Parameters<ThreadWrites['stageDocuments']>) {
    return this.writer.write('stageDocuments', ...args);
  }

  override beginStage(...args: Parameters<ThreadWrites['beginStage']>) {
    return this.writer.write('beginStage', ...args);
  }

  override appendStage(...args: Parameters<ThreadWrites['appendStage']>) {
    return this.writer.write('appendStage', ...args);
  }

  override finishStage(...args: Parameters<ThreadWrites['finishStage']>) {
    return this.writer.write('finishStage', ...args);
  }

  override stagePack(...args: Parameters<ThreadWrites['stagePack']>) {
    return this.writer.write('stagePack', ...args);
  }

  override publishRun(...args: Parameters<ThreadWrites['publishRun']>) {
    return this.writer.write('publishRun', ...args);
  }

  override discardRun(...args: Parameters<ThreadWrites['discardRun']>) {
    return this.writer.write('discardRun', ...args);
  }

  override writeSyncPlan(...args: Parameters<ThreadWrites['writeSyncPlan']>) {
    return this.writer.write('writeSyncPlan', ...args);
  }

  override settleSyncPlanItems(...args: Parameters<ThreadWrites['settleSyncPlanItems']>) {
    return this.writer.write('settleSyncPlanItems', ...args);
  }

  override collectGarbage(...args: Parameters<ThreadWrites['collectGarbage']>) {
    return this.writer.write('collectGarbage', ...args);
  }

  /** Closes the writer (after the writes already sent and the garbage left), then this connection. */
  override async close() {
    await this.writer.close();
    await super.close();
  }
}
