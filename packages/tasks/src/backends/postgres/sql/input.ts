/**
 * Input requests and responses. Both read the task under `SELECT … FOR UPDATE`, decide in
 * JavaScript exactly as the reference store does, and write back in the same transaction with a
 * compare-and-set UPDATE whose expected statuses come from `task.ts`.
 *
 * @module
 */
import type {
  ForgetInputArgs,
  RequestInputArgs,
  RequestInputResult,
  RespondArgs,
  RespondResult,
  TaskChangeKind,
  TaskStore,
} from '../../../store.js';
import { isTerminal, LIVE_STATUSES, outstandingInputKeys, setOwnEntry, statusesLeadingTo, type TaskStatus } from '../../../task.js';
import { announce, announceParams, type StoreContext } from '../context.js';
import type { Query } from '../database.js';
import { json, TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

/** The compare-and-set write both verbs end with, on the row they hold locked. */
interface Write {
  id: string;
  status: TaskStatus;
  from: readonly TaskStatus[];
  kinds: TaskChangeKind[];
  now: number;
  /** `drop` also gives back the attempt the lost lease had spent. */
  lease: 'keep' | 'drop';
  set: { input_requests?: unknown; input_responses?: unknown };
}

/** `requestInput`, `respond` and `forgetInput`. */
export function prepareInput(ctx: StoreContext): Pick<TaskStore, 'requestInput' | 'respond' | 'forgetInput'> {
  const held = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1 AND lease_worker = $2 AND status = ANY($3) FOR UPDATE`;
  const byId = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1 FOR UPDATE`;
  const update = `WITH changed AS (
       UPDATE ${ctx.tasks}
       SET status = $4, updated_at = $5,
           input_requests = COALESCE($6::jsonb, input_requests), input_responses = COALESCE($7::jsonb, input_responses),
           lease_worker = CASE WHEN $8 THEN NULL ELSE lease_worker END,
           lease_expires_at = CASE WHEN $8 THEN NULL ELSE lease_expires_at END,
           attempt = CASE WHEN $8 THEN GREATEST(0, attempt - 1) ELSE attempt END
       WHERE id = $3 AND status = ANY($9)
       RETURNING ${TASK_COLUMNS}
     )
     SELECT changed.*, ${announce(ctx, '$10::text[]', 'changed')} AS notice FROM changed`;

  const write = async (query: Query, w: Write): Promise<[TaskRow, string | null]> => {
    const [row] = await query<TaskRow & { notice: string | null }>(update, [
      ...announceParams(ctx),
      w.id,
      w.status,
      w.now,
      w.set.input_requests === undefined ? null : json(w.set.input_requests),
      w.set.input_responses === undefined ? null : json(w.set.input_responses),
      w.lease === 'drop',
      w.from,
      w.kinds,
    ]);
    // The row is locked by this transaction, so the guard cannot fail unless the rules changed.
    if (!row) throw new Error(`Task ${w.id} changed status while locked: expected one of ${w.from.join(', ')}`);
    return [row, row.notice];
  };

  return {
    /** Asks for input under `key`: the stored answer if there is one, else the task waits for it. */
    async requestInput({ id, worker, key, request, now }: RequestInputArgs): Promise<RequestInputResult | null> {
      const outcome = await ctx.db.transaction(async (query) => {
        const [task] = await query<TaskRow>(held, [id, worker, LIVE_STATUSES]);
        if (!task) return { result: null, notice: null };
        if (Object.hasOwn(task.input_responses, key))
          return { result: { answered: true, response: task.input_responses[key] } as const, notice: null };
        const requests = task.input_requests;
        if (!Object.hasOwn(requests, key)) setOwnEntry(requests, key, { request, requestedAt: now });
        const kinds: TaskChangeKind[] = task.status === 'input_required' ? ['input'] : ['status', 'input'];
        const from = task.status === 'input_required' ? LIVE_STATUSES : statusesLeadingTo('input_required');
        const [, notice] = await write(query, {
          id,
          status: 'input_required',
          from,
          kinds,
          now,
          lease: 'keep',
          set: { input_requests: requests },
        });
        return { result: { answered: false } as const, notice };
      });
      ctx.deliver([outcome.notice]);
      return outcome.result;
    },

    /**
     * Answers outstanding requests. When none is left the task resumes `working`; if its worker's
     * lease has expired meanwhile, the lease is dropped without spending the attempt so any node can
     * pick the task up again.
     */
    async respond({ id, responses, now }: RespondArgs): Promise<RespondResult | null> {
      const outcome = await ctx.db.transaction(async (query) => {
        const [task] = await query<TaskRow>(byId, [id]);
        if (!task) return null;
        const record = toRecord(task);
        if (isTerminal(record.status)) return { result: { task: record, accepted: [] }, notice: null };
        const outstanding = new Set(outstandingInputKeys(record));
        const accepted = Object.keys(responses).filter((key) => outstanding.has(key));
        if (accepted.length === 0) return { result: { task: record, accepted }, notice: null };

        for (const key of accepted) setOwnEntry(record.inputResponses, key, responses[key]);
        const resumes = record.status === 'input_required' && outstandingInputKeys(record).length === 0;
        const orphaned = resumes && record.lease !== null && record.lease.expiresAt <= now;
        const kinds: TaskChangeKind[] = ['input'];
        if (resumes) kinds.push('status');
        if (resumes && (record.lease === null || orphaned)) kinds.push('runnable');
        const [row, notice] = await write(query, {
          id,
          status: resumes ? 'working' : record.status,
          from: resumes ? statusesLeadingTo('working') : LIVE_STATUSES,
          kinds,
          now,
          lease: orphaned ? 'drop' : 'keep',
          set: { input_responses: record.inputResponses },
        });
        return { result: { task: toRecord(row), accepted }, notice };
      });
      if (!outcome) return null;
      ctx.deliver([outcome.notice]);
      return outcome.result;
    },

    /** Removes both entries under `key`; the old row version stays in the table until vacuumed. */
    async forgetInput({ id, key, now }: ForgetInputArgs): Promise<boolean> {
      const rows = await ctx.db.query<{ id: string }>(
        `UPDATE ${ctx.tasks} SET input_requests = input_requests - $2::text, input_responses = input_responses - $2::text, updated_at = $3
         WHERE id = $1 AND (input_requests ? $2::text OR input_responses ? $2::text)
         RETURNING id`,
        [id, key, now],
      );
      return rows.length > 0;
    },
  };
}
