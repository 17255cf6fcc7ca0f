/**
 * Tasks for clients that know nothing of tasks. A slow tool (`taskMode: 'optional'`) also takes
 * `async: true`, which starts it as a task and answers at once with the task id; `get_task`,
 * `cancel_task` and `list_tasks` are ordinary tools over the same records, scoped to the same owner
 * as the protocol methods. `list_tasks` exists only where callers are identified.
 *
 * @module
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import { TaskNotFoundError, TaskTerminalError } from '../errors.js';
import { isTerminal, type TaskRecord } from '../task.js';
import type { Caller } from './model.js';
import { iso, storedResult } from './model.js';
import type { AnyToolDefinition, ToolTaskInput } from './tool.js';

/** A tool the MCP layer itself provides. */
export interface BuiltinTool {
  listing: Tool;
  call(args: Record<string, unknown>, caller: Caller): Promise<CallToolResult>;
}

/**
 * The reply to `async: true`: the task id, in words a model can act on. Structured content only
 * when the tool declares no output schema, which this reply would not match.
 */
export function asyncStartedResult(task: TaskRecord, tool: AnyToolDefinition): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text: `Started task ${task.id} in the background. Call get_task with {"taskId":"${task.id}"} to see its status and result, or cancel_task to stop it.`,
      },
    ],
    ...(tool.outputSchema === undefined && { structuredContent: { taskId: task.id, status: task.status } }),
  };
}

/** The property `async` adds to a slow tool's input schema. */
export const ASYNC_PROPERTY = {
  type: 'boolean',
  description: 'Run in the background: return a task id at once instead of waiting for the result.',
};

const TASK_ID_SCHEMA: Tool['inputSchema'] = {
  type: 'object',
  properties: { taskId: { type: 'string', description: 'The id returned when the task started.' } },
  required: ['taskId'],
};

/** `get_task`, `cancel_task` and (where callers are identified) `list_tasks`. */
export function builtinTools(
  engine: TaskEngine,
  bound: boolean,
  declared: ReadonlyMap<string, AnyToolDefinition> = new Map(),
): Map<string, BuiltinTool> {
  const tools = new Map<string, BuiltinTool>();
  const describe = (task: TaskRecord) => describeTask(task, about(declared, task));
  tools.set('get_task', {
    listing: {
      name: 'get_task',
      description: 'Show the status of a background task, and its result once finished.',
      inputSchema: TASK_ID_SCHEMA,
    },
    call: (args, caller) => withTask(args, async (id) => describe(await engine.get(id, caller.owner))),
  });
  tools.set('cancel_task', {
    listing: { name: 'cancel_task', description: 'Stop a background task.', inputSchema: TASK_ID_SCHEMA },
    call: (args, caller) =>
      withTask(args, async (id) => {
        try {
          return describe(await engine.cancel(id, caller.owner, 'Cancelled with cancel_task'));
        } catch (error) {
          if (error instanceof TaskTerminalError) return text(`Task ${id} had already finished (${error.status}); nothing to cancel.`);
          throw error;
        }
      }),
  });
  if (bound) {
    tools.set('list_tasks', {
      listing: {
        name: 'list_tasks',
        description: 'List your background tasks, newest first.',
        inputSchema: { type: 'object', properties: { cursor: { type: 'string', description: 'From a previous page.' } } },
      },
      call: async (args, caller) => {
        const page = await engine.list({ owner: caller.owner, limit: 50, ...(typeof args.cursor === 'string' && { cursor: args.cursor }) });
        const lines = page.tasks.map((t) => {
          const on = about(declared, t);
          return `${t.id}  ${t.status}  ${String(t.meta.tool ?? t.handler)}${on ? ` (${on})` : ''}  ${iso(t.createdAt)}${t.statusMessage ? `  ${t.statusMessage}` : ''}`;
        });
        const more = page.nextCursor ? `\nMore: call list_tasks with {"cursor":"${page.nextCursor}"}` : '';
        return {
          content: [{ type: 'text', text: (lines.length ? lines.join('\n') : 'No tasks.') + more }],
          structuredContent: {
            tasks: page.tasks.map((t) => summary(t, about(declared, t))),
            ...(page.nextCursor && { nextCursor: page.nextCursor }),
          },
        };
      },
    });
  }
  return tools;
}

async function withTask(args: Record<string, unknown>, run: (id: string) => Promise<CallToolResult>): Promise<CallToolResult> {
  if (typeof args.taskId !== 'string')
    return { content: [{ type: 'text', text: 'Invalid arguments: taskId must be a string' }], isError: true };
  try {
    return await run(args.taskId);
  } catch (error) {
    if (error instanceof TaskNotFoundError)
      return { content: [{ type: 'text', text: `No task ${args.taskId} (it may have expired).` }], isError: true };
    throw error;
  }
}

/** What the task's tool says the task works on, if it says (`ToolDefinition.about`); never fatal to a listing. */
function about(declared: ReadonlyMap<string, AnyToolDefinition>, task: TaskRecord): string | undefined {
  const tool = declared.get(String(task.meta.tool));
  if (!tool?.about) return undefined;
  try {
    return tool.about((task.input as ToolTaskInput | null)?.arguments);
  } catch {
    return undefined;
  }
}

function describeTask(task: TaskRecord, on: string | undefined): CallToolResult {
  const head = `Task ${task.id} (${String(task.meta.tool ?? task.handler)}${on ? `: ${on}` : ''}) is ${task.status}${task.statusMessage ? `: ${task.statusMessage}` : ''}.`;
  const structuredContent = { task: summary(task, on) };
  if (!isTerminal(task.status)) {
    const progress = task.progress
      ? ` Progress: ${task.progress.current}${task.progress.total !== undefined ? ` of ${task.progress.total}` : ''}.`
      : '';
    const waiting = task.status === 'input_required' ? ' It is waiting for input, which a client that speaks MCP tasks can provide.' : '';
    return { content: [{ type: 'text', text: head + progress + waiting }], structuredContent };
  }
  const result = storedResult(task);
  if (result)
    return {
      content: [{ type: 'text', text: head }, ...(result.content ?? [])],
      ...(result.isError && { isError: true }),
      // The tool's own structured result, so a program following the task reads the same data a
      // synchronous call would have given it, not only the text.
      structuredContent: { ...structuredContent, ...(result.structuredContent !== undefined && { result: result.structuredContent }) },
    };
  const error = task.outcome && 'error' in task.outcome ? ` Error ${task.outcome.error.code}: ${task.outcome.error.message}` : '';
  return { content: [{ type: 'text', text: head + error }], ...(task.status === 'failed' && { isError: true }), structuredContent };
}

function summary(task: TaskRecord, on?: string): Record<string, unknown> {
  return {
    taskId: task.id,
    ...(task.meta.tool !== undefined && { tool: task.meta.tool }),
    // A child task (a workflow, a workflow's step) names what it runs and whose part it is.
    ...(task.meta.tool === undefined && { handler: task.handler }),
    ...(task.parentId !== null && { parentTaskId: task.parentId }),
    ...(on !== undefined && { about: on }),
    status: task.status,
    statusMessage: task.statusMessage,
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.updatedAt),
    progress: task.progress,
  };
}

function text(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }] };
}
