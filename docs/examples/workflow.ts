/**
 * Workflows: a sync shaped as discover → fetch in bounded parallel batches → apply deletions, on
 * a SQLite store; then the same workflow stopped mid-fetch and resumed by a second engine, which
 * runs only the steps that had not finished; and an MCP tool whose task runs the workflow. Run by packages/tasks/test/docs-examples.test.ts;
 * quoted in docs/workflows.md.
 *
 * @module
 */
import { join } from 'node:path';
import { defineWorkflow, MemoryTaskStore, TaskEngine, type TaskRecord, type TaskStore, type WorkflowFanOutStep } from '@carrel/tasks';
import { createTaskServer, defineTool, toolHandlerName, type McpTaskServer } from '@carrel/tasks/mcp';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { z } from 'zod';

/** Every step run, in order: the example's way of showing what ran where. */
export const ran: string[] = [];

//#region define
interface SyncInput {
  /** The pages at the source, by name. */
  source: Record<string, string>;
  /** The pages the library has from an earlier sync. */
  known: string[];
}

const sync = defineWorkflow<SyncInput>({
  steps: {
    // What changed: the pages to fetch, and the known pages the source no longer has.
    discover: {
      run: ({ input }) => {
        ran.push('discover');
        return { changed: Object.keys(input.source), deleted: input.known.filter((name) => !(name in input.source)) };
      },
    },
    // Each batch of 2 pages is one child task; at most 2 of them run at a time.
    fetch: {
      after: ['discover'],
      forEach: ({ results }) => results.discover.changed as string[],
      batchSize: 2,
      parallelism: 2,
      runBatch: async ({ input, items, batch }, ctx) => {
        ran.push(`fetch[${batch}]`);
        for (const [i, name] of items.entries()) {
          ctx.signal.throwIfAborted(); // the workflow was cancelled, or this node is stopping
          await ctx.progress(i + 1, items.length, `Indexed ${name}`);
        }
        return items.map((name) => ({ name, words: input.source[name]!.split(' ').length }));
      },
    },
    // Deletions last, once every fetched page has landed.
    apply: {
      after: ['discover', 'fetch'],
      run: ({ results }) => {
        ran.push('apply');
        return { indexed: (results.fetch as unknown[][]).flat().length, deleted: results.discover.deleted as string[] };
      },
    },
  },
});
//#endregion

const source = { intro: 'Welcome to the handbook', leave: 'Ask your lead first', pay: 'Paid monthly', tools: 'Laptops on request' };

export async function main(dataDir: string): Promise<TaskRecord> {
  //#region run
  const engine = new TaskEngine({ store: new SqliteTaskStore({ path: join(dataDir, 'tasks.db') }), handlers: {}, workflows: { sync } });
  await engine.start();

  const { task } = await engine.create({ handler: 'sync', input: { source, known: ['intro', 'old-policy'] }, owner: 'alice' });
  const done = await engine.waitForTerminal(task.id, 'alice');
  // done.outcome: { result: { discover: {…}, fetch: [[…], […]], apply: { indexed: 4, deleted: ['old-policy'] } } }
  // done.progress: { current: 4, total: 4 }: discover, two fetch batches, apply.
  //#endregion

  await engine.stop();
  await engine.store.close();
  return done;
}

/** Stops the first engine while a fetch batch runs; a second engine on the same file finishes the workflow. */
export async function resume(dataDir: string): Promise<TaskRecord> {
  const path = join(dataDir, 'tasks.db');
  // The same workflow, but its fetch batches wait until their node stops.
  const stuck = defineWorkflow<SyncInput>({
    steps: {
      ...sync.steps,
      fetch: {
        ...(sync.steps.fetch as WorkflowFanOutStep<SyncInput>),
        runBatch: async ({ items, batch }, ctx) => {
          ran.push(`fetch[${batch}] (stopped)`);
          await ctx.progress(0, items.length, 'Fetching');
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
        },
      },
    },
  });
  //#region resume
  const first = new TaskEngine({ store: new SqliteTaskStore({ path }), handlers: {}, workflows: { sync: stuck } });
  await first.start();
  const { task } = await first.create({ handler: 'sync', input: { source, known: [] }, owner: 'alice' });
  // Wait until discover has completed and a fetch batch is running, then stop this node: its
  // running tasks are handed back (a crash does the same once their leases run out).
  await new Promise<void>((resolve) => {
    const stopWatching = first.watch({ owner: 'alice', taskId: task.id }, (event) => {
      if (!event.task?.statusMessage?.startsWith('fetch')) return;
      stopWatching();
      resolve();
    });
  });
  await first.stop();

  // Another node (or the same process after a restart) picks the workflow up where it stopped:
  // discover is not run again; its stored result feeds the fetch batches.
  const second = new TaskEngine({ store: new SqliteTaskStore({ path }), handlers: {}, workflows: { sync } });
  await second.start();
  const done = await second.waitForTerminal(task.id, 'alice');
  //#endregion

  await first.store.close();
  await second.stop();
  await second.store.close();
  return done;
}

/** An MCP server with a tool that runs the sync; returns the tool task's outcome. */
export async function viaTool(): Promise<TaskRecord> {
  const store: TaskStore = new MemoryTaskStore();
  //#region tool
  const syncTool = defineTool({
    name: 'sync_pages',
    inputSchema: z.object({ source: z.record(z.string(), z.string()), known: z.array(z.string()) }),
    taskMode: 'optional',
    async run(args, ctx) {
      if (!ctx.spawn) throw new Error('sync_pages runs as a task'); // spawn is null only for taskMode 'never'
      const flow = await ctx.spawn('sync', args, { key: 'sync' });
      const { apply } = (await flow.result()) as { apply: { indexed: number } };
      return { content: [{ type: 'text', text: `Indexed ${apply.indexed} pages` }] };
    },
  });
  const server = await createTaskServer({ name: 'pages', version: '1.0.0', store, tools: [syncTool], workflows: { sync } });
  //#endregion
  return runTool(server);
}

/** What an MCP client's call does: the tool's task, created and awaited. */
async function runTool(server: McpTaskServer): Promise<TaskRecord> {
  const { task } = await server.engine.create({
    handler: toolHandlerName('sync_pages'),
    input: { arguments: { source, known: [] }, answers: {} },
    owner: 'alice',
  });
  const done = await server.engine.waitForTerminal(task.id, 'alice');
  await server.close();
  await server.engine.store.close();
  return done;
}
