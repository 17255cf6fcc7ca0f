/**
 * The schedule claim on a real SQLite file through two connections (as two processes hold it):
 * both see the same slot due, and the compare-and-set gives it to exactly one.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { claimScheduleSlot, dueConnectors, setConnectorSchedule } from '../../src/store/sqlite/connector-schedules.js';
import { getConnector, insertConnector } from '../../src/store/sqlite/connectors.js';
import { tempDir } from '../support/temp-dir.js';

describe('connector schedule claims', () => {
  it('gives a slot both connections saw due to exactly one of them', () => {
    const path = join(tempDir(), 'kb.db');
    const a = openDatabase(path);
    const b = openDatabase(path);
    try {
      const schedule = { cron: '*/5 * * * *', timezone: null };
      const c = insertConnector(a, {
        name: 'docs',
        kind: 'directory',
        library: 'docs',
        version: '',
        options: {},
        schedule,
        nextRunAt: 1_000,
      })!;
      const [seenA] = dueConnectors(a, 1_000);
      const [seenB] = dueConnectors(b, 1_000);
      expect(seenA!.nextRunAt).toBe(1_000);
      expect(seenB!.nextRunAt).toBe(1_000);

      expect(claimScheduleSlot(a, c.id, 1_000, 301_000)).toBe(true);
      expect(claimScheduleSlot(b, c.id, 1_000, 301_000)).toBe(false);
      expect(getConnector(b, c.id)).toMatchObject({ nextRunAt: 301_000, lastSlotAt: 1_000 });
      expect(dueConnectors(b, 300_999)).toEqual([]);

      setConnectorSchedule(b, c.id, null, null);
      expect(getConnector(a, c.id)).toMatchObject({ schedule: null, nextRunAt: null });
      expect(dueConnectors(a, Number.MAX_SAFE_INTEGER)).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });
});
