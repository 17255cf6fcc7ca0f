/** Retries: backoff between attempts, `working` while retrying, `failed` only after the last attempt. */
import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '@carrel/tasks';
import { eventually, type ContractFixture } from './fixture.js';

export function retryContract(f: ContractFixture): void {
  describe('retries', () => {
    it('retries a failing handler with backoff and completes on a later attempt', async () => {
      const startedAt: number[] = [];
      const engine = await f.engine(
        {
          flaky: async (_: null, ctx) => {
            startedAt.push(Date.now());
            if (ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`);
            return `ok on ${ctx.attempt}`;
          },
        },
        { backoff: () => 150 },
      );
      const { task } = await engine.create({ handler: 'flaky', input: null, owner: 'alice', maxAttempts: 3 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('completed');
      expect(done.outcome).toEqual({ result: 'ok on 3' });
      expect(done.attempt).toBe(3);
      expect(done.lastError).toMatchObject({ message: 'transient 2' });
      expect(startedAt).toHaveLength(3);
      expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(140);
      expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(140);
    });

    it('stays working with a status message between attempts and fails only after the last one', async () => {
      const engine = await f.engine(
        { broken: async (_: null, ctx) => Promise.reject(new Error(`broken on ${ctx.attempt}`)) },
        { backoff: () => 200 },
      );
      const statuses: string[] = [];
      const { task } = await engine.create({ handler: 'broken', input: null, owner: 'alice', maxAttempts: 2 });
      engine.watch({ owner: 'alice', taskId: task.id }, (e: TaskEvent) => e.task && statuses.push(e.task.status));
      const between = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return t.lastError !== null && t.attempt === 1 ? t : undefined;
      });
      expect(between.status).toBe('working');
      expect(between.statusMessage).toMatch(/Attempt 1 of 2 failed: broken on 1; retrying/);
      expect(between.outcome).toBeNull();
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(done.attempt).toBe(2);
      expect(done.outcome).toEqual({ error: { code: -32603, message: 'broken on 2' } });
      await new Promise((r) => setTimeout(r, 50));
      expect(statuses.indexOf('failed')).toBe(statuses.length - 1);
    });

    it('runs a retry when its backoff ends, not at the next claim poll', async () => {
      const startedAt: number[] = [];
      const engine = await f.engine(
        {
          once: async (_: null, ctx) => {
            startedAt.push(Date.now());
            if (ctx.attempt === 1) throw new Error('first try fails');
            return 'second try';
          },
        },
        { backoff: () => 100, pollMs: 10_000 },
      );
      const { task } = await engine.create({ handler: 'once', input: null, owner: 'alice', maxAttempts: 2 });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: 'second try' });
      expect(startedAt[1]! - startedAt[0]!).toBeLessThan(2_000);
    });

    it('keeps the numeric code of a thrown error that carries one', async () => {
      const engine = await f.engine({
        coded: async () => Promise.reject(Object.assign(new Error('not allowed'), { code: -32042, data: { scope: 'x' } })),
      });
      const { task } = await engine.create({ handler: 'coded', input: null, owner: 'alice', maxAttempts: 1 });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({
        error: { code: -32042, message: 'not allowed', data: { scope: 'x' } },
      });
    });

    it('uses the handler definition’s maxAttempts and backoff when create does not say', async () => {
      let attempts = 0;
      const engine = await f.engine({
        defined: { run: async () => Promise.reject(new Error(`n${++attempts}`)), maxAttempts: 4, backoff: () => 10 },
      });
      const { task } = await engine.create({ handler: 'defined', input: null, owner: 'alice' });
      expect(task.maxAttempts).toBe(4);
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.attempt).toBe(4);
      expect(attempts).toBe(4);
    });
  });
}
