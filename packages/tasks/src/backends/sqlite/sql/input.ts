/**
 * What a running handler asks and the answers that come back: `requestInput` (moves the task to
 * `input_required`), `respond` (moves it back to `working` once nothing is outstanding) and
 * `forgetInput` (a sensitive answer removed once its handler has it). The
 * keyed requests and responses are JSON objects in their columns, read and rewritten inside the
 * store's write transaction.
 *
 * @module
 */
import type { ForgetInputArgs, RequestInputArgs, RequestInputResult, RespondArgs, RespondResult, TaskStore } from '../../../store.js';
import { isTerminal, outstandingInputKeys, statusesLeadingTo, type InputRequestRecord } from '../../../task.js';
import type { StoreContext, Synchronous } from '../context.js';
import { CHANGE_COLUMNS, HELD, json, sqlStatuses, toRecord, type ChangeColumns, type TaskRow } from '../task-row.js';

interface AnswerParams {
  id: string;
  status: string;
  input_responses: string;
  orphaned: 0 | 1;
  now: number;
}

/** `requestInput`, `respond` and `forgetInput`. */
export function prepareInput({ db, record }: StoreContext): Synchronous<Pick<TaskStore, 'requestInput' | 'respond' | 'forgetInput'>> {
  const byId = db.prepare<[string], TaskRow>('SELECT * FROM carrel_tasks WHERE id = ?');
  const held = db.prepare<[string, string], TaskRow>(
    `SELECT * FROM carrel_tasks WHERE id = ? AND lease_worker = ? AND status IN (${HELD})`,
  );
  // Asking again while already waiting is not a move, so the guard is every held status.
  const ask = db.prepare<[string, number, string, string], ChangeColumns>(
    `UPDATE carrel_tasks SET status = 'input_required', input_requests = ?, updated_at = ?
     WHERE id = ? AND lease_worker = ? AND status IN (${HELD})
     RETURNING ${CHANGE_COLUMNS}`,
  );
  // An answer that leaves nothing outstanding resumes the task; if its worker's lease has lapsed
  // meanwhile, the task is unleased so any worker can claim it, without spending an attempt.
  const answerAndResume = db.prepare<[AnswerParams], TaskRow>(
    `UPDATE carrel_tasks
     SET status = 'working', input_responses = :input_responses, updated_at = :now,
         lease_worker = CASE WHEN :orphaned THEN NULL ELSE lease_worker END,
         lease_expires_at = CASE WHEN :orphaned THEN NULL ELSE lease_expires_at END,
         attempt = CASE WHEN :orphaned THEN max(0, attempt - 1) ELSE attempt END
     WHERE id = :id AND status = :status AND status IN (${sqlStatuses(statusesLeadingTo('working'))})
     RETURNING *`,
  );
  const answer = db.prepare<[Omit<AnswerParams, 'orphaned'>], TaskRow>(
    `UPDATE carrel_tasks SET input_responses = :input_responses, updated_at = :now
     WHERE id = :id AND status = :status AND status IN (${HELD})
     RETURNING *`,
  );
  const inputs = db.prepare<[string], Pick<TaskRow, 'input_requests' | 'input_responses'>>(
    'SELECT input_requests, input_responses FROM carrel_tasks WHERE id = ?',
  );
  const forget = db.prepare<[string, string, number, string]>(
    'UPDATE carrel_tasks SET input_requests = ?, input_responses = ?, updated_at = ? WHERE id = ?',
  );

  return {
    requestInput({ id, worker, key, request, now }: RequestInputArgs): RequestInputResult | null {
      const row = held.get(id, worker);
      if (!row) return null;
      // Own keys only, so a key such as `toString` or `__proto__` is an ordinary key.
      const responses = JSON.parse(row.input_responses) as Record<string, unknown>;
      if (Object.hasOwn(responses, key)) return { answered: true, response: responses[key] };
      let requests = JSON.parse(row.input_requests) as Record<string, InputRequestRecord>;
      if (!Object.hasOwn(requests, key)) requests = { ...requests, [key]: { request, requestedAt: now } };
      const updated = ask.get(json(requests), now, id, worker);
      if (!updated) return null;
      if (row.status !== 'input_required') record(updated, 'status');
      record(updated, 'input');
      return { answered: false };
    },

    respond({ id, responses, now }: RespondArgs): RespondResult | null {
      const row = byId.get(id);
      if (!row) return null;
      const task = toRecord(row);
      if (isTerminal(task.status)) return { task, accepted: [] };
      const outstanding = new Set(outstandingInputKeys(task));
      const accepted = Object.keys(responses).filter((key) => outstanding.has(key));
      if (accepted.length === 0) return { task, accepted };
      task.inputResponses = { ...task.inputResponses, ...Object.fromEntries(accepted.map((key) => [key, responses[key]])) };
      const params = { id, status: task.status, input_responses: json(task.inputResponses), now };
      const resumes = task.status === 'input_required' && outstandingInputKeys(task).length === 0;
      const orphaned = resumes && task.lease !== null && task.lease.expiresAt <= now;
      const updated = resumes ? answerAndResume.get({ ...params, orphaned: orphaned ? 1 : 0 }) : answer.get(params);
      if (!updated) return { task: toRecord(row), accepted: [] };
      record(updated, 'input');
      if (resumes) record(updated, 'status');
      if (resumes && updated.lease_worker === null) record(updated, 'runnable');
      return { task: toRecord(updated), accepted };
    },

    forgetInput({ id, key, now }: ForgetInputArgs): boolean {
      const row = inputs.get(id);
      if (!row) return false;
      const requests = JSON.parse(row.input_requests) as Record<string, unknown>;
      const responses = JSON.parse(row.input_responses) as Record<string, unknown>;
      if (!Object.hasOwn(requests, key) && !Object.hasOwn(responses, key)) return false;
      delete requests[key];
      delete responses[key];
      // The connection runs with secure_delete=FAST (see sqlite-store.ts): the old row's bytes are zeroed, not left in a free block.
      forget.run(json(requests), json(responses), now, id);
      return true;
    },
  };
}
