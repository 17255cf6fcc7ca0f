/**
 * What every statement module needs: the database, the quoted names of this store's objects,
 * and the change feed's channel and origin. Built once per store; statement text interpolates
 * only these quoted identifiers, never a value.
 *
 * @module
 */
import pg from 'pg';
import type { TaskChange, TaskChangeKind } from '../../store.js';
import type { TaskStatus } from '../../task.js';
import type { Database } from './database.js';

/** The quoted names of one schema's objects, and its NOTIFY channel. */
export interface SchemaNames {
  /** The schema name as given (for messages and lock keys). */
  schema: string;
  /** `"schema"`, quoted. */
  quotedSchema: string;
  /** `"schema".tasks` */
  tasks: string;
  /** `"schema".notify_change` */
  notifyFn: string;
  /** `"schema".notify_changes` */
  notifyManyFn: string;
  /** The NOTIFY channel of this schema. */
  channel: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** The names of `schema`'s objects; throws for a schema name the store does not accept. */
export function schemaNames(schema: string): SchemaNames {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `Invalid PostgreSQL schema name "${schema}": use letters, digits and _ (at most 48 characters, not starting with a digit)`,
    );
  }
  const quotedSchema = pg.escapeIdentifier(schema);
  return {
    schema,
    quotedSchema,
    tasks: `${quotedSchema}.tasks`,
    notifyFn: `${quotedSchema}.notify_change`,
    notifyManyFn: `${quotedSchema}.notify_changes`,
    channel: `${schema}.task_changes`,
  };
}

/** The per-store facts every statement module is handed. */
export interface StoreContext extends SchemaNames {
  db: Database;
  /** This store instance's id, carried in every notice so it can skip its own echoes. */
  origin: string;
  /** Hands committed notices (payloads returned by `notify_change`) to this store's listeners. */
  deliver(notices: readonly (string | null)[]): void;
  /** Hands committed changes (built from the rows a statement wrote) to this store's listeners. */
  deliverChanges(changes: readonly TaskChange[]): void;
}

/**
 * The SQL call that announces a change of the row `alias`, with the change kinds given by
 * `kinds` (a text[] expression). It expects the channel as `$1` and the origin as `$2`, which
 * is why every writing statement starts its values with `announceParams(ctx)`.
 */
export function announce(ctx: Pick<SchemaNames, 'notifyFn'>, kinds: string, alias: string): string {
  return `${ctx.notifyFn}($1, $2, ${kinds}, ${alias}.id, ${alias}.owner, ${alias}.parent_id, ${alias}.status)`;
}

/** The values `$1` and `$2` that `announce` expects. */
export function announceParams(ctx: StoreContext): [string, string] {
  return [ctx.channel, ctx.origin];
}

/**
 * The tail of a multi-row statement: announces every row of the CTE `cte` (which must return
 * `id, owner, parent_id, status`) with the change kinds `kinds` (a text[] expression over
 * `${cte}`'s columns; rows with no kinds are not announced), in as few notices as fit, then
 * selects the CTE's rows with a `kinds` column for `changesOf`. `order` sorts the changes
 * within the notice. Expects `$1` and `$2` like `announce`.
 */
export function announceAll(ctx: StoreContext, kinds: string, cte: string, order = ''): string {
  return `, noticed AS (
      SELECT ${cte}.*, ${kinds}::text[] AS kinds FROM ${cte}
    ), announced AS (
      SELECT ${ctx.notifyManyFn}($1, $2, array_agg(json_build_array(id, owner, parent_id, status, kinds)::text ${order && `ORDER BY ${order}`}) FILTER (WHERE cardinality(kinds) > 0))
      FROM noticed
    )
    SELECT noticed.* FROM noticed, announced`;
}

/** The changes rows selected by an `announceAll` statement announced, in row order. */
export function changesOf(
  rows: readonly { id: string; owner: string; parent_id: string | null; status: TaskStatus; kinds: TaskChangeKind[] }[],
): TaskChange[] {
  return rows.flatMap((row) =>
    row.kinds.map((kind) => ({ taskId: row.id, owner: row.owner, parentId: row.parent_id, status: row.status, kind })),
  );
}
