/**
 * Writing a handler: progress, cancellation, durable input, a non-retryable failure and child
 * tasks. Run by packages/tasks/test/docs-examples.test.ts; quoted in docs/writing-a-handler.md.
 *
 * @module
 */
import { MemoryTaskStore, TaskEngine, TaskFailure, type TaskContext, type TaskRecord } from '@carrel/tasks';

//#region publish
/** Publishes a set of pages: each page is a child task; asks once before going live. */
async function publish(input: { pages: string[] }, ctx: TaskContext): Promise<{ published: number }> {
  if (input.pages.length === 0) throw new TaskFailure('Nothing to publish', { code: -32602, retryable: false });

  // Children run anywhere the engine runs; their progress is summed into this task's.
  const children = [];
  for (const page of input.pages) {
    ctx.signal.throwIfAborted(); // cancelled, lease lost, expired or shutting down
    children.push(await ctx.spawn('render-page', { page }, { uniqueKey: `render:${ctx.taskId}:${page}` }));
  }
  await Promise.all(children.map((child) => child.result())); // rejects with ChildTaskError if one failed

  // Durable: stored under 'go-live'; a re-run after a crash gets the stored answer at once.
  const answer = await ctx.requestInput<{ ok: boolean }>('go-live', { message: `Publish ${input.pages.length} pages?` });
  if (!answer.ok) throw new TaskFailure('Declined by the user', { retryable: false });
  return { published: input.pages.length };
}

async function renderPage(input: { page: string }, ctx: TaskContext): Promise<{ page: string }> {
  await ctx.progress(1, 1, `Rendered ${input.page}`);
  return { page: input.page };
}
//#endregion

export async function main(): Promise<TaskRecord> {
  //#region answer
  const engine = new TaskEngine({ store: new MemoryTaskStore(), handlers: { publish, 'render-page': renderPage } });
  await engine.start();

  // Answer the question when the task asks it (from any process sharing the store).
  const stopWatching = engine.watch({ owner: 'alice' }, (event) => {
    if (event.task?.handler === 'publish' && event.task.status === 'input_required') {
      void engine.respond(event.taskId, 'alice', { 'go-live': { ok: true } });
    }
  });
  const { task } = await engine.create({ handler: 'publish', input: { pages: ['index', 'about'] }, owner: 'alice' });
  const done = await engine.waitForTerminal(task.id, 'alice');
  //#endregion

  stopWatching();
  await engine.stop();
  await engine.store.close();
  return done;
}
