/**
 * The tool declaration a tool author writes once: name, schemas, handler and task mode. The MCP
 * layer serves it to every kind of client; this module also adapts each task-capable tool into an
 * engine handler, so its work is durable (it survives a restart and is resumed by the engine).
 *
 * ```ts
 * const resize = defineTool({
 *   name: 'resize_images',
 *   inputSchema: z.object({ folder: z.string() }),
 *   taskMode: 'optional',
 *   async run({ folder }, ctx) { …; await ctx.progress(i, n); …; return { content: [{ type: 'text', text: 'done' }] }; },
 * });
 * ```
 *
 * @module
 */
import type {
  CallToolResult,
  ElicitRequestFormParams,
  InputRequest,
  StandardSchemaWithJSON,
  ToolAnnotations,
} from '@modelcontextprotocol/server';
import { TaskFailure } from '../errors.js';
import type { AnyTaskHandler, ChildTask, InputOptions, SpawnOptions, TaskContext } from '../handler.js';
import type { TaskCompletion } from '../store.js';

/**
 * How a tool may run as a task: `never` runs in the request (cheap tools); `optional` runs as a
 * task when the client asks for one (2025) or declares the extension (2026), and otherwise
 * synchronously; `required` refuses to run without a task.
 */
export type TaskMode = 'never' | 'optional' | 'required';

/** What a tool handler can do besides computing its result. */
export interface ToolContext {
  /** Aborted when the call or task is cancelled, the task expires, its lease is lost (another node took it over), or the server shuts down. */
  readonly signal: AbortSignal;
  /** The task running this call; null when the tool ran inside the request (`taskMode: 'never'`). */
  readonly taskId: string | null;
  /** Whom the call belongs to (the authenticated principal, or the local user on stdio). */
  readonly owner: string;
  /** Reports progress: `notifications/progress` (2025), `statusMessage` (2026), the task record. */
  progress(current: number, total?: number, message?: string): Promise<void>;
  /**
   * Asks the client for input (an `elicitation/create` request, see {@link elicit}) and resolves
   * with its answer. Durable inside a task: the request is stored under `key`, and a re-run handler
   * asking again with the same key gets the stored answer. Keys are never reused within a call.
   * A `sensitive` answer is removed from the task as soon as the tool has it (`TaskContext.requestInput`).
   */
  requestInput<T = unknown>(key: string, request: InputRequest, options?: InputOptions): Promise<T>;
  /**
   * For a tool whose final write goes to the database that holds the tasks: the task's completion
   * with `result`, to commit in that write's own transaction (see `TaskContext.completion`), so a
   * cancel and the write decide atomically. Null when the tool runs inside the request.
   */
  readonly completion: ((result: CallToolResult) => TaskCompletion) | null;
  /**
   * Starts a child task of this call's task (`TaskContext.spawn`): a registered handler, or a
   * workflow, whose progress then shows as the call's and which a cancel of the call cancels too.
   * With a `key`, a re-run after a crash gets the child it started before. Null when the tool runs
   * inside the request.
   */
  readonly spawn: ((handler: string, input: unknown, options?: SpawnOptions) => Promise<ChildTask>) | null;
}

