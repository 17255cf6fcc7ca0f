/**
 * `takeToken`: spends one token of an owner's task-creation bucket, refilled to `now` first. One
 * upsert that writes only when a token is there (concurrent calls from any node queue on the
 * bucket's row, and each sees the one before it); a refusal reads the bucket to say how long to wait.
 *
 * @module
 */
import type { TakeTokenArgs, TaskStore } from '../../../store.js';
import type { StoreContext } from '../context.js';

/** The bucket refilled to $3 (a clock that stepped back refills nothing), capped at $2 tokens, at $4 tokens a millisecond. */
const REFILLED = 'LEAST($2::float8, b.tokens + GREATEST(0, $3::bigint - b.at) * $4::float8)';

/** `takeToken`. */
export function prepareRate(ctx: StoreContext): Pick<TaskStore, 'takeToken'> {
  const buckets = `${ctx.quotedSchema}.rate_buckets`;
  const spend = `INSERT INTO ${buckets} AS b (owner, tokens, at) VALUES ($1, $2::float8 - 1, $3::bigint)
     ON CONFLICT (owner) DO UPDATE SET tokens = ${REFILLED} - 1, at = GREATEST(b.at, $3::bigint) WHERE ${REFILLED} >= 1
     RETURNING tokens`;
  const left = `SELECT ${REFILLED} AS tokens FROM ${buckets} b WHERE owner = $1`;

  return {
    async takeToken({ owner, perMinute, burst, now }: TakeTokenArgs): Promise<number> {
      const params = [owner, burst, now, perMinute / 60_000];
      if ((await ctx.db.query(spend, params)).length > 0) return 0;
      const [bucket] = await ctx.db.query<{ tokens: number }>(left, params);
      return Math.ceil((1 - (bucket?.tokens ?? 0)) / (perMinute / 60_000));
    },
  };
}
