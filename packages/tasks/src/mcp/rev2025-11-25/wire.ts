/**
 * Spec 2025-11-25 tasks on the wire: capabilities, the `Task` shape (`ttl`, `pollInterval`), the
 * `CreateTaskResult` wrapper and the `tasks/result` payload. A tool result with `isError: true` is
 * projected as `failed` in this era (spec §tasks "Task Status"), from the same stored outcome the
 * 2026 projection reports as `completed`.
 *
 * @module
 */
import { ProtocolError, ProtocolErrorCode, RELATED_TASK_META_KEY, type ServerCapabilities } from '@modelcontextprotocol/server';
import type { TaskRecord } from '../../task.js';
import { endedWithToolError, iso, resultSummary, storedResult } from '../model.js';

/**
 * The server capabilities of this era. `tasks.list` only where tasks are bound to an identified
 * owner (spec §security: SHOULD NOT declare it when requestors cannot be identified).
 */
export function capabilities(bound: boolean): ServerCapabilities {
  return {
    tools: {},
    logging: {},
    tasks: { cancel: {}, requests: { tools: { call: {} } }, ...(bound && { list: {} }) },
  } as ServerCapabilities;
}

/** The task as this era shows it. */
export function taskFields(task: TaskRecord): Record<string, unknown> {
  const toolError = endedWithToolError(task);
  const statusMessage = toolError
    ? (task.statusMessage ?? resultSummary(storedResult(task)) ?? 'The tool reported an error')
    : task.statusMessage;
  return {
    taskId: task.id,
    status: toolError ? 'failed' : task.status,
    ...(statusMessage !== null && statusMessage !== undefined && { statusMessage }),
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.updatedAt),
    ttl: task.ttlMs,
    pollInterval: task.pollIntervalMs,
  };
}

/**
 * `CreateTaskResult`. `content: []` works around SDK v2 validating every 2025-11-25 `tools/call`
 * result as a CallToolResult even when it carries `task` (typescript-sdk#2055 removed the task
 * interception layer); v1 clients ignore the extra key.
 */
export function createTaskResult(task: TaskRecord, toolName: string): Record<string, unknown> {
  return {
    task: taskFields(task),
    content: [],
    _meta: { 'io.modelcontextprotocol/model-immediate-response': `Started ${toolName} as task ${task.id}; it runs in the background.` },
  };
}

/** What `tasks/result` returns for a terminal task: exactly the stored result, or the stored error. */
export function resultPayload(task: TaskRecord): Record<string, unknown> {
  const outcome = task.outcome;
  if (outcome && 'result' in outcome) {
    const result = (outcome.result ?? {}) as Record<string, unknown>;
    return { ...result, _meta: { ...(result._meta as Record<string, unknown> | undefined), [RELATED_TASK_META_KEY]: { taskId: task.id } } };
  }
  if (outcome && 'error' in outcome) throw new ProtocolError(outcome.error.code, outcome.error.message, outcome.error.data);
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task ${task.id} was ${task.status} and has no result`, {
    taskId: task.id,
    status: task.status,
  });
}

/** Tags a request made on behalf of a task with the related-task `_meta` (spec §related-task). */
export function relatedRequest(request: unknown, taskId: string): { method: string; params: Record<string, unknown> } {
  const { method, params = {} } = request as { method: string; params?: Record<string, unknown> };
  return {
    method,
    params: { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), [RELATED_TASK_META_KEY]: { taskId } } },
  };
}