/** Everything a tool author declares. */
export interface ToolDefinition<Args = Record<string, unknown>> {
  name: string;
  title?: string;
  description?: string;
  /** The arguments' schema (zod 4 or any Standard Schema with JSON Schema support). */
  inputSchema: StandardSchemaWithJSON<unknown, Args>;
  outputSchema?: StandardSchemaWithJSON;
  annotations?: ToolAnnotations;
  taskMode: TaskMode;
  /** OAuth-style scopes the caller's token must carry over HTTP (ignored on stdio, the local user's own transport). */
  requiredScopes?: readonly string[];
  /**
   * Input to gather before the work starts. On 2026-07-28 these are asked with a multi-round-trip
   * `input_required` result before the task is created; elsewhere the handler's own `requestInput`
   * with the same keys asks them. Either way the handler reads them with `ctx.requestInput(key, …)`.
   */
  inputsBeforeStart?: (args: Args) => Record<string, InputRequest>;
  /**
   * What makes a call the same work as another: while a task of this tool with the same key is
   * live for the same owner, a call gets that task instead of starting a second one (e.g. a second
   * install of the same pack into the same library joins the install already running).
   */
  uniqueKey?: (args: Args) => string;
  /** Attempts for a task whose worker died mid-run (default 3). A thrown error fails the task at once. */
  maxAttempts?: number;
  /**
   * One short line saying what a task of this tool works on (e.g. which library, which source), for
   * `get_task` and `list_tasks`: a tool name alone does not tell two running tasks apart.
   */
  about?: (args: Args) => string;
  run(args: Args, ctx: ToolContext): Promise<CallToolResult> | CallToolResult;
}

/** A declared tool; the type parameter is erased once tools are collected in a list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolDefinition = ToolDefinition<any>;

/** Declares a tool; a typed identity function, so arguments are inferred from the schema. */
export function defineTool<Args>(definition: ToolDefinition<Args>): ToolDefinition<Args> {
  return definition;
}

/** Builds a form-mode elicitation request for `ctx.requestInput`. */
export function elicit(message: string, requestedSchema: ElicitRequestFormParams['requestedSchema']): InputRequest {
  return { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } } as InputRequest;
}

/** The engine unique key of a call of `tool` with `args`, or undefined if the tool declares none. */
export function toolUniqueKey<Args>(tool: ToolDefinition<Args>, args: Args): string | undefined {
  return tool.uniqueKey && `${toolHandlerName(tool.name)}:${tool.uniqueKey(args)}`;
}

/** The engine input of a tool task: the validated arguments and the answers gathered before start. */
export interface ToolTaskInput {
  arguments: unknown;
  answers: Record<string, unknown>;
}

/** The engine handler name of a tool: a fixed prefix, so tools never collide with other handlers. */
export function toolHandlerName(toolName: string): string {
  return `mcp.tool:${toolName}`;
}

/**
 * Engine handlers for every task-capable tool. Pass them to the `TaskEngine` (the MCP server
 * factory does this for you); the same names must be registered wherever the tasks may resume.
 */
export function toolTaskHandlers(tools: readonly AnyToolDefinition[]): Record<string, AnyTaskHandler> {
  const handlers: Record<string, AnyTaskHandler> = {};
  for (const tool of tools) {
    if (tool.taskMode === 'never') continue;
    handlers[toolHandlerName(tool.name)] = {
      maxAttempts: tool.maxAttempts ?? 3,
      run: async (input: ToolTaskInput, ctx: TaskContext) => {
        try {
          return await tool.run(input.arguments, taskToolContext(input, ctx));
        } catch (error) {
          if (ctx.signal.aborted || error instanceof TaskFailure) throw error;
          // A tool that throws has failed, not flaked: fail the task now instead of re-running it.
          const { code, data } = error as { code?: unknown; data?: unknown };
          throw new TaskFailure(error instanceof Error ? error.message : String(error), {
            ...(Number.isInteger(code) && { code: code as number }),
            ...(data !== undefined && { data }),
            retryable: false,
          });
        }
      },
    };
  }
  return handlers;
}

function taskToolContext(input: ToolTaskInput, ctx: TaskContext): ToolContext {
  return {
    signal: ctx.signal,
    taskId: ctx.taskId,
    owner: ctx.owner,
    progress: (current, total, message) => ctx.progress(current, total, message),
    requestInput: <T>(key: string, request: InputRequest, options?: InputOptions) =>
      key in input.answers ? Promise.resolve(input.answers[key] as T) : ctx.requestInput<T>(key, request, options),
    completion: (result) => ctx.completion(result),
    spawn: (handler, input, options) => ctx.spawn(handler, input, options),
  };
}
