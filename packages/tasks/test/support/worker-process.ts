/**
 * A worker node in its own process, for crash and cross-process tests. Argument: JSON
 * `{ locator, leaseMs }`. Speaks one line per event on stdout: `ready`, `started <id> <attempt>`,
 * `aborted <id> <reason>`, `answered <id> <json>`, `step <name> <id>` (a step of the `flow`
 * workflow started; its `second` step never ends by itself).
 */
import { defineWorkflow, TaskEngine, type TaskAbortedError, type TaskContext } from '@carrel/tasks';
import type { StoreLocator } from './harness.js';
import { openStore } from './open-store.js';

const { locator, leaseMs } = JSON.parse(process.argv[2] ?? '{}') as { locator: StoreLocator; leaseMs: number };
const say = (...words: unknown[]) => process.stdout.write(`${words.join(' ')}\n`);

const store = await openStore(locator);
const engine = new TaskEngine({
  store,
  leaseMs,
  pollMs: 50,
  maintenanceMs: 50,
  handlers: {
    hang: async (_input: unknown, ctx: TaskContext) => {
      say('started', ctx.taskId, ctx.attempt);
      const reason = await new Promise<TaskAbortedError>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason as TaskAbortedError), { once: true }),
      );
      say('aborted', ctx.taskId, reason.reason);
    },
    ask: async (_input: unknown, ctx: TaskContext) => {
      say('started', ctx.taskId, ctx.attempt);
      const answer = await ctx.requestInput('confirm', { message: 'Proceed?' });
      say('answered', ctx.taskId, JSON.stringify(answer));
      return { answer };
    },
  },
  workflows: {
    flow: defineWorkflow({
      // Room for lease losses on a loaded machine besides the one kill the crash test makes.
      maxAttempts: 10,
      steps: {
        first: {
          run: (_args, ctx) => {
            say('step', 'first', ctx.taskId);
            return 'first done';
          },
        },
        second: {
          after: ['first'],
          maxAttempts: 10,
          run: (_args, ctx) => {
            say('step', 'second', ctx.taskId);
            return new Promise(() => {});
          },
        },
      },
    }),
  },
});
await engine.start();
say('ready');
process.on(
  'SIGTERM',
  () =>
    void engine
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0)),
);
