/**
 * `takeToken`: spends one token of an owner's task-creation bucket, refilled to `now` first. One
 * upsert that writes only when a token is there; a refusal reads the bucket to say how long to wait.
 *
 * @module
 */
import type { TakeTokenArgs, TaskStore } from '../../../store.js';
import type { StoreContext, Synchronous } from '../context.js';

/** The bucket refilled to :now (a clock that stepped back refills nothing), capped at :burst. */
const REFILLED = 'min(:burst, tokens + max(0, :now - at) * :rate)';

/** `takeToken`. */
export function prepareRate({ db }: StoreContext): Synchronous<Pick<TaskStore, 'takeToken'>> {
  type Params = { owner: string; burst: number; now: number; rate: number };
  const spend = db.prepare<Params, { tokens: number }>(
    `INSERT INTO carrel_rate_buckets (owner, tokens, at) VALUES (:owner, :burst - 1, :now)
     ON CONFLICT (owner) DO UPDATE SET tokens = ${REFILLED} - 1, at = max(at, :now) WHERE ${REFILLED} >= 1
     RETURNING tokens`,
  );
  const left = db.prepare<Params, number>(`SELECT ${REFILLED} FROM carrel_rate_buckets WHERE owner = :owner`).pluck();

  return {
    takeToken({ owner, perMinute, burst, now }: TakeTokenArgs): number {
      const params = { owner, burst, now, rate: perMinute / 60_000 };
      if (spend.get(params)) return 0;
      return Math.ceil((1 - (left.get(params) ?? 0)) / params.rate);
    },
  };
}
