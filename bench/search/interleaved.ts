/**
 * The timing loop the search benches share: every query is run once on each side per round, the
 * side that goes first alternating by query and by round, so neither side always runs on a cache
 * the other just warmed or pays for the other's garbage; and how their figures are summed up.
 *
 * @module
 */
import { loadavg } from 'node:os';

/** The load averages, for the report next to the figures. */
export const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
export const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
export const median = (xs: number[]) => quantile(xs, 0.5);

/** Each side's latencies in ms, one array per round. */
export async function interleavedRounds<Side extends string, Query>(
  sides: Readonly<Record<Side, (query: Query) => Promise<unknown>>>,
  queries: readonly Query[],
  rounds: number,
): Promise<Record<Side, number[][]>> {
  const names = Object.keys(sides) as Side[];
  const times = Object.fromEntries(names.map((side) => [side, [] as number[][]])) as Record<Side, number[][]>;
  for (let round = 0; round < rounds; round++) {
    for (const side of names) times[side].push([]);
    for (const [i, query] of queries.entries()) {
      for (const side of (i + round) % 2 === 0 ? names : [...names].reverse()) {
        const start = performance.now();
        await sides[side](query);
        times[side][round]!.push(performance.now() - start);
      }
    }
  }
  return times;
}
