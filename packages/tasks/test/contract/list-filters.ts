/** List filters: handler, text in the input or id, parent; still owner-scoped, newest first, with stable cursors. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type TaskEngine } from '@carrel/tasks';
import type { ContractFixture } from './fixture.js';

export function listFiltersContract(f: ContractFixture): void {
  describe('list filters', () => {
    const handlers = { resize: async () => null, upload: async () => null, index: async () => null };
    const ids = async (engine: TaskEngine, query: Omit<Parameters<TaskEngine['list']>[0], 'owner'>, owner = 'alice') =>
      (await engine.list({ owner, ...query })).tasks.map((t) => t.id);

    it('filters by one handler or several, by text in the input regardless of case or in the id, and by parent', async () => {
      const engine = await f.engine(handlers, { concurrency: 0 });
      const create = async (handler: string, input: unknown, extra: { parentId?: string; owner?: string } = {}) =>
        (await engine.create({ handler, input, owner: extra.owner ?? 'alice', ...(extra.parentId && { parentId: extra.parentId }) })).task
          .id;
      const cat = await create('resize', { path: 'photos/Cat.PNG', title: 'A Cat photo' });
      const dog = await create('upload', { path: 'photos/dog.jpg' });
      const notes = await create('index', { library: 'notes', query: 'a cat and dogs' });
      const child = await create('resize', { path: 'thumbs/small.png', title: 'the cat thumbnail' }, { parentId: notes });
      await create('resize', { path: 'photos/Cat.PNG' }, { owner: 'bob' });

      expect(await ids(engine, { handler: 'resize' })).toEqual([child, cat]);
      expect(await ids(engine, { handler: ['upload', 'index'] })).toEqual([notes, dog]);
      // Terms with characters no task id has (ids are base64url), so that only inputs can match them.
      expect(await ids(engine, { text: 'CAT ' })).toEqual([child, notes, cat]);
      expect(await ids(engine, { text: 'cat.png' })).toEqual([cat]);
      expect(await ids(engine, { text: dog.slice(3, 15) })).toEqual([dog]);
      expect(await ids(engine, { parentId: notes })).toEqual([child]);
      expect(await ids(engine, { handler: 'resize', text: 'photos/' })).toEqual([cat]);
      expect(await ids(engine, { handler: 'resize', status: 'cancelled' })).toEqual([]);
      await engine.cancel(cat, 'alice');
      expect(await ids(engine, { handler: 'resize', status: 'cancelled' })).toEqual([cat]);
      expect(await ids(engine, { text: 'zebra!' })).toEqual([]);
      // Another owner's matching task is never listed, and theirs lists only theirs.
      expect(await ids(engine, { text: 'cat.png' }, 'bob')).toHaveLength(1);
      expect(await ids(engine, { text: 'cat.png' }, 'bob')).not.toContain(cat);
      // The operator's view takes the same filters across owners.
      const everyone = (await engine.listAcrossOwners({ handler: 'resize', text: 'cat.png' })).tasks;
      expect(everyone.map((t) => [t.owner, t.id === cat])).toEqual([
        ['bob', false],
        ['alice', true],
      ]);
    });

    it('pages a filtered list newest first with cursors that stay stable while matching tasks are created', async () => {
      const engine = await f.engine(handlers, { concurrency: 0 });
      const matching: string[] = [];
      for (let i = 0; i < 9; i++) {
        matching.push((await engine.create({ handler: 'resize', input: { tag: `Batch #${i}` }, owner: 'alice' })).task.id);
        await engine.create({ handler: 'upload', input: { tag: `batch #${i}` }, owner: 'alice' });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.list({ owner: 'alice', handler: 'resize', text: 'batch #', limit: 2, ...(cursor && { cursor }) });
        seen.push(...page.tasks.map((t) => t.id));
        cursor = page.nextCursor;
        await engine.create({ handler: 'resize', input: { tag: 'batch #late' }, owner: 'alice' });
      } while (cursor);
      expect(seen).toEqual([...matching].reverse());
    });

    it('refuses malformed filters with an error naming the filter', async () => {
      const engine = await f.engine(handlers, { concurrency: 0 });
      await expect(engine.list({ owner: 'alice', text: '' })).rejects.toThrow(InvalidArgumentError);
      await expect(engine.list({ owner: 'alice', text: 'x'.repeat(257) })).rejects.toThrow(/text/);
      await expect(engine.list({ owner: 'alice', handler: [] })).rejects.toThrow(/handler/);
      await expect(engine.list({ owner: 'alice', handler: [''] })).rejects.toThrow(/handler/);
    });
  });
}
