/** Input requests: durable, keyed, partial answers, resumption by re-running the handler. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '@carrel/tasks';
import { eventually, type ContractFixture } from './fixture.js';

export function inputContract(f: ContractFixture): void {
  describe('input requests', () => {
    it('shows input_required with the stored request, and the answer resumes the same handler', async () => {
      const engine = await f.engine({
        confirm: async (input: { file: string }, ctx: TaskContext) => {
          const answer = await ctx.requestInput<{ action: string }>('confirm', { message: `Delete ${input.file}?` });
          return answer.action === 'accept' ? `deleted ${input.file}` : 'kept';
        },
      });
      const { task } = await engine.create({ handler: 'confirm', input: { file: 'a.txt' }, owner: 'alice' });
      const waiting = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return t.status === 'input_required' ? t : undefined;
      });
      expect(waiting.inputRequests.confirm?.request).toEqual({ message: 'Delete a.txt?' });
      const reply = await engine.respond(task.id, 'alice', { confirm: { action: 'accept' }, stray: 1 });
      expect(reply.accepted).toEqual(['confirm']);
      expect(reply.ignored).toEqual(['stray']);
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: 'deleted a.txt' });
      expect(done.attempt).toBe(1);
      expect(done.inputResponses).toEqual({ confirm: { action: 'accept' } });
    });

    it('a task waiting for input does not hold a concurrency slot', async () => {
      const engine = await f.engine(
        { ask: async (_: null, ctx: TaskContext) => ctx.requestInput('k', {}), quick: async () => 'ran' },
        { concurrency: 1 },
      );
      const waiting = await engine.create({ handler: 'ask', input: null, owner: 'alice' });
      await eventually(async () => (await engine.get(waiting.task.id, 'alice')).status === 'input_required');
      const { task } = await engine.create({ handler: 'quick', input: null, owner: 'alice' });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: 'ran' });
      await engine.respond(waiting.task.id, 'alice', { k: 'answer' });
      expect((await engine.waitForTerminal(waiting.task.id, 'alice')).outcome).toEqual({ result: 'answer' });
    });

    it('keeps several requests outstanding; a partial answer is visible at once and the task waits for the rest', async () => {
      const engine = await f.engine({
        two: async (_: null, ctx: TaskContext) => {
          const [a, b] = await Promise.all([ctx.requestInput('first', { q: 1 }), ctx.requestInput('second', { q: 2 })]);
          return [a, b];
        },
      });
      const { task } = await engine.create({ handler: 'two', input: null, owner: 'alice' });
      await eventually(async () => Object.keys((await engine.get(task.id, 'alice')).inputRequests).length === 2);
      await engine.respond(task.id, 'alice', { second: 'B' });
      const partial = await engine.get(task.id, 'alice');
      expect(partial.status).toBe('input_required');
      expect(partial.inputResponses).toEqual({ second: 'B' });
      const again = await engine.respond(task.id, 'alice', { second: 'changed my mind' });
      expect(again.accepted).toEqual([]);
      await engine.respond(task.id, 'alice', { first: 'A' });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: ['A', 'B'] });
    });

    it('treats keys named like Object.prototype members as ordinary keys', async () => {
      const engine = await f.engine({
        odd: async (_: null, ctx: TaskContext) => [
          await ctx.requestInput('toString', { q: 1 }),
          await ctx.requestInput('__proto__', { q: 2 }),
        ],
      });
      const { task } = await engine.create({ handler: 'odd', input: null, owner: 'alice' });
      await eventually(async () => Object.hasOwn((await engine.get(task.id, 'alice')).inputRequests, 'toString'));
      expect((await engine.respond(task.id, 'alice', { toString: 'first' })).accepted).toEqual(['toString']);
      await eventually(async () => Object.hasOwn((await engine.get(task.id, 'alice')).inputRequests, '__proto__'));
      expect((await engine.respond(task.id, 'alice', JSON.parse('{"__proto__":"second"}'))).accepted).toEqual(['__proto__']);
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: ['first', 'second'] });
    });

    it('after an engine restart the re-run handler finds the stored answer and the attempt is not spent', async () => {
      let runs = 0;
      const handlers = {
        ask: async (_: null, ctx: TaskContext) => {
          runs++;
          return { got: await ctx.requestInput('name', { message: 'Name?' }), attempt: ctx.attempt };
        },
      };
      const store = await f.db().open();
      const first = await f.engineOn(store, handlers);
      const { task } = await first.create({ handler: 'ask', input: null, owner: 'alice', maxAttempts: 1 });
      await eventually(async () => (await first.get(task.id, 'alice')).status === 'input_required');
      await first.stop();
      const second = await f.engine(handlers);
      await second.respond(task.id, 'alice', { name: 'Alice' });
      const done = await second.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: { got: 'Alice', attempt: 1 } });
      expect(runs).toBe(2);
    });

    it('removes a sensitive answer from the task once the handler has it, from the stored bytes too', async () => {
      const secret = 'ghp_sensitiveAnswer0123456789';
      const store = await f.db().open();
      const engine = await f.engineOn(store, {
        login: async (_: null, ctx: TaskContext) => {
          const token = await ctx.requestInput<string>('token', { message: 'Token?' }, { sensitive: true });
          const name = await ctx.requestInput<string>('name', { message: 'Name?' });
          return { tokenLength: token.length, name };
        },
      });
      const { task } = await engine.create({ handler: 'login', input: null, owner: 'alice' });
      await eventually(async () => Object.hasOwn((await engine.get(task.id, 'alice')).inputRequests, 'token'));
      expect((await engine.respond(task.id, 'alice', { token: secret })).accepted).toEqual(['token']);
      // Asked for the name: the token was taken and removed, request and answer both.
      const waiting = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return Object.hasOwn(t.inputRequests, 'name') ? t : undefined;
      });
      expect(Object.keys(waiting.inputRequests)).toEqual(['name']);
      expect(waiting.inputResponses).toEqual({});
      await engine.respond(task.id, 'alice', { name: 'Alice' });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: { tokenLength: secret.length, name: 'Alice' } });
      expect(done.inputResponses).toEqual({ name: 'Alice' });
      expect(JSON.stringify(done)).not.toContain(secret);
      const locator = f.db().locator;
      if (locator?.backend === 'sqlite') {
        await engine.stop();
        await store.close();
        for (const file of [locator.path, `${locator.path}-wal`])
          if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(secret)), file).toBe(false);
      }
    });

    it('answering while the lease has already expired resumes without spending an attempt', async () => {
      const client = await f.engine({ ask: async () => 'unused' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'ask', input: null, owner: 'alice', maxAttempts: 1 });
      const now = Date.now();
      await client.store.claim({ worker: 'gone', handlers: ['ask'], limit: 1, leaseMs: 50, now });
      expect(await client.store.requestInput({ id: task.id, worker: 'gone', key: 'k', request: { q: 1 }, now })).toEqual({
        answered: false,
      });
      await new Promise((r) => setTimeout(r, 80));
      await client.respond(task.id, 'alice', { k: 'v' });
      await f.engine({ ask: async (_: null, ctx: TaskContext) => ({ k: await ctx.requestInput('k', { q: 1 }), attempt: ctx.attempt }) });
      expect((await client.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: { k: 'v', attempt: 1 } });
    });
  });
}
