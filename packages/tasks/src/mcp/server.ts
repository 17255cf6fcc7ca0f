/**
 * One server factory for both protocol eras. For each connection (stdio, sessionful 2025 HTTP) or
 * request (2026 HTTP) the SDK asks the factory for a low-level `Server`; this module picks the
 * era's one entry (`rev2025-11-25/index.ts` or `rev2026-07-28/index.ts`) once and wires it up:
 * capabilities, `tools/list`, `tools/call` and the era's task methods. Tools are declared once
 * (`tool.ts`); task work runs in the engine. A `tools/call` goes from here to the era's
 * `tool-call.ts`, then to `call-tool.ts` (or `sync-call.ts`), which calls the engine.
 *
 * SDK workarounds, each intercepting at the low-level request handler:
 * - SDK v2 has no server-side task runtime: it removed the 2025 one (typescript-sdk#2055) and the
 *   2026 extension helper is still a draft (PR #2782, tracked in #2189), so both eras' task methods
 *   are registered by the eras themselves;
 * - the low-level `Server` is used rather than `McpServer`, whose tool wrapper turns every thrown
 *   error into an `isError` result (SDK 2.4 behaviour; no upstream issue), while tasks need real
 *   JSON-RPC errors (-32601, -32021);
 * - it is a `CheckedServer`, so schema-invalid requests are -32602 rather than -32603
 *   (typescript-sdk#2284).
 *
 * @module
 */
import type { CallToolRequestParams, McpServerFactory, Result, Server, ServerContext, Tool } from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import { ASYNC_PROPERTY, builtinTools, type BuiltinTool } from './async-tools.js';
import { ASYNC_ARGUMENT, ToolCalls } from './call-tool.js';
import { CheckedServer } from './checked-server.js';
import { revisionOfSdkEra, type Era, type Guard, type Revision } from './era.js';
import { toProtocolError } from './errors.js';
import type { Caller, Serving } from './model.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import { rev2025_11_25 } from './rev2025-11-25/index.js';
import { rev2026_07_28 } from './rev2026-07-28/index.js';
import { requiredScopes, type TaskScopes } from './scopes.js';
import type { AnyToolDefinition } from './tool.js';
import { ownerOf } from './transports/bearer-tokens.js';

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
  /**
   * Task creations per owner on every transport that sets no `rateLimit` of its own; null disables
   * the limit. Unset, each transport uses its own default: none on stdio (one local user's own
   * process), 120 a minute with bursts of 30 per principal on HTTP with tokens, and a wider shared
   * limit on HTTP without them (see `transports/http.ts`).
   */
  rateLimit?: RateLimit | null;
  /** Tasks per 2025 `tasks/list` page (default 50). */
  listPageSize?: number;
  /** The scopes that reading and changing tasks require of callers that have scopes (HTTP); default none. */
  taskScopes?: TaskScopes;
  /** Offer `async: true` and the get_task / cancel_task / list_tasks tools (default true). */
  asyncTools?: boolean;
  /** Receives unexpected errors (default: console.error). */
  onError?: (error: unknown) => void;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Each era's one entry, by revision. */
const ERAS: Record<Revision, Era> = { '2025-11-25': rev2025_11_25, '2026-07-28': rev2026_07_28 };

export class McpTaskServer {
  readonly engine: TaskEngine;
  readonly #options: McpTaskServerOptions;
  readonly #calls: ToolCalls;
  /** Built on the first `tools/list` of each era: converting schemas costs start-up time a client may not need yet. */
  readonly #listings: Partial<Record<Revision, Tool[]>> = {};

  constructor(options: McpTaskServerOptions) {
    this.#options = options;
    this.engine = options.engine;
    const tools = new Map<string, AnyToolDefinition>();
    for (const tool of options.tools) {
      if (tools.has(tool.name)) throw new Error(`Two tools are named '${tool.name}': tool names must be unique`);
      tools.set(tool.name, tool);
    }
    this.#calls = new ToolCalls(options.engine, tools, new RateLimiter(options.engine.store), options.asyncTools ?? true);
  }

  /** Stops the engine: running tool tasks get `drainMs` to finish, then resume on the next start. */
  async close({ drainMs = 0 }: { drainMs?: number } = {}): Promise<void> {
    await this.engine.stop({ drainMs });
  }

