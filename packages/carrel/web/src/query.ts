/**
 * The task search language (`status:failed,cancelled tool:index_folder zebras`) as far as the page
 * needs it: to decide whether a task pushed by the stream belongs in the list the server returned
 * for the query. Text terms match the task's input, which the stream does not carry, so a query
 * with text admits only rows the server already listed.
 */
import type { TaskRow } from './types.js';

export interface ParsedQuery {
  statuses: string[] | null;
  tool: string | null;
  idPrefix: string | null;
  parent: string | null;
  owner: string | null;
  hasText: boolean;
}

export function parseQuery(q: string): ParsedQuery {
  const parsed: ParsedQuery = { statuses: null, tool: null, idPrefix: null, parent: null, owner: null, hasText: false };
  for (const term of q.split(/\s+/).filter(Boolean)) {
    const colon = term.indexOf(':');
    const [name, value] = colon > 0 ? [term.slice(0, colon), term.slice(colon + 1)] : ['', term];
    if (name === 'status') parsed.statuses = value.split(',').filter(Boolean);
    else if (name === 'tool') parsed.tool = value;
    else if (name === 'id') parsed.idPrefix = value;
    else if (name === 'parent') parsed.parent = value;
    else if (name === 'owner') parsed.owner = value;
    else parsed.hasText = true;
  }
  return parsed;
}

/** Whether a task the server did not list for this query belongs in its list now. */
export function admits(query: ParsedQuery, task: TaskRow): boolean {
  if (query.hasText) return false;
  if (query.statuses && !query.statuses.includes(task.status)) return false;
  if (query.tool !== null && task.tool !== query.tool && task.handler !== query.tool) return false;
  if (query.idPrefix !== null && !task.id.startsWith(query.idPrefix)) return false;
  if (query.parent !== null && task.parentId !== query.parent) return false;
  if (query.owner !== null && task.owner !== query.owner) return false;
  return true;
}

/** Replaces (or adds) the `status:` term of a query, keeping its other terms. */
export function withStatus(q: string, status: string): string {
  const rest = q.split(/\s+/).filter((t) => t && !t.startsWith('status:'));
  return [...(status ? [`status:${status}`] : []), ...rest].join(' ');
}

export function statusOf(q: string): string {
  return parseQuery(q).statuses?.join(',') ?? '';
}
