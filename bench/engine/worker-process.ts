/**
 * A Carrel worker node in its own process, for the cross-process cancel scenario. Prints
 * `ready`, `started <id>` and `aborted <id> <epoch-ms>` (high-resolution wall clock).
 */
import { TaskEngine } from '@carrel/tasks';
import { openBenchStore, type BenchLocator } from './stores.js';
import { clock } from './stats.js';

const locator = JSON.parse(process.argv[2]!) as BenchLocator;
const store = await openBenchStore(locator);
const say = (...words: unknown[]) => process.stdout.write(`${words.join(' ')}\n`);
const engine = new TaskEngine({
  store,
  concurrency: 4,
  onError: () => {},
  handlers: {
    hang: (_: null, ctx) =>
      new Promise<void>((resolve) => {
        say('started', ctx.taskId);
        ctx.signal.addEventListener('abort', () => (say('aborted', ctx.taskId, clock()), resolve()), { once: true });
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