  /** The SDK factory for one transport: `serveStdio(server.factory(…))`, `createMcpHandler(server.factory(…))`. */
  factory(serving: Serving): McpServerFactory {
    return (ctx) => this.build(revisionOfSdkEra(ctx.era), serving);
  }

  /** The scopes a JSON-RPC request needs: the HTTP transport challenges a token that lacks them before the request reaches a server. */
  requiredScopes(request: { method: string; params?: unknown }): readonly string[] {
    return requiredScopes(request.method, request.params, this.#calls.tools, this.#options.taskScopes ?? {});
  }

  /** A fresh SDK `Server` for one protocol revision. */
  build(revision: Revision, serving: Serving): Server {
    const era = ERAS[revision];
    const { engine } = this;
    const maxTtlMs = Math.min(this.#options.maxTtlMs ?? DAY_MS, serving.maxTtlMs ?? Infinity);
    const defaultTtlMs = Math.min(this.#options.defaultTtlMs ?? HOUR_MS, maxTtlMs);
    const rateLimit = creationLimit(serving, this.#options.rateLimit);
    const callerOf = (ctx: ServerContext) => callerFor(ctx, serving, { maxTtlMs, defaultTtlMs, rateLimit });
    const server = new CheckedServer(
      { name: this.#options.name, version: this.#options.version },
      {
        capabilities: era.capabilities(serving),
        ...(this.#options.instructions !== undefined && { instructions: this.#options.instructions }),
      },
      { required: (request) => this.requiredScopes(request), held: (ctx) => callerOf(ctx).scopes },
    );
    const guard: Guard = (ctx, run) =>
      run().catch((error: unknown) => Promise.reject(toProtocolError(error, this.#onError, ctx.mcpReq.signal.aborted)));
    const builtins =
      this.#options.asyncTools === false ? new Map<string, BuiltinTool>() : builtinTools(engine, serving.bound, this.#calls.tools);
    for (const name of this.#calls.tools.keys()) builtins.delete(name); // an author's tool of the same name wins
    const connection = era.connect(server, engine, serving);

    const builtinListings = [...builtins.values()].map((b) => era.listTool(b.listing, 'never'));
    server.setRequestHandler('tools/list', async () => ({
      tools: [
        ...(this.#listings[revision] ??= this.#options.tools.map((t) => era.listTool(this.#listing(t), t.taskMode))),
        ...builtinListings,
      ],
    }));
    server.setRequestHandler(
      'tools/call',
      (request, ctx) =>
        guard(ctx, async (): Promise<Result> => {
          const params = request.params as CallToolRequestParams;
          const caller = callerOf(ctx);
          const builtin = builtins.get(params.name);
          if (!builtin) return era.callTool({ calls: this.#calls, params, ctx, caller, connection });
          era.refuseTask(params, params.name);
          return builtin.call(params.arguments ?? {}, caller);
        }) as never,
    );
    era.registerTaskMethods(server, { engine, serving, callerOf, guard, listPageSize: this.#options.listPageSize ?? 50 });
    server.onclose = () => connection.close();
    return server;
  }

  /** A tool's era-neutral listing; each era adds its own fields (`Era.listTool`). */
  #listing(tool: AnyToolDefinition): Tool {
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
    } as Tool;
  }

  readonly #onError = (error: unknown) => (this.#options.onError ?? ((e: unknown) => console.error('[carrel/tasks mcp]', e)))(error);
}

/** The transport's own setting, else the server's, else the transport's default; null (no limit) counts as a setting. */
function creationLimit(serving: Serving, serverLimit: RateLimit | null | undefined): RateLimit | null {
  if (serving.rateLimit !== undefined) return serving.rateLimit;
  return serverLimit !== undefined ? serverLimit : serving.defaultRateLimit;
}

/** The authenticated principal over HTTP; otherwise the transport's default owner. */
function callerFor(ctx: ServerContext, serving: Serving, policy: Pick<Caller, 'maxTtlMs' | 'defaultTtlMs' | 'rateLimit'>): Caller {
  const auth = ctx.http?.authInfo;
  if (auth) return { owner: ownerOf(auth), bound: true, scopes: auth.scopes, ...policy };
  return { owner: serving.defaultOwner, bound: serving.bound, scopes: serving.bound ? null : (serving.scopes ?? []), ...policy };
}
