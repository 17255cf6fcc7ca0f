/**
 * Getting started: one handler, one task, on the in-memory store. Run by
 * packages/tasks/test/docs-examples.test.ts; quoted in docs/getting-started.md.
 *
 * @module
 */
//#region engine
import { MemoryTaskStore, TaskEngine, type TaskRecord } from '@carrel/tasks';

export async function main(): Promise<TaskRecord> {
  const engine = new TaskEngine({
    store: new MemoryTaskStore(),
    handlers: {
      // Only registered names can be created: the handler map is an allowlist.
      'count-words': async (input: { text: string }, ctx) => {
        const words = input.text.split(/\s+/).filter(Boolean);
        await ctx.progress(words.length, words.length, 'Counted');
        return { words: words.length };
      },
    },
  });
  await engine.start(); // migrates the store, then claims and runs tasks on this process

  const { task } = await engine.create({ handler: 'count-words', input: { text: 'to be or not to be' }, owner: 'alice' });
  const done = await engine.waitForTerminal(task.id, 'alice'); // woken by the change, not by polling

  await engine.stop();
  await engine.store.close();
  return done; // done.status === 'completed', done.outcome === { result: { words: 6 } }
}
//#endregion
