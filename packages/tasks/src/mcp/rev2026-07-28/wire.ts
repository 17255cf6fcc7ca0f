/**
 * The 2026-07-28 tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`) on the wire: the
 * per-request capability gate and the projection of a stored record onto `Task`, `DetailedTask`
 * and the flat `CreateTaskResult`. `isError` results stay `completed` here (the inverse of 2025).
 *
 * @module
 */
import { CLIENT_CAPABILITIES_META_KEY, MissingRequiredClientCapabilityError, type ServerContext } from '@modelcontextprotocol/server';
import { outstandingInputKeys, type TaskRecord } from '../../task.js';
import { iso, storedResult } from '../model.js';

/** The extension identifier of SEP-2663 tasks (2026-07-28). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** Whether this request's own envelope declares the extension (capabilities are per request, never cached). */
export function declaresTasks(ctx: ServerContext): boolean {
  const capabilities = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
    { extensions?: Record<string, unknown> } | undefined;
  const declared = capabilities?.extensions?.[TASKS_EXTENSION];
  return typeof declared === 'object' && declared !== null;
}

/** -32021 with `data.requiredCapabilities`, the error for a client that lacks the extension. */
export function missingTasksExtension(): MissingRequiredClientCapabilityError {
  return new MissingRequiredClientCapabilityError({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } });
}

/** Throws -32021 unless the request declares the extension; runs before any task lookup. */
export function requireTasksExtension(ctx: ServerContext): void {
  if (!declaresTasks(ctx)) throw missingTasksExtension();
}

/** The base `Task` fields. */
export function taskFields(task: TaskRecord): Record<string, unknown> {
  return {
    taskId: task.id,
    status: task.status,
    ...(task.statusMessage !== null && { statusMessage: task.statusMessage }),
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.updatedAt),
    ttlMs: task.ttlMs,
    pollIntervalMs: task.pollIntervalMs,
  };
}

/** The flat `CreateTaskResult`: the task itself with `resultType: "task"`. */
export function createTaskResult(task: TaskRecord): Record<string, unknown> {
  return { resultType: 'task', ...taskFields(task) };
}

/** `DetailedTask`: inline `inputRequests`, `result` or `error` by status. */
export function detailedTask(task: TaskRecord): Record<string, unknown> {
  const base = taskFields(task);
  switch (task.status) {
    case 'input_required':
      return {
        ...base,
        inputRequests: Object.fromEntries(outstandingInputKeys(task).map((key) => [key, task.inputRequests[key]?.request])),
      };
    case 'completed':
      return { ...base, result: storedResult(task) ?? { content: [] } };
    case 'failed':
      return {
        ...base,
        error:
          task.outcome && 'error' in task.outcome ? task.outcome.error : { code: -32603, message: task.statusMessage ?? 'The task failed' },
      };
    default:
      return base;
  }
}
