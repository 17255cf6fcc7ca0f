/**
 * The tasks search box's language: space-separated terms, `status:<s>[,<s>]`, `tool:<name>`
 * (a tool's or a handler's name), `id:<prefix>`, `parent:<id>`, `owner:<owner>` (the operator's
 * view only), and any other term is text the task's input (or id) must contain, in any case. An
 * unknown qualifier is refused by name rather than searched for as text, so a typo never silently
 * matches nothing.
 *
 * @module
 */
import { isTaskStatus, type TaskStatus } from '@carrel/tasks';
import { toolHandlerName } from '@carrel/tasks/mcp';
import { ApiError } from './api-error.js';

/** A parsed query, in the engine's list filters. */
export interface TaskQuery {
  statuses?: TaskStatus[];
  handlers?: string[];
  idPrefix?: string;
  parentId?: string;
  /** `owner:` — only for the operator's view (`tasks-api.ts` refuses it to anyone else). */
  owner?: string;
  /** Terms of text, each of which must occur. */
  text: string[];
}

const QUALIFIERS = ['status', 'tool', 'id', 'parent', 'owner'];

/** Parses `q`; 400 `bad_query` names an unknown qualifier or status. */
export function parseTaskQuery(q: string | undefined): TaskQuery {
  const query: TaskQuery = { text: [] };
  for (const term of (q ?? '').split(/\s+/).filter(Boolean)) {
    const colon = term.indexOf(':');
    const qualifier = colon > 0 ? term.slice(0, colon).toLowerCase() : undefined;
    const value = colon > 0 ? term.slice(colon + 1) : term;
    if (qualifier === undefined || !/^[a-z]+$/.test(qualifier)) {
      query.text.push(term);
      continue;
    }
    if (!QUALIFIERS.includes(qualifier))
      throw badQuery(
        `Unknown qualifier "${qualifier}:" in the query; use ${QUALIFIERS.map((name) => `${name}:`).join(', ')} or plain text.`,
      );
    if (value === '') throw badQuery(`The qualifier "${qualifier}:" needs a value.`);
    if (qualifier === 'status') {
      const statuses = value.split(',');
      const unknown = statuses.find((status) => !isTaskStatus(status));
      if (unknown !== undefined)
        throw badQuery(`Unknown status "${unknown}"; a task is working, input_required, completed, failed or cancelled.`);
      query.statuses = [...(query.statuses ?? []), ...(statuses as TaskStatus[])];
    } else if (qualifier === 'tool') query.handlers = [...(query.handlers ?? []), toolHandlerName(value), value];
    else if (qualifier === 'id') query.idPrefix = value;
    else if (qualifier === 'owner') query.owner = value;
    else query.parentId = value;
  }
  return query;
}

const badQuery = (message: string) => new ApiError(400, 'bad_query', message);
