/** Listing: newest first in creation order, status filter, cursors stable while tasks are inserted. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidCursorError, type TaskEngine, type TaskRecord } from '@carrel/tasks';
import type { ContractFixture } from './fixture.js';

/** Newest first: the reverse of the order the store took the tasks in. */
const newestFirst = (a: TaskRecord, b: TaskRecord) => b.seq - a.seq;

export function paginationContract(f: ContractFixture): void {
  describe('list', () => {
    const createMany = async (engine: TaskEngine, n: number, owner = 'alice') => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await engine.create({ handler: 'job', input: i, owner })).task.id);
      return ids;
    };

    const walk = async (engine: TaskEngine, limit: number, between: () => Promise<unknown> = async () => {}) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.list({ owner: 'alice', limit, ...(cursor && { cursor }) });
        seen.push(...page.tasks.map((t) => t.id));
        cursor = page.nextCursor;
        await between();
      } while (cursor);
      return seen;
    };

    describe('with every task created in the same millisecond', () => {
      // Only Date is frozen: timers, I/O and the database keep running. Every task then has the
      // same createdAt, so any order or cursor built on it would have to fall back on random ids.
      beforeEach(() => {
        vi.useFakeTimers({ toFake: ['Date'] });
      });
      afterEach(() => {
        vi.useRealTimers();
      });

      it('pages newest first and stays stable while new tasks are inserted between pages', async () => {
        const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
        const original = await createMany(engine, 25);
        // 20 inserts per page: a cursor that let a newer task in would let one in on every run.
        const seen = await walk(engine, 10, () => createMany(engine, 20));
        expect(seen).toEqual([...original].reverse());
      });

      it('orders tasks created concurrently consistently and loses none', async () => {
        const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
        const ids = await Promise.all(
          Array.from({ length: 30 }, (_, i) => engine.create({ handler: 'job', input: i, owner: 'alice' }).then((r) => r.task.id)),
        );
        const seen = await walk(engine, 7);
        expect(seen).toEqual((await engine.list({ owner: 'alice', limit: 200 })).tasks.map((t) => t.id));
        expect(seen).toEqual((await Promise.all(ids.map((id) => engine.get(id, 'alice')))).sort(newestFirst).map((t) => t.id));
      });
    });

    it('gives every task a creation sequence number that only grows', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const tasks = await Promise.all((await createMany(engine, 5)).map((id) => engine.get(id, 'alice')));
      const seqs = tasks.map((t) => t.seq);
      expect(seqs.every((seq, i) => Number.isSafeInteger(seq) && (i === 0 || seq > seqs[i - 1]!))).toBe(true);
    });

    it('never hands out the sequence number of a deleted task again', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0, maintenanceMs: 60_000 });
      await createMany(engine, 1);
      const { task: newest } = await engine.create({ handler: 'job', input: null, owner: 'alice', ttlMs: 1 });
      await new Promise((r) => setTimeout(r, 5));
      await engine.runMaintenance();
      expect(await engine.store.get(newest.id)).toBeNull();
      const { task: next } = await engine.create({ handler: 'job', input: null, owner: 'alice' });
      expect(next.seq).toBeGreaterThan(newest.seq);
    });

    it('rejects a cursor in the previous (createdAt, id) format as invalid', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const [id] = await createMany(engine, 2);
      const previousFormat = `c1.${Buffer.from(JSON.stringify([Date.now(), id])).toString('base64url')}`;
      await expect(engine.list({ owner: 'alice', limit: 1, cursor: previousFormat })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('filters by status and gives no cursor on the last page', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const [first, second] = await createMany(engine, 3);
      await engine.cancel(first!, 'alice');
      await engine.cancel(second!, 'alice');
      const cancelled = await engine.list({ owner: 'alice', status: 'cancelled' });
      expect(cancelled.tasks.map((t) => t.id)).toEqual([second, first]);
      expect(cancelled.nextCursor).toBeUndefined();
      expect((await engine.list({ owner: 'alice', status: ['working', 'input_required'] })).tasks).toHaveLength(1);
      const exact = await engine.list({ owner: 'alice', limit: 3 });
      expect(exact.tasks).toHaveLength(3);
      expect(exact.nextCursor).toBeUndefined();
    });
  });
}
