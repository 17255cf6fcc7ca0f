/**
 * What the page sees of a task: a row for lists and the event stream, and the detail of one task.
 * Projections of the engine's record, never the record itself: secrets masked, the engine's
 * lease and bookkeeping left out, and a tool task's handler turned back into its tool's name.
 *
 * @module
 */
import type { TaskRecord } from '@carrel/tasks';
import { toolHandlerName } from '@carrel/tasks/mcp';
import { maskAnswer, maskSecrets } from './masking.js';

const TOOL_PREFIX = toolHandlerName('');

/** One task in a list or an event. */
export interface TaskRow {
  id: string;
  status: TaskRecord['status'];
  statusMessage: string | null;
  tool: string | null;
  handler: string;
  owner: string;
  attempt: number;
  maxAttempts: number;
  progress: { progress: number; total?: number; message?: string } | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  parentId: string | null;
  retryOf: string | null;
  node: string | null;
}

/** The MCP tool a handler runs, or null for a handler that is not a tool's. */
export function toolOf(handler: string): string | null {
  return handler.startsWith(TOOL_PREFIX) ? handler.slice(TOOL_PREFIX.length) : null;
}

/** The row of `task`. */
export function taskRow(task: TaskRecord): TaskRow {
  return {
    id: task.id,
    status: task.status,
    statusMessage: task.statusMessage,
    tool: toolOf(task.handler),
    handler: task.handler,
    owner: task.owner,
    attempt: task.attempt,
    maxAttempts: task.maxAttempts,
    progress: task.progress && {
      progress: task.progress.current,
      ...(task.progress.total !== undefined && { total: task.progress.total }),
      ...(task.progress.message !== undefined && { message: task.progress.message }),
    },
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    parentId: task.parentId,
    retryOf: task.retryOf,
    node: task.node,
  };
}

/** A workflow's steps as the detail shows them (see `workflowSteps`). */
export interface WorkflowView {
  steps: { name: string; taskId: string | null; status: string | null; dependsOn: string[] }[];
}

/** Everything the detail page shows of one task, given its children. */
export function taskDetail(task: TaskRecord, children: readonly TaskRecord[], workflow: WorkflowView | undefined) {
  const outcome =
    task.outcome &&
    ('result' in task.outcome
      ? { kind: 'result' as const, result: maskSecrets(task.outcome.result) }
      : { kind: 'error' as const, error: maskSecrets(task.outcome.error) });
  return {
    ...taskRow(task),
    input: maskSecrets(task.input),
    ttlMs: task.ttlMs,
    expiresAt: task.expiresAt,
    // The store keeps the latest progress only; the page builds a history from the events it sees.
    progressHistory: task.progress
      ? [
          {
            at: task.updatedAt,
            progress: task.progress.current,
            ...(task.progress.total !== undefined && { total: task.progress.total }),
            ...(task.progress.message !== undefined && { message: task.progress.message }),
          },
        ]
      : [],
    inputRequests: Object.entries(task.inputRequests).map(([key, record]) => inputRequestView(key, record.request, task.inputResponses)),
    children: children.map(taskRow),
    ...(workflow && { workflow }),
    outcome,
    lastError: task.lastError && { code: task.lastError.code, message: task.lastError.message },
  };
}

function inputRequestView(key: string, request: unknown, responses: Record<string, unknown>) {
  const params = (request as { params?: { message?: unknown; requestedSchema?: unknown } } | null)?.params;
  const answered = Object.hasOwn(responses, key);
  return {
    key,
    message: typeof params?.message === 'string' ? params.message : '',
    ...(params?.requestedSchema !== undefined && { requestedSchema: params.requestedSchema }),
    answered,
    ...(answered && { answer: maskAnswer(responses[key], params?.requestedSchema) }),
  };
}
