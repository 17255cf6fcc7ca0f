/**
 * The era-neutral half of `tools/call`: resolve the tool, validate arguments, run a
 * `never` tool in the request, and create tool tasks. Each era's `tool-call.ts` decides how a call
 * runs (in the request, as a task the request waits for — `sync-call.ts` — or as a task the client
 * polls) and shapes the reply. The path of a call is `server.ts` → the era's `tool-call.ts` → this file
 * (or `sync-call.ts`) → the engine.
 *
 * @module
 */
import type { CallToolResult, InputRequest, ServerContext } from '@modelcontextprotocol/server';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import { nulPath } from '../engine/payload.js';
import type { TaskRecord } from '../task.js';
import { TaskModeError } from './errors.js';
import type { Caller, ToolTaskMeta } from './model.js';
import type { RateLimiter } from './rate-limit.js';
import { toolHandlerName, toolUniqueKey, type AnyToolDefinition, type ToolContext, type ToolTaskInput } from './tool.js';

/** The argument name a non-task client uses to start a slow tool in the background. */
export const ASYNC_ARGUMENT = 'async';

/** Validated arguments (with the `async` flag taken out), or the tool error to answer with. */
export type ParsedArguments = { ok: true; args: unknown; async: boolean } | { ok: false; result: CallToolResult };

/** The declared tools of one server, and the steps every era's `tools/call` shares. */
export class ToolCalls {
  constructor(
    readonly engine: TaskEngine,
    readonly tools: ReadonlyMap<string, AnyToolDefinition>,
    private readonly limiter: RateLimiter,
    private readonly asyncArgument: boolean,
  ) {}

  /** The tool named in the request (its scopes were checked before the request reached a handler: `CheckedServer`). */
  resolve(name: unknown): AnyToolDefinition {
    const tool = typeof name === 'string' ? this.tools.get(name) : undefined;
    if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${String(name)} not found`);
    return tool;
  }

  /** Whether a tool accepts `async: true` (task-capable tools that can also run synchronously). */
  takesAsync(tool: AnyToolDefinition): boolean {
    return this.asyncArgument && tool.taskMode === 'optional';
  }

  /** Validates arguments; a failure is a tool error the model can read (spec 2025-11-25, SEP-1303). */
  async parse(tool: AnyToolDefinition, raw: unknown): Promise<ParsedArguments> {
    const args = { ...((raw ?? {}) as Record<string, unknown>) };
    let async = false;
    if (this.takesAsync(tool) && ASYNC_ARGUMENT in args) {
      async = args[ASYNC_ARGUMENT] === true;
      delete args[ASYNC_ARGUMENT];
    }
    const checked = await tool.inputSchema['~standard'].validate(args);
    const invalid = (detail: string): ParsedArguments => ({
      ok: false,
      result: { content: [{ type: 'text', text: `Invalid arguments for tool ${tool.name}: ${detail}` }], isError: true },
    });
    if (checked.issues) {
      return invalid(
        checked.issues
          .map((issue) => `${(issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)).join('.') || '(root)'}: ${issue.message}`)
          .join('; '),
      );
    }
    // No store can keep a NUL (PostgreSQL's jsonb refuses it): as bad an argument as a schema failure.
    const nul = nulPath(checked.value);
    if (nul !== null) return invalid(`${nul}: contains a NUL character (U+0000)`);
    return { ok: true, args: checked.value, async };
  }

  /**
   * Runs a `never` tool inside the request. `inputInRequest`: whether the era lets a request ask the
   * client for input mid-call (2025-11-25 does; 2026-07-28 asks with `input_required`, which needs a task).
   */
  async runDirect(
    tool: AnyToolDefinition,
    args: unknown,
    ctx: ServerContext,
    caller: Caller,
    inputInRequest: boolean,
  ): Promise<CallToolResult> {
    const token = ctx.mcpReq._meta?.progressToken;
    const toolCtx: ToolContext = {
      signal: ctx.mcpReq.signal,
      taskId: null,
      owner: caller.owner,
      completion: null,
      spawn: null,
      progress: async (current, total, message) => {
        if (token === undefined) return;
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: {
            progressToken: token,
            progress: current,
            ...(total !== undefined && { total }),
            ...(message !== undefined && { message }),
          },
        });
      },
      requestInput: async <T>(_key: string, request: InputRequest) => {
        if (!inputInRequest)
          throw new TaskModeError(
            `Tool ${tool.name} asks for input, which on 2026-07-28 needs a task: declare it taskMode 'optional' or 'required'`,
          );
        return (await ctx.mcpReq.send(request as never)) as T;
      },
    };
    try {
      return await tool.run(args, toolCtx);
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof TaskModeError) throw error;
      // A tool that throws reports a tool error, which the model can read and act on.
      return { content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }], isError: true };
    }
  }

  /**
   * Persists a task for the call (retention clamped to the caller's cap), or finds the live one
   * with the tool's `uniqueKey` for these arguments; the engine runs it. A
   * task the client asked for counts against the owner's creation rate; the task of a synchronous
   * call (`meta.sync`) does not: the client sees no task, only a call that waits for its result,
   * which no more needs a creation limit than a `never` tool run in the request.
   */
  async createTask(
    tool: AnyToolDefinition,
    args: unknown,
    answers: Record<string, unknown>,
    caller: Caller,
    meta: ToolTaskMeta,
    requestedTtlMs?: number,
  ): Promise<TaskRecord> {
    if (!meta.sync) await this.limiter.take(caller.owner, caller.rateLimit);
    const input: ToolTaskInput = { arguments: args, answers };
    const uniqueKey = toolUniqueKey(tool, args);
    const { task } = await this.engine.create({
      handler: toolHandlerName(tool.name),
      input,
      owner: caller.owner,
      meta: { ...meta },
      ttlMs: Math.min(requestedTtlMs ?? caller.defaultTtlMs, caller.maxTtlMs),
      ...(tool.maxAttempts !== undefined && { maxAttempts: tool.maxAttempts }),
      ...(uniqueKey !== undefined && { uniqueKey }),
    });
    return task;
  }
}
