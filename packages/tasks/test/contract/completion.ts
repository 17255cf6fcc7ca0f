/**
 * `ctx.completion(result)`, on every backend: what a handler hands to `completeInTransaction`.
 * Committing it needs a SQL backend (see test/backends/*-complete-in-transaction.test.ts); what a
 * completion holds, and what happens to one that is never committed, is the same everywhere.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PayloadTooLargeError, type TaskCompletion, type TaskContext } from '@carrel/tasks';
import type { ContractFixture } from './fixture.js';

export function completionContract(f: ContractFixture): void {
  describe('completions', () => {
    it('checks the result as a returned one and holds the task, the lease holder and the result as JSON', async () => {
      const refused: unknown[] = [];
      let taken: TaskCompletion | undefined;
      const engine = await f.engine(
        {
          take: (_: null, ctx: TaskContext) => {
            for (const bad of ['x\u0000y', 'z'.repeat(2_000), { self: 1n }]) {
              try {
                ctx.completion(bad);
              } catch (error) {
                refused.push(error);
              }
            }
            taken = ctx.completion({ when: new Date(0), dropped: undefined, list: [1, 'two'] });
            throw new Error('never committed');
          },
        },
        { maxPayloadBytes: 1_000 },
      );
      const { task } = await engine.create({ handler: 'take', input: null, owner: 'alice', maxAttempts: 1 });
      await engine.waitForTerminal(task.id, 'alice');
      expect(refused.map((error) => (error as Error).constructor)).toEqual([
        InvalidArgumentError,
        PayloadTooLargeError,
        InvalidArgumentError,
      ]);
      // Plain data, as it would arrive in a worker thread.
      expect(structuredClone(taken)).toStrictEqual(taken);
      expect(taken).toEqual({
        taskId: task.id,
        worker: engine.worker,
        outcome: { result: { when: '1970-01-01T00:00:00.000Z', list: [1, 'two'] } },
      });
    });

    it('records what the handler returned when the completion it took was never committed', async () => {
      // E.g. its final write was refused before the transaction that would have completed the task.
      const engine = await f.engine({ refused: (_: null, ctx: TaskContext) => (ctx.completion('written'), 'not written') });
      const { task } = await engine.create({ handler: 'refused', input: null, owner: 'alice', maxAttempts: 3 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done).toMatchObject({ status: 'completed', attempt: 1, outcome: { result: 'not written' } });
    });

    it('records a throw as usual when the handler took a completion it did not commit', async () => {
      const engine = await f.engine(
        {
          thrower: (_: null, ctx: TaskContext) => {
            ctx.completion('done');
            throw new Error(`failed on attempt ${ctx.attempt}`);
          },
        },
        { backoff: () => 1 },
      );
      const { task } = await engine.create({ handler: 'thrower', input: null, owner: 'alice', maxAttempts: 2 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done).toMatchObject({ status: 'failed', attempt: 2, outcome: { error: { message: 'failed on attempt 2' } } });
    });
  });
}
