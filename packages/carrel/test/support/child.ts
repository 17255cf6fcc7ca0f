/**
 * Spawns a TypeScript child process and lets a test wait for lines of its output.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A running child with a line waiter. */
export interface Child {
  process: ChildProcess;
  /** Resolves with the first line (from now or already seen) that matches. */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

/** Runs `test/support/<script>` with the source conditions and tsx; with `stdin`, the test can write to it. */
export function spawnChild(script: string, args: string[], { stdin = false } = {}): Child {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--conditions=carrel-source', '--import', 'tsx', path, ...args], {
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters])
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => pattern.test(l));
        if (seen) return resolve(seen);
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`child exited (${code}) before ${pattern}: ${stderr.slice(-2000)}`)));
      }),
  };
}
