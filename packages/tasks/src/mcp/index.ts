/**
 * `@carrel/tasks/mcp`: serve task-capable tools over MCP, to both protocol eras (2025-11-25 core
 * tasks and the 2026-07-28 tasks extension) and to clients that know nothing of tasks, on stdio
 * and Streamable HTTP (`@carrel/tasks/mcp/http`, a separate entry so stdio servers never load the HTTP
 * stack). Any export added here is public API.
 *
 * @module
 */
export { createTaskServer } from './create.js';
export type { CreateTaskServerOptions } from './create.js';
export { McpTaskServer } from './server.js';
export type { McpTaskServerOptions } from './server.js';
export type { Serving } from './model.js';
export type { Revision } from './era.js';
export { defineTool, elicit, toolHandlerName, toolTaskHandlers, toolUniqueKey } from './tool.js';
export type { AnyToolDefinition, TaskMode, ToolContext, ToolDefinition, ToolTaskInput } from './tool.js';
export { serveStdio } from './transports/stdio.js';
export type { StdioOptions } from './transports/stdio.js';
export type { Opening } from './transports/stdio-gate.js';
export { InsufficientScopeError, TaskModeError, TaskRateLimitError, toProtocolError } from './errors.js';
export type { RateLimit } from './rate-limit.js';
export type { TaskScopes } from './scopes.js';
export { TASKS_EXTENSION } from './rev2026-07-28/wire.js';
