/**
 * A tool that runs a workflow: the client sees the call's one task, with the workflow's progress,
 * and gets the tool's result; a cancel of the call reaches the workflow's running step.
 */
import { CallToolResultSchema, CancelTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { defineWorkflow, type TaskContext } from '@carrel/tasks';
import { defineTool } from '@carrel/tasks/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aborted, deferred, eventually } from '../contract/fixture.js';
import { startHttp, v1Http, type HttpFixture } from './support/servers.js';

const gate = deferred();
const stepAborted = deferred<unknown>();

/** Sums a list in batches of two; with `hold`, the first batch reports progress and waits. */
const sum = defineWorkflow<{ numbers: number[]; hold: 'gate' | 'abort' | 'none' }>({
  steps: {
    add: {
      forEach: ({ input }) => input.numbers,
      batchSize: 2,
      runBatch: async ({ input, items, batch }, ctx: TaskContext) => {
        if (batch === 0 && input.hold !== 'none') {
          await ctx.progress(1, 2, 'Adding the first pair');
          if (input.hold === 'gate') await gate.promise;
          else stepAborted.resolve(await aborted(ctx.signal));
        }
        return items.reduce((a, b) => a + b, 0);
      },
    },
    total: { after: ['add'], run: ({ results }) => (results.add as number[]).reduce((a, b) => a + b, 0) },
  },
});

const sumTool = defineTool({
  name: 'sum_numbers',
  inputSchema: z.object({ numbers: z.array(z.number()), hold: z.enum(['gate', 'abort', 'none']) }),
  taskMode: 'optional',
  async run(args, ctx) {
    const flow = await ctx.spawn!('sum', args, { key: 'sum' });
    const { total } = (await flow.result()) as { total: number };
    return { content: [{ type: 'text', text: `The sum is ${total}` }] };
  },
});

let fx: HttpFixture;
let client: Client;
beforeAll(async () => {
  fx = await startHttp({ tools: [sumTool], workflows: { sum }, http: { tokens: { t: { principal: 'dana' } } } });
  client = await v1Http(fx.url, { token: 't' });
});
afterAll(async () => {
  await client?.close();
  await fx?.close();
});

async function startTask(args: Record<string, unknown>): Promise<string> {
  for await (const message of client.experimental.tasks.callToolStream({ name: 'sum_numbers', arguments: args }, CallToolResultSchema, {
    task: {},
  })) {
    if (message.type === 'taskCreated') return message.task.taskId;
    if (message.type === 'error') throw message.error;
  }
  throw new Error('no task was created');
}

const getTask = (taskId: string) => client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);

describe('a tool that runs a workflow', () => {
  it('shows the workflow’s progress on the call’s task and returns the tool’s result', async () => {
    const taskId = await startTask({ numbers: [1, 2, 3, 4, 5], hold: 'gate' });
    const working = await eventually(async () => {
      const task = await getTask(taskId);
      return task.statusMessage === 'add[0]: Adding the first pair' ? task : undefined;
    });
    expect(working.status).toBe('working');
    gate.resolve();
    const result = await client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    expect(result.content).toEqual([{ type: 'text', text: 'The sum is 15' }]);
  });

  it('a cancel of the call cancels the workflow and aborts its running step', async () => {
    const taskId = await startTask({ numbers: [1, 2], hold: 'abort' });
    await eventually(async () => (await getTask(taskId)).statusMessage === 'add[0]: Adding the first pair');
    await client.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema);
    expect(await stepAborted.promise).toMatchObject({ reason: 'cancelled' });
    const tasks = (await fx.server.engine.listAcrossOwners({ limit: 200 })).tasks;
    const flow = tasks.find((t) => t.parentId === taskId && t.handler === 'sum');
    expect(flow?.status).toBe('cancelled');
    // The one batch was cancelled; the step after it never started.
    expect(tasks.filter((t) => t.parentId === flow?.id).map((t) => [t.handler, t.status])).toEqual([['sum/add', 'cancelled']]);
  });
});
