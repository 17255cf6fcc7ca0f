/**
 * The neutral vocabulary both protocol eras share: who is calling, how a tool call will run, and
 * the facts read from a stored task record before an era projects it onto its own wire shape.
 *
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { TaskRecord } from '../task.js';
import type { Revision } from './era.js';
import type { RateLimit } from './rate-limit.js';

/** What the transport knows about whom it serves. */
export interface Serving {
  /** The owner of requests that carry no authenticated principal. */
  defaultOwner: string;
  /** Whether `defaultOwner` identifies the caller (stdio's local user) rather than being shared by all (unauthenticated HTTP). */
  bound: boolean;
  /** Whether the connection outlives a request, so notifications can reach the client later. */
  session: boolean;
  /** The scopes every caller holds where `defaultOwner` is shared by all (unauthenticated HTTP; default none). */
  scopes?: readonly string[];
  /** A tighter retention cap for this transport (unauthenticated HTTP keeps tasks shorter). */
  maxTtlMs?: number;
  /** The task-creation limit the transport's user set; undefined when unset (null: no limit). */
  rateLimit?: RateLimit | null | undefined;
  /** The transport's own limit when neither it nor the server sets one (null: no limit). */
  defaultRateLimit: RateLimit | null;
}

/** Whom a request acts for. `bound` is false where nothing identifies the caller (unauthenticated HTTP). */
export interface Caller {
  owner: string;
  bound: boolean;
  /** Scopes the caller holds; null on transports where scopes do not apply (stdio). */
  scopes: readonly string[] | null;
  /** The longest retention this caller's tasks get (shorter where callers are not identified). */
  maxTtlMs: number;
  /** Retention of a task whose client asked for none (never above `maxTtlMs`). */
  defaultTtlMs: number;
  /** How fast this caller's owner may create tasks (null: no limit). */
  rateLimit: RateLimit | null;
}

/** What `meta` the MCP layer keeps on an engine record. */
export interface ToolTaskMeta {
  tool: string;
  /** The protocol revision of the creating request. */
  era: Revision;
  /** The 2025-era `progressToken` of the creating request, used for the task's whole life. */
  progressToken?: string | number;
  /** True when the call waits for the result inside its request (not visible as a task to the client). */
  sync?: boolean;
}

/** ISO 8601 for an epoch-millisecond time. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The stored tool result of a completed task, or null. */
export function storedResult(task: TaskRecord): CallToolResult | null {
  return task.outcome && 'result' in task.outcome ? (task.outcome.result as CallToolResult) : null;
}

/** Whether the task completed with a tool-level error (`isError: true`). */
export function endedWithToolError(task: TaskRecord): boolean {
  return task.status === 'completed' && storedResult(task)?.isError === true;
}

/** A one-line summary of a tool result's text, for status messages. */
export function resultSummary(result: CallToolResult | null, limit = 200): string | undefined {
  const text = result?.content?.find((block) => block.type === 'text')?.text;
  if (text === undefined) return undefined;
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
