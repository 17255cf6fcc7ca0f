/**
 * The task-creation bucket of each owner lives in the store: every store on one database (every
 * node of a cluster) spends from it, so a rate limit holds for the cluster, not per node.
 */
import { describe, expect, it } from 'vitest';
import type { ContractFixture } from './fixture.js';

export function rateContract(f: ContractFixture): void {
  describe('creation rate buckets', () => {
    const limit = { perMinute: 60, burst: 3 };

    it('spends a burst, then says how long until the next token, and refills at the rate', async () => {
      const store = await f.db().open();
      await store.migrate();
      const take = (now: number, owner = 'alice') => store.takeToken({ owner, ...limit, now });
      expect([await take(1_000), await take(1_000), await take(1_000)]).toEqual([0, 0, 0]);
      expect(await take(1_000)).toBe(1_000);
      expect(await take(1_400)).toBe(600);
      expect(await take(1_000, 'bob')).toBe(0); // each owner has a bucket of their own
      expect(await take(2_000)).toBe(0);
      expect(await take(2_000)).toBe(1_000);
      // A quiet period refills up to the burst, not beyond it.
      expect([await take(60_000), await take(60_000), await take(60_000), await take(60_000)]).toEqual([0, 0, 0, 1_000]);
    });

    it('does not refill when the clock steps back, and counts on from the latest time seen', async () => {
      const store = await f.db().open();
      await store.migrate();
      const take = (now: number) => store.takeToken({ owner: 'alice', perMinute: 60, burst: 1, now });
      expect(await take(10_000)).toBe(0);
      expect(await take(5_000)).toBe(1_000);
      expect(await take(10_500)).toBe(500);
      expect(await take(11_000)).toBe(0);
    });

    it('is one bucket for every store on the database, also under concurrent takes', async () => {
      const [a, b] = [await f.db().open(), await f.db().open()];
      await Promise.all([a.migrate(), b.migrate()]);
      const now = 1_000;
      const waits = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).takeToken({ owner: 'alice', perMinute: 60, burst: 10, now })),
      );
      expect(waits.filter((w) => w === 0)).toHaveLength(10);
      expect(await a.takeToken({ owner: 'alice', perMinute: 60, burst: 10, now })).toBeGreaterThan(0);
      expect(await b.takeToken({ owner: 'alice', perMinute: 60, burst: 10, now })).toBeGreaterThan(0);
    });
  });
}
