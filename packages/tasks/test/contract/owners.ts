/** Owners: another owner's task is indistinguishable from a missing one, everywhere. */
import { describe, expect, it } from 'vitest';
import { TaskLimitError, TaskNotFoundError } from '@carrel/tasks';
import { deferred, type ContractFixture } from './fixture.js';

export function ownersContract(f: ContractFixture): void {
  describe('owners', () => {
    it('isolates get, list, cancel, respond and wait', async () => {
      const hold = deferred();
      const engine = await f.engine({ job: async () => hold.promise.then(() => 'alice only') });
      const { task } = await engine.create({ handler: 'job', input: null, owner: 'alice' });
      const missing = 'AAAAAAAAAAAAAAAAAAAAAA';
      for (const id of [task.id, missing]) {
        await expect(engine.get(id, 'mallory')).rejects.toEqual(new TaskNotFoundError(id));
        await expect(engine.cancel(id, 'mallory')).rejects.toEqual(new TaskNotFoundError(id));
        await expect(engine.respond(id, 'mallory', { k: 1 })).rejects.toEqual(new TaskNotFoundError(id));
        await expect(engine.waitForTerminal(id, 'mallory')).rejects.toEqual(new TaskNotFoundError(id));
      }
      expect((await engine.list({ owner: 'mallory' })).tasks).toEqual([]);
      expect((await engine.list({ owner: 'alice' })).tasks.map((t) => t.id)).toEqual([task.id]);
      hold.resolve();
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: 'alice only' });
    });

    it("lists every owner's tasks only through listAcrossOwners, newest first and paged", async () => {
      const engine = await f.engine({ job: async () => 'done' }, { concurrency: 0 });
      const a1 = await engine.create({ handler: 'job', input: 1, owner: 'alice' });
      const b1 = await engine.create({ handler: 'job', input: 2, owner: 'bob' });
      const a2 = await engine.create({ handler: 'job', input: 3, owner: 'alice' });
      const all = await engine.listAcrossOwners({ limit: 2 });
      expect(all.tasks.map((t) => [t.id, t.owner])).toEqual([
        [a2.task.id, 'alice'],
        [b1.task.id, 'bob'],
      ]);
      const rest = await engine.listAcrossOwners({ limit: 2, cursor: all.nextCursor! });
      expect(rest.tasks.map((t) => t.id)).toEqual([a1.task.id]);
      expect(rest.nextCursor).toBeUndefined();
      expect((await engine.listAcrossOwners({ status: 'cancelled' })).tasks).toEqual([]);
      expect((await engine.list({ owner: 'bob' })).tasks.map((t) => t.id)).toEqual([b1.task.id]);
    });

    it('caps live tasks per owner, and finished tasks free their slots', async () => {
      const hold = deferred();
      const engine = await f.engine({ job: async () => hold.promise }, { maxLiveTasksPerOwner: 2 });
      const a = await engine.create({ handler: 'job', input: 1, owner: 'alice' });
      await engine.create({ handler: 'job', input: 2, owner: 'alice' });
      await expect(engine.create({ handler: 'job', input: 3, owner: 'alice' })).rejects.toBeInstanceOf(TaskLimitError);
      expect((await engine.list({ owner: 'alice' })).tasks).toHaveLength(2);
      await engine.create({ handler: 'job', input: 1, owner: 'bob' });
      await engine.cancel(a.task.id, 'alice');
      await engine.create({ handler: 'job', input: 4, owner: 'alice' });
      hold.resolve();
    });
  });
}
