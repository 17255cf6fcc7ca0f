/** Spawns `worker-process.ts` and lets a test await the lines it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoreLocator } from './harness.js';

export interface ChildWorker {
  process: ChildProcess;
  /** Resolves with the first line (from the start of output) matching `pattern`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export async function startChildWorker(locator: StoreLocator, { leaseMs = 500 } = {}): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--conditions=carrel-source', '--import', 'tsx', script, JSON.stringify({ locator, leaseMs })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: ChildWorker = {
    process: child,
    line: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          for (const l of lines) {
            const match = l.match(pattern);
            if (match) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(match);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`child worker printed no line matching ${pattern} within ${timeoutMs} ms; saw: ${lines.join(' | ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  await worker.line(/^ready$/);
  return worker;
}
