/**
 * graphile-worker 0.17 on the same PostgreSQL server, at a given concurrency (`concurrentJobs`),
 * with the settings its performance page used for its own figures: LISTEN/NOTIFY for new jobs
 * (its default), a local queue of 500 jobs fetched per query, and completions batched
 * (`completeJobBatchDelay: 0`, `failJobBatchDelay: 0`). Jobs are added one per call, as Carrel
 * creates tasks one per call; `bulk` adds them with `addJobs` in batches of `BULK_SIZE`
 * instead, a shape Carrel's API does not offer (shown as its own row).
 *
 * A job is terminal when its row is gone: graphile-worker deletes a job once it completes.
 * graphile-worker has no completion waiter and no cancel of a running job (its `abortSignal`
 * fires only when the worker shuts down).
 */
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { clock } from '../stats.js';
import { boundedAll, type BenchSubject, type LatencySamples, type Unsupported } from '../subject.js';

const TASK = 'noop';
/** Jobs per `addJobs` call in the bulk variant. */
const BULK_SIZE = 100;
/** Only errors reach the console: an info line per job would be the benchmark's main cost. */
const quiet = new Logger(() => (level, message) => {
  if (level === 'error') console.error('graphile-worker', message);
});

export class GraphileWorkerSubject implements BenchSubject {
  readonly name: string;

  private constructor(
    private readonly runner: Runner,
    private readonly utils: WorkerUtils,
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly bulk: boolean,
    concurrency: number,
    /** Called by the handler with the id of each job it starts. */
    private readonly probe: { onJob(id: string): void },
  ) {
    this.name = `graphile-worker 0.17${bulk ? `, addJobs × ${BULK_SIZE}` : ''}, concurrency ${concurrency}`;
  }

  static async open(connectionString: string, schema: string, concurrency: number, { bulk = false } = {}): Promise<GraphileWorkerSubject> {
    // One pool for the worker and the creators, sized as graphile-worker sizes its own.
    const pool = new pg.Pool({ connectionString, max: Math.max(10, concurrency + 2) });
    pool.on('error', () => undefined);
    // graphile-worker warns unless a lost idle connection is handled on the pool and its clients.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const probe = { onJob: (_id: string) => {} };
    const runner = await run({
      pgPool: pool,
      schema,
      concurrency,
      noHandleSignals: true,
      logger: quiet,
      taskList: { [TASK]: async (_payload, helpers) => probe.onJob(helpers.job.id) },
      preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    const utils = await makeWorkerUtils({ pgPool: pool, schema, logger: quiet });
    return new GraphileWorkerSubject(runner, utils, pool, schema, bulk, concurrency, probe);
  }

  async throughput(n: number): Promise<number> {
    // Counted by the handler rather than by polling the table, which would load the database
    // graphile-worker runs on for the whole run.
    let ran = 0;
    const allRan = new Promise<void>((resolve) => (this.probe.onJob = () => ++ran === n && resolve()));
    const started = clock();
    if (this.bulk) {
      await boundedAll(Math.ceil(n / BULK_SIZE), 32, (i) =>
        this.utils.addJobs(Array.from({ length: Math.min(BULK_SIZE, n - i * BULK_SIZE) }, () => ({ identifier: TASK, payload: {} }))),
      );
    } else {
      await boundedAll(n, 32, () => this.runner.addJob(TASK, {}));
    }
    await allRan;
    // The last completions are still being written, in batches: a job is terminal once its row is gone.
    while ((await this.#jobsLeft()) > 0) await new Promise((r) => setTimeout(r, 2));
    this.probe.onJob = () => {};
    return n / ((clock() - started) / 1000);
  }

  async createToStart(samples: number): Promise<LatencySamples> {
    // The job may start before `addJob` returns its id, so start times are kept by id.
    const startedAt = new Map<string, number>();
    let wake = () => {};
    this.probe.onJob = (id) => (startedAt.set(id, clock()), wake());
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = clock();
      const { id } = await this.runner.addJob(TASK, {});
      while (!startedAt.has(id)) await new Promise<void>((resolve) => (wake = resolve));
      out.push(startedAt.get(id)! - t0);
    }
    this.probe.onJob = () => {};
    return { samples: out };
  }

  async completionToWake(): Promise<Unsupported> {
    return { unsupported: 'no completion waiter: a completed job is deleted' };
  }

  async cancelToAbort(): Promise<Unsupported> {
    return { unsupported: 'no cancel of a running job (its abortSignal fires only at shutdown)' };
  }

  async crossProcessCancel(): Promise<Unsupported> {
    return { unsupported: 'no cancel of a running job (its abortSignal fires only at shutdown)' };
  }

  async close(): Promise<void> {
    await this.runner.stop();
    await this.utils.release();
    await this.pool.end();
  }

  /** Jobs not yet completed: a completed job's row is deleted. */
  async #jobsLeft(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.schema}._private_jobs`);
    return Number(rows[0]!.n);
  }
}
