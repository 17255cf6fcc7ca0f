/**
 * `/dashboard/api/tasks*`: the session owner's tasks, searched, read in detail, cancelled,
 * retried, one at a time or a filtered set at once. Every call is scoped to the owner by the
 * engine: another owner's task is a 404, as a missing one is. An operator (`carrel:operator`, whoever
 * runs the node) sees and steers every owner's tasks instead, and may narrow them with `owner:`.
 *
 * @module
 */
import {
  TaskNotFoundError,
  TaskNotRetryableError,
  TaskTerminalError,
  type TaskEngine,
  type TaskRecord,
  type WorkflowDefinition,
} from '@carrel/tasks';
import { Hono } from 'hono';
import { isOperator, type Principal } from './access.js';
import { ApiError } from './api-error.js';
import { requireAct, type DashboardEnv } from './guard.js';
import { readJson } from './request-body.js';
import { parseTaskQuery, type TaskQuery } from './task-query.js';
import { taskDetail, taskRow } from './task-view.js';
import { workflowView } from './workflow-view.js';

/** The status message of a task cancelled from the page. */
const CANCELLED_HERE = 'Cancelled from the dashboard';
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
      const query = parseTaskQuery(c.req.query('q'));
      const page = await listTasks(engine, whose(c.get('principal'), query), query, limit, cursor);
      return c.json({ tasks: page.tasks.map(taskRow), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) });
    })
    .get('/tasks/:id', async (c) => {
      const task = await visibleTask(engine, c.get('principal'), c.req.param('id'));
      const children = (await engine.list({ owner: task.owner, parentId: task.id, limit: MAX_CHILDREN })).tasks;
      return c.json({ task: taskDetail(task, children, workflowView(task, children, workflows)) });
    })
    .post('/tasks/bulk', async (c) => {
      const principal = requireAct(c);
      const body = await readJson(
        c,
        (b) => (b.action === 'cancel' || b.action === 'retry') && typeof b.q === 'string',
        '{ "action": "cancel" | "retry", "q": string }',
      );
      const query = parseTaskQuery(body.q as string);
      const tasks = await matchingTasks(engine, whose(principal, query), query);
      const done: { id: string; newId?: string }[] = [];
      const skipped: { id: string; reason: string }[] = [];
      for (const task of tasks) {
        try {
          if (body.action === 'cancel') done.push({ id: (await engine.cancel(task.id, task.owner, CANCELLED_HERE)).id });
          else done.push({ id: task.id, newId: (await engine.retry(task.id, task.owner)).id });
        } catch (error) {
          // A task that cannot take the action (finished, live, gone since it matched) is skipped; the others go on.
          const reason = skipReason(error);
          if (reason === undefined) throw error;
          skipped.push({ id: task.id, reason });
        }
      }
      return c.json({ matched: tasks.length, done, skipped });
    })
    .post('/tasks/:id/cancel', async (c) => {
      const id = c.req.param('id');
      const owner = await actingOwner(engine, requireAct(c), id);
      return c.json({ task: taskRow(await engine.cancel(id, owner, CANCELLED_HERE)) });
    })
    .post('/tasks/:id/retry', async (c) => {
      const id = c.req.param('id');
      const owner = await actingOwner(engine, requireAct(c), id);
      return c.json({ task: taskRow(await engine.retry(id, owner)) }, 201);
    });
}

/**
 * Whose tasks a request sees: the principal's owner's, or for an operator every owner's (null) or
 * the one `owner:` names. Anyone else's `owner:` is refused: a session sees one owner only.
 */
function whose(principal: Principal, query: TaskQuery): string | null {
  if (isOperator(principal)) return query.owner ?? null;
  if (query.owner !== undefined)
    throw new ApiError(400, 'bad_query', 'owner: is for the operator (the carrel:operator scope); this login sees its own tasks only.');
  return principal.owner;
}

/** The task `id` as `principal` sees it: its owner's own, any owner's for an operator. */
function visibleTask(engine: TaskEngine, principal: Principal, id: string): Promise<TaskRecord> {
  return isOperator(principal) ? engine.getAcrossOwners(id) : engine.get(id, principal.owner);
}

/**
 * The owner an action on task `id` is taken as: the principal's own, or for an operator the task's.
 * Only the operator's costs a read first: a caller's cancel stays one store call.
 */
async function actingOwner(engine: TaskEngine, principal: Principal, id: string): Promise<string> {
  return isOperator(principal) ? (await engine.getAcrossOwners(id)).owner : principal.owner;
}

/** The code a bulk action skips a task with, or undefined for an error that is not the task's. */
function skipReason(error: unknown): string | undefined {
  if (error instanceof TaskTerminalError) return 'terminal';
  if (error instanceof TaskNotRetryableError) return 'not_retryable';
  if (error instanceof TaskNotFoundError) return 'not_found';
  return undefined;
}

/**
 * A page of the owner's tasks (every owner's for null) matching `query`, newest first. The engine
 * filters by status, handler, parent and one text (the id prefix, else the first term); further
 * terms narrow its page here, so such a page may be short (its cursor still leads on).
 */
async function listTasks(engine: TaskEngine, owner: string | null, query: TaskQuery, limit: number, cursor: string | undefined) {
  const [text, ...moreText] = query.idPrefix !== undefined ? [query.idPrefix, ...query.text] : query.text;
  const filters = {
    limit,
    ...(cursor !== undefined && { cursor }),
    ...(query.statuses && { status: query.statuses }),
    ...(query.handlers && { handler: query.handlers }),
    ...(query.parentId !== undefined && { parentId: query.parentId }),
    ...(text !== undefined && { text }),
  };
  const page = owner === null ? await engine.listAcrossOwners(filters) : await engine.list({ owner, ...filters });
  const matches = (task: TaskRecord) =>
    (query.idPrefix === undefined || task.id.startsWith(query.idPrefix)) && moreText.every((term) => containsText(task, term));
  return { tasks: page.tasks.filter(matches), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
}

/** Every task matching `query`, up to `BULK_LIMIT` (400 `too_many` beyond). */
async function matchingTasks(engine: TaskEngine, owner: string | null, query: TaskQuery): Promise<TaskRecord[]> {
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
