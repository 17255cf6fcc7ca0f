/**
 * `insert`: one write transaction that checks a child's parent is live, releases a unique key
 * whose window has passed, checks the owner's live-task limit, and inserts. The unique key is the `(owner, unique_slot)` index, not a
 * prior read: `ON CONFLICT DO NOTHING` means the key is held, and the holder is returned.
 * The task's `seq` comes from `carrel_task_sequence`; an insert that finds its key held leaves a
 * gap there, which costs nothing (seqs only need to grow).
 *
 * @module
 */
import { TaskLimitError } from '../../../errors.js';
import { assertLiveParent, type InsertOptions, type InsertResult, type NewTask, type TaskStore } from '../../../store.js';
import type { StoreContext, Synchronous } from '../context.js';
import { HELD, json, toRecord, type TaskRow } from '../task-row.js';

type InsertParams = Omit<
  TaskRow,
  | 'status'
  | 'status_message'
  | 'progress'
  | 'updated_at'
  | 'attempt'
  | 'lease_worker'
  | 'lease_expires_at'
  | 'outcome'
  | 'last_error'
  | 'input_requests'
  | 'input_responses'
  | 'started_at'
  | 'finished_at'
  | 'node'
>;

/** `insert`. */
export function prepareInsert({ db, record }: StoreContext): Synchronous<Pick<TaskStore, 'insert'>> {
  const releaseExpiredSlot = db.prepare<[string, string, number]>(
    'UPDATE carrel_tasks SET unique_slot = NULL WHERE owner = ? AND unique_slot = ? AND unique_until IS NOT NULL AND unique_until <= ?',
  );
  const holder = db.prepare<[string, string], TaskRow>('SELECT * FROM carrel_tasks WHERE owner = ? AND unique_slot = ?');
  const parentStatus = db.prepare<[string], Pick<TaskRow, 'status'>>('SELECT status FROM carrel_tasks WHERE id = ?');
  const countLive = db.prepare<[string], number>(`SELECT count(*) FROM carrel_tasks WHERE owner = ? AND status IN (${HELD})`).pluck();
  const nextSeq = db.prepare<[], number>('UPDATE carrel_task_sequence SET last = last + 1 WHERE id = 1 RETURNING last').pluck();
  const insert = db.prepare<[InsertParams], TaskRow>(
    `INSERT INTO carrel_tasks (id, seq, owner, handler, input, status, created_at, updated_at, ttl_ms, expires_at, poll_interval_ms, max_attempts,
       run_at, unique_key, unique_until, unique_slot, parent_id, meta, retry_of)
     VALUES (:id, :seq, :owner, :handler, :input, 'working', :created_at, :created_at, :ttl_ms, :expires_at, :poll_interval_ms, :max_attempts,
       :run_at, :unique_key, :unique_until, :unique_slot, :parent_id, :meta, :retry_of)
     ON CONFLICT (owner, unique_slot) WHERE unique_slot IS NOT NULL DO NOTHING
     RETURNING *`,
  );

  const existing = (task: NewTask): InsertResult | null => {
    const row = task.uniqueKey === null ? undefined : holder.get(task.owner, task.uniqueKey);
    return row ? { task: toRecord(row), created: false } : null;
  };

  const insertTask = (task: NewTask, { maxLivePerOwner, now }: InsertOptions): InsertResult => {
    // Writers take turns on SQLite, so a cancel of the parent is wholly before or after this.
    if (task.parentId !== null) assertLiveParent(task.parentId, parentStatus.get(task.parentId));
    if (task.uniqueKey !== null) releaseExpiredSlot.run(task.owner, task.uniqueKey, now);
    // A held key answers before the limit is checked: repeating a create never fails for being over it.
    if (maxLivePerOwner !== null && countLive.get(task.owner)! >= maxLivePerOwner) {
      const held = existing(task);
      if (held) return held;
      throw new TaskLimitError(task.owner, maxLivePerOwner);
    }
    const row = insert.get({
      id: task.id,
      seq: nextSeq.get()!,
      owner: task.owner,
      handler: task.handler,
      input: json(task.input),
      created_at: task.createdAt,
      ttl_ms: task.ttlMs,
      expires_at: task.expiresAt,
      poll_interval_ms: task.pollIntervalMs,
      max_attempts: task.maxAttempts,
      run_at: task.runAt,
      unique_key: task.uniqueKey,
      unique_until: task.uniqueUntil,
      unique_slot: task.uniqueKey,
      parent_id: task.parentId,
      meta: json(task.meta),
      retry_of: task.retryOf,
    });
    // Nothing inserted: the key is held, and the holder is visible in this same transaction.
    if (!row) return existing(task) as InsertResult;
    record(row, 'created');
    return { task: toRecord(row), created: true };
  };

  return { insert: insertTask };
}
