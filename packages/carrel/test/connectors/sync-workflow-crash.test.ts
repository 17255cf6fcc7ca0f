/**
 * `carrel sync` killed by SIGKILL while its workflow's fetch batches run, then run again: the
 * second process resumes the same task and runs only the batches whose child tasks had not
 * completed (a hook in each process prints the batches it runs), and the library, the markers and
 * the cursor end as after a sync that never crashed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeDocs } from '../support/corpus.js';
import { syncState } from '../support/sync-state.js';
import { tempDir } from '../support/temp-dir.js';
import { carrelArgv, cleanEnv, REPO_ROOT, runCli } from '../mcp/support/carrel-process.js';

const HOOK = fileURLToPath(new URL('../support/fetch-batch-hook.ts', import.meta.url));

/** `carrel sync docs` with the batch hook, and the hook's lines as they come. */
function hookedSync(dataDir: string, root: string): { child: ChildProcess; seen: string[]; waitFor(line: string): Promise<void> } {
  const argv = carrelArgv(dataDir, ['--allow', root, 'sync', 'docs']);
  // After tsx's own --import, which the hook (TypeScript) needs first.
  argv.splice(argv.indexOf('--import') + 2, 0, '--import', HOOK);
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: string[] = [];
  const waiting: { line: string; resolve: () => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.startsWith('fetch-')) return;
    seen.push(line);
    for (const w of waiting.filter((w) => w.line === line)) w.resolve();
  });
  return {
    child,
    seen,
    waitFor: (line) => new Promise((resolve) => (seen.includes(line) ? resolve() : waiting.push({ line, resolve }))),
  };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

/** The `from` of every fetch batch whose child task completed. */
function completedBatches(dataDir: string): number[] {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  try {
    return db
      .prepare<[], { input: string }>("SELECT input FROM carrel_tasks WHERE handler = 'connector-sync/fetch' AND status = 'completed'")
      .all()
      .map((row) => (JSON.parse(row.input) as { items: { from: number }[] }).items[0]!.from)
      .sort((a, b) => a - b);
  } finally {
    db.close();
  }
}

describe('sync workflow crash recovery', () => {
  it('runs again only the fetch batches that had not completed, and ends as a sync that never crashed', async () => {
    // 1,000 files: fetch batches from 0, 250, 500 and 750.
    const root = writeDocs(tempDir(), 1000, 400);
    const all = [0, 250, 500, 750];
    const add = ['--allow', root, 'connectors', 'add', 'docs', '--kind', 'directory', '--path', root, '--library', 'docs'];

    const crashed = tempDir();
    expect((await runCli(crashed, add)).code).toBe(0);
    const first = hookedSync(crashed, root);
    const firstExit = exited(first.child);
    await first.waitFor('fetch-done 250');
    // The hook speaks when the fetch returns, before the engine commits the batch's task: the kill
    // waits for that commit, so at least one batch is known completed.
    for (const started = Date.now(); !completedBatches(crashed).includes(250); await new Promise((r) => setTimeout(r, 5)))
      if (Date.now() - started > 30_000) throw new Error('batch 250 never completed');
    first.child.kill('SIGKILL');
    expect(await firstExit).toBe(null);
    const done = completedBatches(crashed);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(syncState(crashed)).toMatchObject({ documents: [], items: [], cursor: null });

    const second = hookedSync(crashed, root);
    expect(await exited(second.child)).toBe(0);
    // Each batch not completed ran once here; none that had completed ran again.
    const ranAgain = second.seen.filter((l) => l.startsWith('fetch-start ')).map((l) => Number(l.slice('fetch-start '.length)));
    expect(ranAgain.sort((a, b) => a - b)).toEqual(all.filter((from) => !done.includes(from)));

    const clean = tempDir();
    expect((await runCli(clean, add)).code).toBe(0);
    expect((await runCli(clean, ['--allow', root, 'sync', 'docs'])).code).toBe(0);
    const expected = syncState(clean);
    expect(expected.documents).toHaveLength(1000);
    expect(syncState(crashed)).toEqual({ ...expected, staged: 0 });
  }, 240_000);
});
