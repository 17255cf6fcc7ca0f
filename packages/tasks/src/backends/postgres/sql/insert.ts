/**
 * `insert`: one transaction that releases a unique key whose window has passed, returns the
 * live holder of the key if there is one, checks the owner's live-task cap, and inserts.
 *
 * Uniqueness is enforced by the partial unique index on (owner, unique_slot), not by the read:
 * `INSERT … ON CONFLICT DO NOTHING` waits for a concurrent creator of the same key to commit,
 * and when it wins, the next statement (a new READ COMMITTED snapshot) sees the winner.
 * The live cap is counted under a per-owner advisory lock, in a statement after the lock is
 * taken (the INSERT itself), so that its snapshot includes every insert committed by the
 * previous lock holder.
 *
 * A child is inserted only while its parent is live, and the INSERT share-locks the parent row to
 * check it: a cancel of the parent (an UPDATE of that row) either comes first, and the insert then
 * reads the parent cancelled and inserts nothing, or waits until the child is committed, and
 * `cancel`'s second look at the tree (`cancel.ts`) finds it.
 *
 * @module
 */
import { TaskLimitError } from '../../../errors.js';
import {
  assertLiveParent,
  type InsertOptions,
  type InsertResult,
  type NewTask,
  type TaskChangeKind,
  type TaskStore,
} from '../../../store.js';
import { LIVE_STATUSES } from '../../../task.js';
import { announce, announceAll, announceParams, changesOf, type StoreContext } from '../context.js';
import type { Query } from '../database.js';
import { json, TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

/** A holder released between our conflict and our read leaves nothing to return: insert again (a few times). */
const MAX_INSERT_ROUNDS = 5;

type Inserted = { row: TaskRow; created: boolean; notice: string | null };

/** `insert`, and `insertMany`, its group commit (see `group-commit.ts`). */
export function prepareInsert(ctx: StoreContext): Pick<TaskStore, 'insert'> & {
  insertMany(tasks: readonly NewTask[]): Promise<InsertResult[]>;
} {
  const insert = `
  WITH parent AS (
    SELECT status FROM ${ctx.tasks} WHERE id = $15::text FOR SHARE
  ), inserted AS (
    INSERT INTO ${ctx.tasks} (id, owner, handler, input, status, created_at, updated_at, ttl_ms, expires_at, poll_interval_ms, max_attempts, run_at, unique_key, unique_until, unique_slot, parent_id, meta, retry_of)
    SELECT $3::text, $4::text, $5::text, $6::jsonb, 'working', $7::bigint, $7::bigint, $8::bigint, $9::bigint, $10::integer, $11::integer, $12::bigint, $13::text, $14::bigint, $13::text, $15::text, $16::jsonb, $19::text
    WHERE ($17::integer IS NULL OR (SELECT count(*) FROM ${ctx.tasks} WHERE owner = $4 AND status = ANY($18::text[])) < $17::integer)
      AND ($15::text IS NULL OR EXISTS (SELECT 1 FROM parent WHERE status = ANY($18::text[])))
    ON CONFLICT (owner, unique_slot) WHERE unique_slot IS NOT NULL DO NOTHING
    RETURNING ${TASK_COLUMNS}
  )
  SELECT inserted.*, ${announce(ctx, `ARRAY['created']`, 'inserted')} AS notice FROM inserted`;
  const insertMany = `
  WITH inserted AS (
    INSERT INTO ${ctx.tasks} (id, owner, handler, input, status, created_at, updated_at, ttl_ms, expires_at, poll_interval_ms, max_attempts, run_at, unique_until, parent_id, meta, retry_of)
    SELECT id, owner, handler, input, 'working', created_at, created_at, ttl_ms, expires_at, poll_interval_ms, max_attempts, run_at, unique_until, parent_id, meta, retry_of
    FROM unnest($3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[], $8::bigint[], $9::bigint[], $10::integer[], $11::integer[], $12::bigint[], $13::bigint[], $14::text[], $15::jsonb[], $16::text[])
      WITH ORDINALITY AS n (id, owner, handler, input, created_at, ttl_ms, expires_at, poll_interval_ms, max_attempts, run_at, unique_until, parent_id, meta, retry_of, ord)
    ORDER BY ord
    RETURNING ${TASK_COLUMNS}
  )${announceAll(ctx, `ARRAY['created']`, 'inserted')}`;
  const countLive = `SELECT count(*) AS live FROM ${ctx.tasks} WHERE owner = $1 AND status = ANY($2)`;
  const parentStatus = `SELECT status FROM ${ctx.tasks} WHERE id = $1`;
  // Releases the key if its holder's window has passed, and returns a holder whose window has
  // not. One statement, whose SELECT sees the rows as they were before the UPDATE: filtering on
  // the window (rather than on what this UPDATE released) also skips a holder that a concurrent
  // creator released and replaced while this statement waited for its row lock.
  const releaseExpiredOrFindHolder = `WITH released AS (
       UPDATE ${ctx.tasks} SET unique_slot = NULL
       WHERE owner = $1 AND unique_slot = $2 AND unique_until IS NOT NULL AND unique_until <= $3
     )
     SELECT ${TASK_COLUMNS} FROM ${ctx.tasks}
     WHERE owner = $1 AND unique_slot = $2 AND (unique_until IS NULL OR unique_until > $3)`;

  const holderOf = async (query: Query, owner: string, uniqueKey: string, now: number): Promise<TaskRow | undefined> => {
    const [holder] = await query<TaskRow>(releaseExpiredOrFindHolder, [owner, uniqueKey, now]);
    return holder;
  };
  const liveCount = async (query: Query, owner: string): Promise<number> => {
    const [row] = await query<{ live: number }>(countLive, [owner, LIVE_STATUSES]);
    return row?.live ?? 0;
  };

  return {
    /** Inserts a task, or returns the live holder of its unique key (`created: false`). */
    async insert(task: NewTask, { maxLivePerOwner, now }: InsertOptions): Promise<InsertResult> {
      const body = async (query: Query): Promise<Inserted> => {
        if (task.uniqueKey !== null) {
          const holder = await holderOf(query, task.owner, task.uniqueKey, now);
          if (holder) return { row: holder, created: false, notice: null };
        }
        for (let round = 1; ; round++) {
          const [inserted] = await query<TaskRow & { notice: string }>(insert, [
            ...announceParams(ctx),
            task.id,
            task.owner,
            task.handler,
            json(task.input),
            task.createdAt,
            task.ttlMs,
            task.expiresAt,
            task.pollIntervalMs,
            task.maxAttempts,
            task.runAt,
            task.uniqueKey,
            task.uniqueUntil,
            task.parentId,
            json(task.meta),
            maxLivePerOwner,
            LIVE_STATUSES,
            task.retryOf,
          ]);
          if (inserted) return { row: inserted, created: true, notice: inserted.notice };
          if (task.parentId !== null) {
            const [parent] = await query<Pick<TaskRow, 'status'>>(parentStatus, [task.parentId]);
            assertLiveParent(task.parentId, parent);
          }
          // Nothing inserted: a live holder of the key (which wins over the cap, as if found first),
          // or the cap. A holder whose window ran out meanwhile is released, and the next round inserts.
          const holder = task.uniqueKey === null ? undefined : await holderOf(query, task.owner, task.uniqueKey, now);
          if (holder) return { row: holder, created: false, notice: null };
          if (maxLivePerOwner !== null && (await liveCount(query, task.owner)) >= maxLivePerOwner)
            throw new TaskLimitError(task.owner, maxLivePerOwner);
          if (round === MAX_INSERT_ROUNDS)
            throw new Error(`Could not insert task ${task.id}: its unique key kept being taken and released`);
        }
      };
      // Without a key or a cap there is nothing to read first: one statement is the transaction.
      // With a cap, the owner's lock is taken at BEGIN, and the INSERT, which counts live tasks,
      // takes its snapshot after it is granted.
      const outcome =
        task.uniqueKey === null && maxLivePerOwner === null
          ? await body(ctx.db.query)
          : await ctx.db.transaction(body, maxLivePerOwner === null ? {} : { lock: `${ctx.schema}/${task.owner}` });
      ctx.deliver([outcome.notice]);
      return { task: toRecord(outcome.row), created: outcome.created };
    },

    /**
     * Inserts several tasks that have no unique key, no cap to check and no parent, in one statement and one
     * notice. Rows are inserted in the given order, so `seq` follows it as it would for separate inserts.
     */
    async insertMany(tasks: readonly NewTask[]): Promise<InsertResult[]> {
      const column = <T>(pick: (task: NewTask) => T) => tasks.map(pick);
      const rows = await ctx.db.query<TaskRow & { kinds: TaskChangeKind[] }>(insertMany, [
        ...announceParams(ctx),
        column((t) => t.id),
        column((t) => t.owner),
        column((t) => t.handler),
        column((t) => json(t.input)),
        column((t) => t.createdAt),
        column((t) => t.ttlMs),
        column((t) => t.expiresAt),
        column((t) => t.pollIntervalMs),
        column((t) => t.maxAttempts),
        column((t) => t.runAt),
        column((t) => t.uniqueUntil),
        column((t) => t.parentId),
        column((t) => json(t.meta)),
        column((t) => t.retryOf),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      ctx.deliverChanges(changesOf(rows));
      return tasks.map((task) => ({ task: toRecord(byId.get(task.id) as TaskRow), created: true }));
    },
  };
}
