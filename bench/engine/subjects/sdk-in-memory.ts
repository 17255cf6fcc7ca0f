/**
 * The MCP TypeScript SDK v1 (1.32.2) `InMemoryTaskStore`, used the way its docs and the SDK's
 * own `tasks/result` do: the tool creates the task and starts detached work; the work stores the
 * result; `tasks/result` re-reads the store every `pollInterval` (SDK default 1000 ms) until the
 * task is terminal. Cancel only flips the status: the work notices when it next checks the store
 * between steps (every 100 ms here). Nothing survives a restart, and there is only one process.
 */
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { clock } from '../stats.js';
import { boundedAll, type BenchSubject, type LatencySamples, type Unsupported } from '../subject.js';

const POLL_INTERVAL_MS = 1_000;
const WORK_STEP_MS = 100;
const request = { method: 'tools/call', params: { name: 'noop', arguments: {} } } as const;

export class SdkInMemorySubject implements BenchSubject {
  readonly name = 'MCP SDK v1 InMemoryTaskStore';
  readonly #store = new InMemoryTaskStore();
  #requestId = 0;

  async throughput(n: number): Promise<number> {
    const work: Promise<void>[] = [];
    const started = clock();
    await boundedAll(n, 32, async () => {
      const task = await this.#store.createTask({ ttl: 60_000, pollInterval: POLL_INTERVAL_MS }, ++this.#requestId, request);
      work.push((async () => this.#store.storeTaskResult(task.taskId, 'completed', { content: [] }))());
    });
    await Promise.all(work);
    return n / ((clock() - started) / 1000);
  }

  async createToStart(samples: number): Promise<LatencySamples> {
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = clock();
      const task = await this.#store.createTask({ ttl: 60_000 }, ++this.#requestId, request);
      const startedAt = await new Promise<number>((resolve) => void (async () => resolve(clock()))());
      out.push(startedAt - t0);
      await this.#store.storeTaskResult(task.taskId, 'completed', { content: [] });
    }
    return { samples: out, note: 'detached promise in the same process' };
  }

  async completionToWake(samples: number): Promise<LatencySamples> {
    const out = await Promise.all(
      Array.from({ length: samples }, async () => {
        const task = await this.#store.createTask({ ttl: 60_000, pollInterval: POLL_INTERVAL_MS }, ++this.#requestId, request);
        let returnedAt = 0;
        setTimeout(
          () => {
            returnedAt = clock();
            void this.#store.storeTaskResult(task.taskId, 'completed', { content: [] });
          },
          Math.random() * POLL_INTERVAL_MS * 2,
        );
        // tasks/result: read, and if not terminal wait pollInterval before reading again.
        for (;;) {
          const current = await this.#store.getTask(task.taskId);
          if (current && current.status === 'completed') return clock() - returnedAt;
          await new Promise((r) => setTimeout(r, current?.pollInterval ?? POLL_INTERVAL_MS));
        }
      }),
    );
    return { samples: out, note: `tasks/result polls the store every ${POLL_INTERVAL_MS} ms` };
  }

  async cancelToAbort(samples: number): Promise<LatencySamples> {
    const out = await Promise.all(
      Array.from({ length: samples }, async () => {
        const task = await this.#store.createTask({ ttl: 60_000 }, ++this.#requestId, request);
        const noticed = (async () => {
          for (;;) {
            await new Promise((r) => setTimeout(r, WORK_STEP_MS));
            if ((await this.#store.getTask(task.taskId))?.status === 'cancelled') return clock();
          }
        })();
        await new Promise((r) => setTimeout(r, Math.random() * WORK_STEP_MS * 2));
        const t0 = clock();
        await this.#store.updateTaskStatus(task.taskId, 'cancelled', 'Client cancelled task execution.');
        return (await noticed) - t0;
      }),
    );
    return { samples: out, note: `the work checks the store every ${WORK_STEP_MS} ms` };
  }

  async crossProcessCancel(): Promise<Unsupported> {
    return { unsupported: 'in-memory: one process only' };
  }

  async close(): Promise<void> {
    this.#store.cleanup();
  }
}
