/**
 * Comparing the running time of two inputs in one test. Machines are noisy and shared, so tests
 * assert a generous ratio between a hostile input and a benign one of the same size, measured
 * interleaved, never an absolute time; each side's fastest run is the least disturbed estimate.
 *
 * @module
 */

/** The fastest of `runs` interleaved timings of each function, in milliseconds. */
export function fastestOf(fns: readonly (() => unknown)[], runs = 3): number[] {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < runs; r++) {
    fns.forEach((fn, i) => {
      const start = performance.now();
      fn();
      best[i] = Math.min(best[i]!, performance.now() - start);
    });
  }
  return best;
}

/** Async variant of {@link fastestOf}. */
export async function fastestOfAsync(fns: readonly (() => Promise<unknown>)[], runs = 3): Promise<number[]> {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < runs; r++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      await fn();
      best[i] = Math.min(best[i]!, performance.now() - start);
    }
  }
  return best;
}
