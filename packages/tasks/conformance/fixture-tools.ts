/**
 * The conformance fixture tools, declared with `@carrel/tasks/mcp` as any tool author would:
 * the tasks-* scenarios of @modelcontextprotocol/conformance 0.2.0-alpha.12 need `greet`,
 * `slow_compute`, `failing_job`, `protocol_error_job`, `confirm_delete`, `multi_input` and
 * `test_tool_with_task`; 0.1.16's `tools-call-with-progress` needs `test_tool_with_progress`.
 */
import { TaskFailure } from '@carrel/tasks';
import { defineTool, elicit, type AnyToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

export const greet = defineTool({
  name: 'greet',
  description: 'Greets someone by name, at once.',
  inputSchema: z.object({ name: z.string() }),
  taskMode: 'never',
  run: ({ name }) => text(`Hello, ${name}!`),
});

export const slowCompute = defineTool({
  name: 'slow_compute',
  description: 'Works for the given number of seconds, reporting progress each second.',
  inputSchema: z.object({ seconds: z.number().min(0).max(3600), label: z.string().optional() }),
  taskMode: 'optional',
  async run({ seconds, label }, ctx) {
    for (let done = 0; done < seconds; done++) {
      await ctx.progress(done, seconds, `Computed ${done} of ${seconds} s`);
      await sleep(Math.min(1, seconds - done) * 1000, ctx.signal);
    }
    return text(`Computed ${label ?? 'result'} in ${seconds} s`);
  },
});

export const failingJob = defineTool({
  name: 'failing_job',
  description: 'Always ends with a tool error (isError) after about a second.',
  inputSchema: z.object({}),
  taskMode: 'required',
  async run(_args, ctx) {
    await sleep(1000, ctx.signal);
    return { content: [{ type: 'text', text: 'The job failed: the input could not be processed' }], isError: true };
  },
});

export const protocolErrorJob = defineTool({
  name: 'protocol_error_job',
  description: 'Always ends with a JSON-RPC error.',
  inputSchema: z.object({}),
  taskMode: 'required',
  async run(_args, ctx) {
    await sleep(200, ctx.signal);
    throw new TaskFailure('The backing service rejected the job', { code: -32000, retryable: false });
  },
});

export const confirmDelete = defineTool({
  name: 'confirm_delete',
  description: 'Asks for confirmation, then pretends to delete a file.',
  inputSchema: z.object({ filename: z.string() }),
  taskMode: 'required',
  async run({ filename }, ctx) {
    const answer = await ctx.requestInput<{ action: string; content?: { confirm?: boolean } }>(
      'confirm',
      elicit(`Delete ${filename}?`, {
        type: 'object',
        properties: { confirm: { type: 'boolean', title: 'Delete it' } },
        required: ['confirm'],
      }),
    );
    const confirmed = answer.action === 'accept' && answer.content?.confirm !== false;
    return text(confirmed ? `Deleted ${filename}` : `Kept ${filename}`);
  },
});

export const multiInput = defineTool({
  name: 'multi_input',
  description: 'Asks two questions at once.',
  inputSchema: z.object({}),
  taskMode: 'required',
  async run(_args, ctx) {
    const ask = (key: string, title: string) =>
      ctx.requestInput<{ action: string; content?: Record<string, unknown> }>(
        key,
        elicit(title, { type: 'object', properties: { value: { type: 'string' } } }),
      );
    const [first, second] = await Promise.all([ask('first', 'First value?'), ask('second', 'Second value?')]);
    return text(`Got ${JSON.stringify(first.content ?? first.action)} and ${JSON.stringify(second.content ?? second.action)}`);
  },
});

const askName = elicit('What is your name?', { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] });

export const toolWithTask = defineTool({
  name: 'test_tool_with_task',
  description: 'Asks for a name before it starts, then greets it from a task.',
  inputSchema: z.object({}),
  taskMode: 'required',
  inputsBeforeStart: () => ({ user_name: askName }),
  async run(_args, ctx) {
    const answer = await ctx.requestInput<{ content?: { name?: string } }>('user_name', askName);
    await sleep(100, ctx.signal);
    return text(`Hello, ${answer.content?.name ?? 'stranger'}!`);
  },
});

export const toolWithProgress = defineTool({
  name: 'test_tool_with_progress',
  description: 'Reports three progress steps.',
  inputSchema: z.object({}),
  taskMode: 'never',
  async run(_args, ctx) {
    for (const step of [0, 50, 100]) {
      await ctx.progress(step, 100, `Step ${step}`);
      await sleep(20, ctx.signal);
    }
    return text('Progress complete');
  },
});

/** Every fixture tool. */
export const fixtureTools: AnyToolDefinition[] = [
  greet,
  slowCompute,
  failingJob,
  protocolErrorJob,
  confirmDelete,
  multiInput,
  toolWithTask,
  toolWithProgress,
];
