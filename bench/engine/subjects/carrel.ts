/** Carrel's engine on one backend: the same engine code for memory, SQLite and PostgreSQL. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isTerminal, TaskEngine, type TaskContext, type TaskStore } from '@carrel/tasks';
import { clock } from '../stats.js';
import { openBenchStore, type BenchLocator } from '../stores.js';
import { boundedAll, type BenchSubject, type LatencySamples, type Unsupported } from '../subject.js';

const OWNER = 'bench';
const workerScript = fileURLToPath(new URL('../worker-process.ts', import.meta.url));

/** Hooks the handlers call, so scenarios can timestamp what happens inside the engine. */
interface Probes {
  started?: (id: string) => void;
  aborted?: (id: string) => void;
}

export class CarrelSubject implements BenchSubject {
  readonly name: string;
  #probes: Probes = {};
  /** Releases a `gated` handler so it returns normally. */
  readonly #gates = new Map<string, () => void>();

  readonly engine: TaskEngine;

  private constructor(
    private readonly locator: BenchLocator,
    private readonly store: TaskStore,
    concurrency: number,
  ) {
    this.name = `carrel ${locator.backend}`;
    this.engine = new TaskEngine({
      store,
      concurrency,
      maxLiveTasksPerOwner: null,
      onError: (error) => console.error(error),
      handlers: {
        noop: async () => null,
        probe: async (_: null, ctx: TaskContext) => {
          this.#probes.started?.(ctx.taskId);
          return null;
        },
        gated: (_: null, ctx: TaskContext) =>
          new Promise<null>((resolve) => {
            this.#gates.set(ctx.taskId, () => resolve(null));
            ctx.signal.addEventListener('abort', () => (this.#probes.aborted?.(ctx.taskId), resolve(null)), { once: true });
            this.#probes.started?.(ctx.taskId);
          }).finally(() => this.#gates.delete(ctx.taskId)),
      },
    });
  }

  /** `concurrency`: handlers run at once on the node (pg-boss, for comparison, holds up to 4 × its batch size). */
  static async open(locator: BenchLocator, concurrency: number): Promise<CarrelSubject> {
    const subject = new CarrelSubject(locator, await openBenchStore(locator), concurrency);
    await subject.engine.start();
    return subject;
  }

  async throughput(n: number): Promise<number> {
    let remaining = n;
    const allDone = new Promise<void>((resolve) => {
      const off = this.store.subscribe((change) => {
        if (change.kind === 'status' && isTerminal(change.status) && --remaining === 0) {
          off();
          resolve();
        }
      });
    });
    const started = clock();
    await boundedAll(n, 32, () => this.engine.create({ handler: 'noop', input: null, owner: OWNER }));
    await allDone;
    return n / ((clock() - started) / 1000);
  }

  async createToStart(samples: number): Promise<LatencySamples> {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const startedAt = new Promise<number>((resolve) => (this.#probes = { started: () => resolve(clock()) }));
      const t0 = clock();
      const { task } = await this.engine.create({ handler: 'probe', input: null, owner: OWNER });
      out.push((await startedAt) - t0);
      await this.engine.waitForTerminal(task.id, OWNER);
    }
    this.#probes = {};
    return { samples: out };
  }

  async completionToWake(samples: number): Promise<LatencySamples> {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = new Promise<void>((resolve) => (this.#probes = { started: () => resolve() }));
      const { task } = await this.engine.create({ handler: 'gated', input: null, owner: OWNER });
      await started;
      const woken = this.engine.waitForTerminal(task.id, OWNER).then(() => clock());
      await new Promise((r) => setTimeout(r, 5));
      const returnedAt = clock();
      this.#gates.get(task.id)!();
      out.push((await woken) - returnedAt);
    }
    this.#probes = {};
    return { samples: out };
  }

  async cancelToAbort(samples: number): Promise<LatencySamples> {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = new Promise<void>((resolve) => (this.#probes = { started: () => resolve() }));
      const abortedAt = new Promise<number>((resolve) => (this.#probes.aborted = () => resolve(clock())));
      const { task } = await this.engine.create({ handler: 'gated', input: null, owner: OWNER });
      await started;
      const t0 = clock();
      await this.engine.cancel(task.id, OWNER);
      out.push((await abortedAt) - t0);
    }
    this.#probes = {};
    return { samples: out };
  }

  async crossProcessCancel(samples: number): Promise<LatencySamples | Unsupported> {
    if (this.locator.backend === 'memory') return { unsupported: 'a memory store lives in one process' };
    const child = spawn(process.execPath, ['--conditions=carrel-source', '--import', 'tsx', workerScript, JSON.stringify(this.locator)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = lineReader(child.stdout!);
    try {
      await lines.next(/^ready$/);
      const client = new TaskEngine({ store: this.store, handlers: { hang: async () => null }, concurrency: 0, onError: () => {} });
      const out: number[] = [];
      for (let i = 0; i < samples; i++) {
        const { task } = await client.create({ handler: 'hang', input: null, owner: OWNER });
        await lines.next(new RegExp(`^started ${task.id}$`));
        const t0 = clock();
        await client.cancel(task.id, OWNER);
        const [, at] = await lines.next(new RegExp(`^aborted ${task.id} ([\\d.]+)$`));
        out.push(Number(at) - t0);
      }
      return { samples: out };
    } finally {
      child.kill('SIGTERM');
    }
  }

  async close(): Promise<void> {
    await this.engine.stop();
    await this.store.close();
  }
}

function lineReader(stream: NodeJS.ReadableStream) {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  return {
    next: (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve) => {
        const check = () => {
          const index = lines.findIndex((l) => pattern.test(l));
          if (index >= 0) {
            waiters.delete(check);
            resolve(lines.splice(index, 1)[0]!.match(pattern)!);
          }
        };
        waiters.add(check);
        check();
      }),
  };
}
