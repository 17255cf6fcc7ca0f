/**
 * Which OAuth scopes a request needs: a declared tool's own `requiredScopes`, and for everything that
 * reads or changes tasks (the era's `tasks/*` methods and the `get_task`, `list_tasks` and
 * `cancel_task` tools) the server's `TaskScopes`. The HTTP transport asks before a request reaches
 * the server, to answer a token that lacks them with the 403 challenge the MCP authorization spec
 * asks for; the server asks again for every request (`CheckedServer`), which is what callers without
 * a token (scopes an operator granted to all) meet.
 *
 * @module
 */
import type { AnyToolDefinition } from './tool.js';

/** The scopes that task operations require; unset: none. */
export interface TaskScopes {
  /** `tasks/get`, `tasks/result`, `tasks/list`, `get_task`, `list_tasks`. */
  read?: readonly string[];
  /** `tasks/cancel`, `tasks/update` (answers a task's input request), `cancel_task`. */
  write?: readonly string[];
}

const READS = new Set(['tasks/get', 'tasks/result', 'tasks/list']);
const WRITES = new Set(['tasks/cancel', 'tasks/update']);
const READ_TOOLS = new Set(['get_task', 'list_tasks']);
const WRITE_TOOLS = new Set(['cancel_task']);

/** The scopes a request with this method and params needs (none for discovery: initialize, tools/list, ping). */
export function requiredScopes(
  method: string,
  params: unknown,
  tools: ReadonlyMap<string, AnyToolDefinition>,
  taskScopes: TaskScopes,
): readonly string[] {
  if (READS.has(method)) return taskScopes.read ?? [];
  if (WRITES.has(method)) return taskScopes.write ?? [];
  if (method !== 'tools/call') return [];
  const name = (params as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string') return [];
  // An author's tool of a built-in tool's name replaces it (server.ts), so it is looked up first.
  const tool = tools.get(name);
  if (tool) return tool.requiredScopes ?? [];
  if (READ_TOOLS.has(name)) return taskScopes.read ?? [];
  if (WRITE_TOOLS.has(name)) return taskScopes.write ?? [];
  return [];
}

/** The required scopes `held` lacks; none when `held` is null (scopes do not apply: stdio). */
export function missingScopes(required: readonly string[], held: readonly string[] | null): string[] {
  return held === null ? [] : required.filter((scope) => !held.includes(scope));
}
