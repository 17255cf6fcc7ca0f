/**
 * `/dashboard/api/tasks*`: the session owner's tasks, searched, read in detail, cancelled,
 * retried, one at a time or a filtered set at once. Every call is scoped to the owner by the
 * engine: another owner's task is a 404, as a missing one is.
 *
 * @module
 */
import { isTerminal, type TaskEngine, type TaskRecord, type WorkflowDefinition } from '@carrel/tasks';
import { Hono } from 'hono';
import { ApiError } from './api-error.js';
import { requireAct, type DashboardEnv } from './guard.js';
import { readJson } from './request-body.js';
import { parseTaskQuery, type TaskQuery } from './task-query.js';
import { taskDetail, taskRow } from './task-view.js';
import { workflowView } from './workflow-view.js';

/** Most tasks one bulk action touches: a larger set asks for a narrower query. */
export const BULK_LIMIT = 500;
/** Children listed on a task's detail. */
const MAX_CHILDREN = 200;

/** The tasks routes. */
export function tasksApi(engine: TaskEngine, workflows: Readonly<Record<string, WorkflowDefinition>>): Hono<DashboardEnv> {
  return new Hono<DashboardEnv>()
    .get('/tasks', async (c) => {
      const limit = c.req.query('limit') === undefined ? 50 : Number(c.req.query('limit'));
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new ApiError(400, 'bad_request', 'limit must be an integer from 1 to 200.');
      const cursor = c.req.query('cursor');
      const page = await listTasks(engine, c.get('principal').owner, parseTaskQuery(c.req.query('q')), limit, cursor);
      return c.json({ tasks: page.tasks.map(taskRow), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) });
    })
    .get('/tasks/:id', async (c) => {
      const owner = c.get('principal').owner;
      const task = await engine.get(c.req.param('id'), owner);
      const children = (await engine.store.list({ owner, parentId: task.id, limit: MAX_CHILDREN })).filter(
        (child) => child.expiresAt === null || child.expiresAt > Date.now(),
      );
      return c.json({ task: taskDetail(task, children, workflowView(task, children, workflows)) });
    })
    .post('/tasks/bulk', async (c) => {
      const { owner } = requireAct(c);
      const body = await readJson(
        c,
        (b) => (b.action === 'cancel' || b.action === 'retry') && typeof b.q === 'string',
        '{ "action": "cancel" | "retry", "q": string }',
      );
      const tasks = await matchingTasks(engine, owner, parseTaskQuery(body.q as string));
      const done: { id: string; newId?: string }[] = [];
      const skipped: { id: string; reason: string }[] = [];
      for (const task of tasks) {
        const refusal = body.action === 'cancel' ? (isTerminal(task.status) ? 'terminal' : undefined) : retryRefusal(task);
        if (refusal) {
          skipped.push({ id: task.id, reason: refusal });
          continue;
        }
        try {
          if (body.action === 'cancel') done.push({ id: (await engine.cancel(task.id, owner, 'Cancelled from the dashboard')).id });
          else done.push({ id: task.id, newId: (await retryTask(engine, task.id, owner)).id });
        } catch (error) {
          // A task that finished (or was deleted) since it matched is skipped, not an error of the whole call.
          skipped.push({ id: task.id, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      return c.json({ matched: tasks.length, done, skipped });
    })
    .post('/tasks/:id/cancel', async (c) => {
      const { owner } = requireAct(c);
      return c.json({ task: taskRow(await engine.cancel(c.req.param('id'), owner, 'Cancelled from the dashboard')) });
    })
    .post('/tasks/:id/retry', async (c) => {
      const { owner } = requireAct(c);
      const task = await engine.get(c.req.param('id'), owner);
      const refusal = retryRefusal(task);
      if (refusal) throw new ApiError(409, 'not_retryable', refusal);
      return c.json({ task: taskRow(await retryTask(engine, task.id, owner)) }, 201);
    });
}

/** `engine.retry` (a new task linked to the old one) comes with the engine's schema 7 (i10-engine); until then retrying answers 503. */
async function retryTask(engine: TaskEngine, id: string, owner: string): Promise<TaskRecord> {
  const retry = (engine as TaskEngine & { retry?: (id: string, owner: string) => Promise<TaskRecord> }).retry;
  if (!retry) throw new ApiError(503, 'unavailable', 'This build of the task engine cannot retry tasks yet.');
  return retry.call(engine, id, owner);
}

/** Why `task` cannot be retried, or undefined if it can: only a failed or cancelled task is. */
function retryRefusal(task: TaskRecord): string | undefined {
  return task.status === 'failed' || task.status === 'cancelled'
    ? undefined
    : `Only a failed or cancelled task can be retried; this one is ${task.status}.`;
}

/**
 * A page of the owner's tasks matching `query`, newest first. The engine filters by status; the
 * other terms narrow its page here, so a page may be short (its cursor still leads on).
 */
async function listTasks(engine: TaskEngine, owner: string, query: TaskQuery, limit: number, cursor: string | undefined) {
  const page = await engine.list({
    owner,
    limit,
    ...(cursor !== undefined && { cursor }),
    ...(query.statuses && { status: query.statuses }),
  });
  return {
    tasks: page.tasks.filter((task) => matches(task, query)),
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
}

function matches(task: TaskRecord, query: TaskQuery): boolean {
  return (
    (query.handlers === undefined || query.handlers.includes(task.handler)) &&
    (query.idPrefix === undefined || task.id.startsWith(query.idPrefix)) &&
    (query.parentId === undefined || task.parentId === query.parentId) &&
    query.text.every((term) => containsText(task, term))
  );
}

/** Every task matching `query`, up to `BULK_LIMIT` (400 `too_many` beyond). */
async function matchingTasks(engine: TaskEngine, owner: string, query: TaskQuery): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTasks(engine, owner, query, 200, cursor);
    tasks.push(...page.tasks);
    cursor = page.nextCursor;
    if (tasks.length > BULK_LIMIT)
      throw new ApiError(400, 'too_many', `More than ${BULK_LIMIT} tasks match; narrow the query (status:, tool:, text) and repeat.`);
  } while (cursor !== undefined);
  return tasks;
}

function containsText(task: TaskRecord, term: string): boolean {
  const needle = term.toLowerCase();
  return task.id.toLowerCase().includes(needle) || JSON.stringify(task.input).toLowerCase().includes(needle);
}
