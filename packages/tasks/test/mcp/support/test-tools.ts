/**
 * Tools for the tests: a probe whose handler the test can watch (it signals when it starts, then
 * waits until released or aborted, and reports the abort reason), and a tool that asks for input.
 */
import { defineTool, elicit, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';

export interface Probe {
  tool: ToolDefinition<{ tag?: string }>;
  /** Resolves with the task id (null for a direct call) when a handler starts. */
  started: Promise<string | null>;
  /** Resolves with the signal's reason when a running handler is aborted. */
  aborted: Promise<unknown>;
  /** Lets a waiting handler finish with `text`. */
  release(text: string): void;
}

export function probeTool(name = 'probe', taskMode: 'optional' | 'required' = 'optional'): Probe {
  let onStart!: (id: string | null) => void;
  let onAbort!: (reason: unknown) => void;
  let onRelease!: (text: string) => void;
  const started = new Promise<string | null>((resolve) => (onStart = resolve));
  const aborted = new Promise<unknown>((resolve) => (onAbort = resolve));
  const released = new Promise<string>((resolve) => (onRelease = resolve));
  const tool = defineTool({
    name,
    description: 'Waits until the test releases it.',
    inputSchema: z.object({ tag: z.string().optional() }),
    taskMode,
    async run(_args, ctx) {
      onStart(ctx.taskId);
      const text = await new Promise<string>((resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          onAbort(ctx.signal.reason);
          reject(ctx.signal.reason);
        });
        void released.then(resolve);
      });
      return { content: [{ type: 'text', text }] };
    },
  });
  return { tool, started, aborted, release: onRelease };
}

/** An `optional` tool that asks one question, so synchronous calls need input too. */
/** Asks for a secret twice under one key: a sensitive answer is forgotten once taken, so the key is asked anew. */
export const askSecretTwice = defineTool({
  name: 'ask_secret_twice',
  inputSchema: z.object({}),
  taskMode: 'optional',
  async run(_args, ctx) {
    const ask = async () =>
      (
        await ctx.requestInput<{ content?: { secret?: string } }>(
          'secret',
          elicit('Secret?', { type: 'object', properties: { secret: { type: 'string' } } }),
          { sensitive: true },
        )
      ).content?.secret?.length;
    const first = await ask();
    const second = await ask();
    return { content: [{ type: 'text', text: `Secrets of ${first} and ${second} characters` }] };
  },
});

export const askColour = defineTool({
  name: 'ask_colour',
  inputSchema: z.object({}),
  taskMode: 'optional',
  async run(_args, ctx) {
    const answer = await ctx.requestInput<{ content?: { colour?: string } }>(
      'colour',
      elicit('Favourite colour?', { type: 'object', properties: { colour: { type: 'string' } } }),
    );
    return { content: [{ type: 'text', text: `You like ${answer.content?.colour}` }] };
  },
});
