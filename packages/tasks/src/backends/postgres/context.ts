/**
 * What every statement module needs: the database, the quoted names of this store's objects,
 * and the change feed's channel and origin. Built once per store; statement text interpolates
 * only these quoted identifiers, never a value.
 *
 * @module
 */
import type { Database } from './database.js';

/** The per-store facts every statement module is handed. */
export interface StoreContext {
  db: Database;
  /** The schema name as given (for messages and lock keys). */
  schema: string;
  /** `"schema"`, quoted. */
  quotedSchema: string;
  /** `"schema".tasks` */
  tasks: string;
  /** `"schema".notify_change` */
  notifyFn: string;
  /** The NOTIFY channel of this schema. */
  channel: string;
  /** This store instance's id, carried in every notice so it can skip its own echoes. */
  origin: string;
  /** Hands committed notices (payloads returned by `notify_change`) to this store's listeners. */
  deliver(notices: readonly (string | null)[]): void;
}

/**
 * The SQL call that announces a change of the row `alias`, with the change kinds given by
 * `kinds` (a text[] expression). It expects the channel as `$1` and the origin as `$2`, which
 * is why every writing statement starts its values with `announceParams(ctx)`.
 */
export function announce(ctx: StoreContext, kinds: string, alias: string): string {
  return `${ctx.notifyFn}($1, $2, ${kinds}, ${alias}.id, ${alias}.owner, ${alias}.parent_id, ${alias}.status)`;
}

/** The values `$1` and `$2` that `announce` expects. */
export function announceParams(ctx: StoreContext): [string, string] {
  return [ctx.channel, ctx.origin];
}
