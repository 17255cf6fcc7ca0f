/**
 * pg-boss 10 (the last line supporting Node 20) on the same PostgreSQL server, configured for
 * speed within its design: minimum polling interval (0.5 s), four workers, and a batch size the
 * run chooses. Its throughput is bounded by workers × batch ÷ polling interval, so the table
 * shows it at two batch sizes rather than one picked to flatter either side.
 * pg-boss 10 has no completion waiter and no signal to a running handler: the usage pattern is
 * to poll `getJobById`, and cancel only affects jobs that have not started.
 */
import PgBoss from 'pg-boss';
import pg from 'pg';
import { clock } from '../stats.js';
import { boundedAll, type BenchSubject, type LatencySamples, type Unsupported } from '../subject.js';

const QUEUE = 'bench';
const WAITER_POLL_MS = 50;

export class PgBossSubject implements BenchSubject {
  readonly name: string;
  #onJob: (id: string) => void = () => {};

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly schema: string,
    batchSize: number,
  ) {
    this.name = `pg-boss 10, batch ${batchSize}`;
  }

  static async open(connectionString: string, schema: string, batchSize: number): Promise<PgBossSubject> {
    const boss = new PgBoss({ connectionString, schema, supervise: false, schedule: false, max: 10 });
    boss.on('error', (error: unknown) => console.error('pg-boss', error));
    await boss.start();
    await boss.createQueue(QUEUE);
    const self = new PgBossSubject(boss, new pg.Pool({ connectionString, max: 2 }), schema, batchSize);
    for (let i = 0; i < 4; i++) {
      await boss.work(QUEUE, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) self.#onJob(job.id);
      });
    }
    return self;
  }

  async throughput(n: number): Promise<number> {
    const before = await this.#completedCount();
    const started = clock();
    await boundedAll(n, 32, () => this.boss.send(QUEUE, {}));
    while ((await this.#completedCount()) - before < n) await new Promise((r) => setTimeout(r, 10));
    return n / ((clock() - started) / 1000);
  }

  async createToStart(samples: number): Promise<LatencySamples> {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = clock();
      let id: string | null = null;
      const startedAt = new Promise<number>((resolve) => (this.#onJob = (jobId) => jobId === id && resolve(clock())));
      id = await this.boss.send(QUEUE, {});
      out.push((await startedAt) - t0);
    }
    this.#onJob = () => {};
    return { samples: out, note: 'polling at 0.5 s, its minimum' };
  }

  async completionToWake(samples: number): Promise<LatencySamples> {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      let id: string | null = null;
      const ranAt = new Promise<number>((resolve) => (this.#onJob = (jobId) => jobId === id && resolve(clock())));
      id = await this.boss.send(QUEUE, {});
      const returnedAt = await ranAt;
      for (;;) {
        const job = await this.boss.getJobById(QUEUE, id!);
        if (job?.state === 'completed') break;
        await new Promise((r) => setTimeout(r, WAITER_POLL_MS));
      }
      out.push(clock() - returnedAt);
    }
    this.#onJob = () => {};
    return { samples: out, note: `no waiter API: getJobById polled every ${WAITER_POLL_MS} ms` };
  }

  async cancelToAbort(): Promise<Unsupported> {
    return { unsupported: 'no signal reaches a running handler in pg-boss 10' };
  }

  async crossProcessCancel(): Promise<Unsupported> {
    return { unsupported: 'no signal reaches a running handler in pg-boss 10' };
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
    await this.pool.end();
  }

  async #completedCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.schema}.job WHERE name = $1 AND state = 'completed'`,
      [QUEUE],
    );
    return Number(rows[0]!.n);
  }
}
