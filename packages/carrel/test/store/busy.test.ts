import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreBusyError } from '../../src/errors.js';
import { isBusy, writeWhenFree } from '../../src/store/sqlite/busy.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { tempDir } from '../support/temp-dir.js';

/** The longest gap between ticks of a 5 ms interval while `work` runs: how long the event loop was blocked. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    return { value: await work(), stallMs };
  } finally {
    clearInterval(ticker);
  }
}

function twoConnections() {
  const path = join(tempDir(), 'kb.db');
  const main = openDatabase(path);
  main.pragma('busy_timeout = 0');
  const other = new Database(path);
  return { main, other };
}

describe('writeWhenFree', () => {
  it('waits for another connection to release the write lock without blocking the event loop', async () => {
    const { main, other } = twoConnections();
    other.exec('BEGIN IMMEDIATE');
    setTimeout(() => other.exec('COMMIT'), 400);
    const write = () => main.prepare("INSERT INTO libraries (name, created_at, updated_at) VALUES ('x', 0, 0)").run().changes;
    expect(() => write()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    const { value, stallMs } = await longestStall(() => writeWhenFree(write));
    expect(value).toBe(1);
    // A busy wait inside SQLite would have held the thread for the whole 400 ms.
    expect(stallMs).toBeLessThan(200);
    main.close();
    other.close();
  });

  it('gives up with StoreBusyError once the wait passes, having written nothing', async () => {
    const { main, other } = twoConnections();
    other.exec('BEGIN IMMEDIATE');
    const write = () => main.prepare("INSERT INTO libraries (name, created_at, updated_at) VALUES ('x', 0, 0)").run();
    await expect(writeWhenFree(write, 150)).rejects.toThrow(StoreBusyError);
    other.exec('ROLLBACK');
    expect(main.prepare('SELECT count(*) AS n FROM libraries').get()).toEqual({ n: 0 });
    main.close();
    other.close();
  });

  it('passes other errors through at once', async () => {
    await expect(
      writeWhenFree(() => {
        throw new Error('not a lock');
      }),
    ).rejects.toThrow('not a lock');
    expect(isBusy({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe(true);
    expect(isBusy({ code: 'SQLITE_CONSTRAINT' })).toBe(false);
  });
});
