/**
 * `insert`: one transaction that releases a unique key whose window has passed, returns the
 * live holder of the key if there is one, checks the owner's live-task cap, and inserts.
 *
 * Uniqueness is enforced by the partial unique index on (owner, unique_slot), not by the read:
 * `INSERT … ON CONFLICT DO NOTHING` waits for a concurrent creator of the same key to commit,
 * and when it wins, the next statement (a new READ COMMITTED snapshot) sees the winner.
 * The live cap is counted under a per-owner advisory lock, in a statement after the lock is
 * taken, so that its snapshot includes every insert committed by the previous lock holder.
 *
 * @module
 */
import { TaskLimitError } from '../../../errors.js';
import type { InsertResult, NewTask } from '../../../store.js';
import { LIVE_STATUSES } from '../../../task.js';
import { announce, announceParams, type StoreContext } from '../context.js';
import type { Query } from '../database.js';
import { json, TASK_COLUMNS, toRecord, type TaskRow } from '../row.js';

/** A holder released between our conflict and our read leaves nothing to return: insert again. */
const MAX_INSERT_ROUNDS = 5;

export async function insertTask(ctx: StoreContext, task: NewTask, { maxLivePerOwner, now }: { maxLivePerOwner: number | null; now: number }): Promise<InsertResult> {
  const outcome = await ctx.db.transaction(async (query) => {
    if (task.uniqueKey !== null) {
      const holder = await releaseExpiredOrFindHolder(ctx, query, task.owner, task.uniqueKey, now);
      if (holder) return { row: holder, created: false, notice: null };
    }
    if (maxLivePerOwner !== null) {
      await query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${ctx.schema}/${task.owner}`]);
      const [{ live } = { live: 0 }] = await query<{ live: number }>(`SELECT count(*) AS live FROM ${ctx.tasks} WHERE owner = $1 AND status = ANY($2)`, [task.owner, LIVE_STATUSES]);
      if (live >= maxLivePerOwner) {
        // A holder that appeared meanwhile is still the answer, as if it had been found first.
        const holder = task.uniqueKey === null ? undefined : await findHolder(ctx, query, task.owner, task.uniqueKey);
        if (holder) return { row: holder, created: false, notice: null };
        throw new TaskLimitError(task.owner, maxLivePerOwner);
      }
    }
    for (let round = 1; ; round++) {
      const [inserted] = await query<TaskRow & { notice: string }>(INSERT(ctx), [
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
      ]);
      if (inserted) return { row: inserted, created: true, notice: inserted.notice };
      const holder = await findHolder(ctx, query, task.owner, task.uniqueKey as string);
      if (holder) return { row: holder, created: false, notice: null };
      if (round === MAX_INSERT_ROUNDS) throw new Error(`Could not insert task ${task.id}: its unique key kept being taken and released`);
    }
  });
  ctx.deliver([outcome.notice]);
  return { task: toRecord(outcome.row), created: outcome.created };
}

const INSERT = (ctx: StoreContext) => `
  WITH inserted AS (
    INSERT INTO ${ctx.tasks} (id, owner, handler, input, status, created_at, updated_at, ttl_ms, expires_at, poll_interval_ms, max_attempts, run_at, unique_key, unique_until, unique_slot, parent_id, meta)
    VALUES ($3, $4, $5, $6::jsonb, 'working', $7, $7, $8, $9, $10, $11, $12, $13, $14, $13, $15, $16::jsonb)
    ON CONFLICT (owner, unique_slot) WHERE unique_slot IS NOT NULL DO NOTHING
    RETURNING ${TASK_COLUMNS}
  )
  SELECT inserted.*, ${announce(ctx, `ARRAY['created']`, 'inserted')} AS notice FROM inserted`;

/**
 * Releases the key if its holder's window has passed, and returns a holder whose window has
 * not. One statement, whose SELECT sees the rows as they were before the UPDATE: filtering on
 * the window (rather than on what this UPDATE released) also skips a holder that a concurrent
 * creator released and replaced while this statement waited for its row lock.
 */
async function releaseExpiredOrFindHolder(ctx: StoreContext, query: Query, owner: string, uniqueKey: string, now: number): Promise<TaskRow | undefined> {
  const [holder] = await query<TaskRow>(
    `WITH released AS (
       UPDATE ${ctx.tasks} SET unique_slot = NULL
       WHERE owner = $1 AND unique_slot = $2 AND unique_until IS NOT NULL AND unique_until <= $3
     )
     SELECT ${TASK_COLUMNS} FROM ${ctx.tasks}
     WHERE owner = $1 AND unique_slot = $2 AND (unique_until IS NULL OR unique_until > $3)`,
    [owner, uniqueKey, now],
  );
  return holder;
}

async function findHolder(ctx: StoreContext, query: Query, owner: string, uniqueKey: string): Promise<TaskRow | undefined> {
  const [holder] = await query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE owner = $1 AND unique_slot = $2`, [owner, uniqueKey]);
  return holder;
}
