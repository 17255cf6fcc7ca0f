/**
 * The short way to a task server: give it a store and tools, get a started engine with every
 * tool's handler registered and an `McpTaskServer` over it.
 *
 * @module
 */
import { TaskEngine, type TaskEngineOptions } from '../engine/engine.js';
import type { AnyTaskHandler } from '../handler.js';
import type { TaskStore } from '../store.js';
import { McpTaskServer, type McpTaskServerOptions } from './server.js';
import { toolTaskHandlers } from './tool.js';

export interface CreateTaskServerOptions extends Omit<McpTaskServerOptions, 'engine'> {
  store: TaskStore;
  /** Other engine handlers (for `ctx.spawn`), registered next to the tools' own. */
  handlers?: Record<string, AnyTaskHandler>;
  /** Workflows a tool starts with `ctx.spawn(name, input, { key })`. */
  workflows?: TaskEngineOptions['workflows'];
  /** Engine tuning (concurrency, leases, TTL defaults, payload limits). */
  engine?: Omit<TaskEngineOptions, 'store' | 'handlers' | 'workflows'>;
}

/** Builds and starts the engine, then the MCP server over it. `close()` stops the engine. */
export async function createTaskServer(options: CreateTaskServerOptions): Promise<McpTaskServer> {
  const { store, handlers, workflows, engine: engineOptions, ...serverOptions } = options;
  const engine = new TaskEngine({
    ...engineOptions,
    store,
    handlers: { ...handlers, ...toolTaskHandlers(options.tools) },
    ...(workflows !== undefined && { workflows }),
  });
  await engine.start();
  return new McpTaskServer({ ...serverOptions, engine });
}
