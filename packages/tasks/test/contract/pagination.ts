/** Listing: newest first, status filter, cursors stable while tasks are inserted. */
import { describe, expect, it } from 'vitest';
import type { TaskEngine, TaskRecord } from '@carrel/tasks';

/** Newest first; tasks created in the same millisecond are ordered by id, descending. */
const newestFirst = (a: TaskRecord, b: TaskRecord) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);
import type { ContractFixture } from './fixture.js';

export function paginationContract(f: ContractFixture): void {
  describe('list', () => {
    const createMany = async (engine: TaskEngine, n: number, owner = 'alice') => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await engine.create({ handler: 'job', input: i, owner })).task.id);
      return ids;
    };

    it('pages newest first and stays stable while new tasks are inserted between pages', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const original = await createMany(engine, 25);
      const expected = (await Promise.all(original.map((id) => engine.get(id, 'alice')))).sort(newestFirst).map((t) => t.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.list({ owner: 'alice', limit: 10, ...(cursor && { cursor }) });
        seen.push(...page.tasks.map((t) => t.id));
        cursor = page.nextCursor;
        await createMany(engine, 3);
      } while (cursor);
      expect(seen).toEqual(expected);
    });

    it('orders tasks created in the same millisecond consistently and loses none', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const ids = await Promise.all(
        Array.from({ length: 30 }, (_, i) => engine.create({ handler: 'job', input: i, owner: 'alice' }).then((r) => r.task.id)),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.list({ owner: 'alice', limit: 7, ...(cursor && { cursor }) });
        seen.push(...page.tasks.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual((await Promise.all(ids.map((id) => engine.get(id, 'alice')))).sort(newestFirst).map((t) => t.id));
    });

    it('filters by status and gives no cursor on the last page', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const [first, second] = await createMany(engine, 3);
      await engine.cancel(first!, 'alice');
      await engine.cancel(second!, 'alice');
      const cancelled = await engine.list({ owner: 'alice', status: 'cancelled' });
      expect(cancelled.tasks.map((t) => t.id)).toEqual(
        (await Promise.all([first!, second!].map((id) => engine.get(id, 'alice')))).sort(newestFirst).map((t) => t.id),
      );
      expect(cancelled.nextCursor).toBeUndefined();
      expect((await engine.list({ owner: 'alice', status: ['working', 'input_required'] })).tasks).toHaveLength(1);
      const exact = await engine.list({ owner: 'alice', limit: 3 });
      expect(exact.tasks).toHaveLength(3);
      expect(exact.nextCursor).toBeUndefined();
    });
  });
}
