/**
 * The contract each protocol era implements. `rev2025-11-25/index.ts` and `rev2026-07-28/index.ts`
 * each export one `Era`; the server picks one per connection (`server.ts`) and never branches on
 * the era again. Eras are named by their revision everywhere; the SDK's own words for them
 * (`ctx.era`: 'legacy' | 'modern') are translated here, once.
 *
 * @module
 */
import type { CallToolRequestParams, Result, Server, ServerCapabilities, ServerContext, Tool } from '@modelcontextprotocol/server';
import type { TaskEngine } from '../engine/engine.js';
import type { TaskRecord } from '../task.js';
import type { ToolCalls } from './call-tool.js';
import type { Caller, Serving } from './model.js';
import type { TaskMode } from './tool.js';

/** A protocol revision this server speaks; each has a sibling folder `rev<revision>/`. */
export type Revision = '2025-11-25' | '2026-07-28';

/** The revision of an SDK era (`ctx.era` of an `McpServerFactory`): the one translation of the SDK's words. */
export function revisionOfSdkEra(era: 'legacy' | 'modern'): Revision {
  return era === 'legacy' ? '2025-11-25' : '2026-07-28';
}

/** Runs a request handler, turning whatever it throws into the JSON-RPC error the client sees. */
export type Guard = <T>(ctx: ServerContext, run: () => Promise<T>) => Promise<T>;

/** What one connection (one SDK `Server`) keeps while it is open. */
export interface Connection {
  /** Starts following a task this connection created (2025-11-25 with a session: status and progress notifications). */
  follow(task: TaskRecord, progressToken: string | number | undefined): void;
  /** The connection closed: stops whatever `follow` started. */
  close(): void;
}

/** A connection that follows nothing: one without a session, whose clients poll. */
export const FOLLOWS_NOTHING: Connection = { follow: () => {}, close: () => {} };

/** One `tools/call` of a declared tool, with everything an era needs to answer it. */
export interface ToolCall {
  calls: ToolCalls;
  params: CallToolRequestParams;
  ctx: ServerContext;
  caller: Caller;
  connection: Connection;
}

/** What an era's task methods are registered with. */
export interface TaskMethodsContext {
  engine: TaskEngine;
  serving: Serving;
  callerOf: (ctx: ServerContext) => Caller;
  guard: Guard;
  /** Tasks per `tasks/list` page, where the era has that method. */
  listPageSize: number;
}

/** One protocol era: everything the server does differently for it. */
export interface Era {
  readonly revision: Revision;
  /** The capabilities a server of this era declares on a transport. */
  capabilities(serving: Serving): ServerCapabilities;
  /** A tool's listing in this era, from its era-neutral listing. */
  listTool(listing: Tool, taskMode: TaskMode): Tool;
  /** What one connection keeps (session needs); called once per SDK `Server`. */
  connect(server: Server, engine: TaskEngine, serving: Serving): Connection;
  /** Throws when the request asks a tool that only runs in the request to run as a task. */
  refuseTask(params: CallToolRequestParams, toolName: string): void;
  /** `tools/call` of a declared tool. */
  callTool(call: ToolCall): Promise<Result>;
  /** Registers the era's `tasks/*` methods on one SDK `Server`. */
  registerTaskMethods(server: Server, context: TaskMethodsContext): void;
}
