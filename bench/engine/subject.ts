/**
 * What each benchmarked system implements. Every scenario measures the same thing on every
 * subject; a subject that cannot do a scenario says why instead of returning numbers.
 */

export interface LatencySamples {
  /** Milliseconds per sample. */
  samples: number[];
  /** How the subject achieves it, when that is not its own push mechanism. */
  note?: string;
}

export type Unsupported = { unsupported: string };

export interface BenchSubject {
  readonly name: string;
  /** Creates `n` no-op tasks (bounded concurrency) and waits until every one is terminal; returns tasks/s. */
  throughput(n: number): Promise<number>;
  /** Create → handler start, one task at a time. */
  createToStart(samples: number): Promise<LatencySamples>;
  /** Handler returns → a waiter on that task is woken with the terminal task. */
  completionToWake(samples: number): Promise<LatencySamples | Unsupported>;
  /** Cancel issued → the running handler observes it, same process. */
  cancelToAbort(samples: number): Promise<LatencySamples | Unsupported>;
  /** Cancel issued → the handler running in another process observes it. */
  crossProcessCancel(samples: number): Promise<LatencySamples | Unsupported>;
  close(): Promise<void>;
}

/** Runs `create` for `n` items with at most `inFlight` outstanding at once. */
export async function boundedAll(n: number, inFlight: number, create: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, n) }, async () => {
      while (next < n) await create(next++);
    }),
  );
}
