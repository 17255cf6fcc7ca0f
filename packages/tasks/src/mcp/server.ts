/**
 * One server factory for both protocol eras. For each connection (stdio, sessionful 2025 HTTP) or
 * request (2026 HTTP) the SDK asks the factory for a low-level `Server`; this module gives it the
 * era's capabilities, `tools/list`, and a `tools/call` that hands over to the era's own module,
 * plus that era's task methods. Tools are declared once (`tool.ts`); task work runs in the engine.
 *
 * SDK workarounds, each intercepting at the low-level request handler:
 * - SDK v2 has no server-side task runtime: it removed the 2025 one (typescript-sdk#2055) and the
 *   2026 extension helper is still a draft (PR #2782, tracked in #2189), so both eras' task methods
 *   are registered here;
 * - the low-level `Server` is used rather than `McpServer`, whose tool wrapper turns every thrown
 *   error into an `isError` result (SDK 2.4 behaviour; no upstream issue), while tasks need real
 *   JSON-RPC errors (-32601, -32021).
 *
 * @module
 */
import {
  Server,
  type CallToolRequestParams,
  type McpServerFactory,
  type Result,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import { ASYNC_PROPERTY, builtinTools, type BuiltinTool } from './async-tools.js';
import { ASYNC_ARGUMENT, ToolCalls } from './call-tool.js';
import { TaskModeError, toProtocolError } from './errors.js';
import { TASKS_EXTENSION, type Caller } from './model.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import { LegacySession } from './rev2025-11-25/session.js';
import { registerTaskMethods as registerLegacyTaskMethods } from './rev2025-11-25/task-methods.js';
import { callTool as callToolLegacy } from './rev2025-11-25/tool-call.js';
import { capabilities as legacyCapabilities } from './rev2025-11-25/wire.js';
import { registerTaskMethods as registerModernTaskMethods } from './rev2026-07-28/task-methods.js';
import { callTool as callToolModern } from './rev2026-07-28/tool-call.js';
import type { AnyToolDefinition } from './tool.js';

export interface McpTaskServerOptions {
  name: string;
  version: string;
  instructions?: string;
  /** An engine whose handlers include `toolTaskHandlers(tools)`. */
  engine: TaskEngine;
  tools: readonly AnyToolDefinition[];
  /** Cap on a task's retention (2025 `ttl`); default 24 hours. */
  maxTtlMs?: number;
  /** Retention of a task whose client asked for none; default 1 hour (or the cap, if shorter). */
  defaultTtlMs?: number;
  /** Task creations per owner; default 120 a minute with bursts of 30. null disables the limit. */
  rateLimit?: RateLimit | null;
  /** Tasks per 2025 `tasks/list` page (default 50). */
  listPageSize?: number;
  /** Offer `async: true` and the get_task / cancel_task / list_tasks tools (default true). */
  asyncTools?: boolean;
  /** Receives unexpected errors (default: console.error). */
  onError?: (error: unknown) => void;
}

/** What the transport knows about whom it serves. */
export interface Serving {
  /** The owner of requests that carry no authenticated principal. */
  defaultOwner: string;
  /** Whether `defaultOwner` identifies the caller (stdio's local user) rather than being shared by all (unauthenticated HTTP). */
  bound: boolean;
  /** Whether the connection outlives a request, so notifications can reach the client later. */
  session: boolean;
  /** A tighter retention cap for this transport (unauthenticated HTTP keeps tasks shorter). */
  maxTtlMs?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export class McpTaskServer {
  readonly engine: TaskEngine;
  readonly #options: McpTaskServerOptions;
  readonly #calls: ToolCalls;
  /** Built on the first `tools/list` of each era: converting schemas costs start-up time a client may not need yet. */
  readonly #listings: Partial<Record<'legacy' | 'modern', Tool[]>> = {};

  constructor(options: McpTaskServerOptions) {
    this.#options = options;
    this.engine = options.engine;
    const tools = new Map<string, AnyToolDefinition>();
    for (const tool of options.tools) {
      if (tools.has(tool.name)) throw new Error(`Two tools are named '${tool.name}': tool names must be unique`);
      tools.set(tool.name, tool);
    }
    const limiter = new RateLimiter(options.rateLimit === undefined ? { perMinute: 120, burst: 30 } : options.rateLimit);
    this.#calls = new ToolCalls(options.engine, tools, limiter, options.asyncTools ?? true);
  }

  /** Stops the engine: running tool tasks get `drainMs` to finish, then resume on the next start. */
  async close({ drainMs = 0 }: { drainMs?: number } = {}): Promise<void> {
    await this.engine.stop({ drainMs });
  }

  /** The SDK factory for one transport: `serveStdio(server.factory(…))`, `createMcpHandler(server.factory(…))`. */
  factory(serving: Serving): McpServerFactory {
    return (ctx) => this.build(ctx.era, serving);
  }

  /** A fresh SDK `Server` for one era. */
  build(era: 'legacy' | 'modern', serving: Serving): Server {
    const { engine } = this;
    const caps = era === 'legacy' ? legacyCapabilities(serving.bound) : { tools: {}, extensions: { [TASKS_EXTENSION]: {} } };
    const server = new Server(
      { name: this.#options.name, version: this.#options.version },
      { capabilities: caps, ...(this.#options.instructions !== undefined && { instructions: this.#options.instructions }) },
    );
    const maxTtlMs = Math.min(this.#options.maxTtlMs ?? DAY_MS, serving.maxTtlMs ?? Infinity);
    const defaultTtlMs = Math.min(this.#options.defaultTtlMs ?? HOUR_MS, maxTtlMs);
    const callerOf = (ctx: ServerContext) => callerFor(ctx, serving, { maxTtlMs, defaultTtlMs });
    const guard = <T>(ctx: ServerContext, run: () => Promise<T>) =>
      run().catch((error: unknown) => Promise.reject(toProtocolError(error, this.#onError, ctx.mcpReq.signal.aborted)));
    const builtins = this.#options.asyncTools === false ? new Map<string, BuiltinTool>() : builtinTools(engine, serving.bound);
    for (const name of this.#calls.tools.keys()) builtins.delete(name); // an author's tool of the same name wins
    const session = era === 'legacy' && serving.session ? new LegacySession(server, engine) : null;

    const builtinListings = [...builtins.values()].map((b) =>
      era === 'legacy' ? { ...b.listing, execution: { taskSupport: 'forbidden' as const } } : b.listing,
    );
    server.setRequestHandler('tools/list', async () => ({
      tools: [...(this.#listings[era] ??= this.#options.tools.map((t) => this.#listing(t, era))), ...builtinListings],
    }));
    server.setRequestHandler(
      'tools/call',
      (request, ctx) =>
        guard(ctx, async (): Promise<Result> => {
          const params = request.params as CallToolRequestParams;
          const caller = callerOf(ctx);
          const builtin = builtins.get(params.name);
          if (builtin) {
            if (era === 'legacy' && (params as { task?: unknown }).task != null)
              throw new TaskModeError(`Tool ${params.name} cannot run as a task (taskSupport: forbidden)`);
            return builtin.call(params.arguments ?? {}, caller);
          }
          return era === 'legacy'
            ? callToolLegacy(this.#calls, params, ctx, caller, { session })
            : callToolModern(this.#calls, params, ctx, caller);
        }) as never,
    );
    if (era === 'legacy')
      registerLegacyTaskMethods(server, engine, callerOf, guard, { list: serving.bound, pageSize: this.#options.listPageSize ?? 50 });
    else registerModernTaskMethods(server, engine, callerOf, guard);
    if (session) server.onclose = () => session.close();
    return server;
  }

  #listing(tool: AnyToolDefinition, era: 'legacy' | 'modern'): Tool {
    const inputSchema = tool.inputSchema['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as Tool['inputSchema'];
    if (this.#calls.takesAsync(tool)) inputSchema.properties = { ...inputSchema.properties, [ASYNC_ARGUMENT]: ASYNC_PROPERTY };
    return {
      name: tool.name,
      ...(tool.title !== undefined && { title: tool.title }),
      ...(tool.description !== undefined && { description: tool.description }),
      inputSchema,
      ...(tool.outputSchema !== undefined && {
        outputSchema: tool.outputSchema['~standard'].jsonSchema.output({ target: 'draft-2020-12' }) as Tool['outputSchema'],
      }),
      ...(tool.annotations !== undefined && { annotations: tool.annotations }),
      // 2026-07-28 tools have no `execution`: there the server decides per request.
      ...(era === 'legacy' && { execution: { taskSupport: tool.taskMode === 'never' ? 'forbidden' : tool.taskMode } }),
    } as Tool;
  }

  readonly #onError = (error: unknown) => (this.#options.onError ?? ((e: unknown) => console.error('[carrel/tasks mcp]', e)))(error);
}

/** The authenticated principal over HTTP; otherwise the transport's default owner. */
function callerFor(ctx: ServerContext, serving: Serving, retention: Pick<Caller, 'maxTtlMs' | 'defaultTtlMs'>): Caller {
  const auth = ctx.http?.authInfo;
  if (auth) return { owner: `principal:${auth.clientId}`, bound: true, scopes: auth.scopes, ...retention };
  return { owner: serving.defaultOwner, bound: serving.bound, scopes: serving.bound ? null : [], ...retention };
}
