/**
 * Connector re-sync benchmark: a 10,000-file directory and the same files as a git repository,
 * each synced in full into a fresh knowledge base, then 1% of the files changed and synced again.
 * The re-sync must follow the change, not the corpus size: it reports both times and their ratio,
 * and the time of a re-sync with nothing changed (what any sync costs: a folder's walk and stats,
 * a git fetch). The versions a re-sync replaces are deleted by the writer thread after its publish;
 * the time until they are gone is reported apart ("collected"), and every timed sync starts with
 * none left, so no sync is charged for the one before.
 * Rounds alternate the kinds and change different files each time; medians are reported.
 *
 * With `--via task`, each sync is a `sync_connector` task run by the carrel runtime's task engine
 * (its discovery and fetch batches child tasks of a workflow, as a server or `carrel sync` runs
 * it) instead of `KnowledgeBase.syncConnector` (the same steps in sequence, in process).
 *
 *   node --conditions=carrel-source --import tsx bench/connectors/run.ts [--files 10000] [--changed 0.01] [--rounds 3] [--via task]
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KnowledgeBase } from 'carrel';
import { openRuntime } from '../../packages/carrel/src/app/runtime.js';
import { resolveSettings } from '../../packages/carrel/src/app/settings.js';
import { runToolTask } from '../../packages/carrel/src/cli/run-task.js';
import type { IngestResult } from '../../packages/carrel/src/ingest/jobs.js';
import { walkDirectory } from '../../packages/carrel/src/sources/directory-source.js';
import { writeCorpus } from '../ingest/corpus.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const FILES = Number(arg('files') ?? 10_000);
const CHANGED = Number(arg('changed') ?? 0.01);
const ROUNDS = Number(arg('rounds') ?? 3);
const VIA_TASK = arg('via') === 'task';

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-connectors-'));
const corpus = join(work, 'corpus');
writeCorpus(corpus, FILES);
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: corpus,
    stdio: 'ignore',
  });
git('init', '--quiet', '-b', 'main');
git('add', '--all');
git('commit', '--quiet', '-m', 'corpus');
const files: string[] = [];
for await (const file of walkDirectory(corpus)) files.push(file);

/** Changes `CHANGED` of the files (a different slice each round) and commits them. */
function change(round: number): number {
  const count = Math.round(files.length * CHANGED);
  const step = Math.floor(files.length / count);
  for (let i = 0; i < count; i++) appendFileSync(files[(i * step + round) % files.length]!, `\n\nRound ${round} adds a line.\n`);
  git('commit', '--quiet', '--all', '-m', `round ${round}`);
  return count;
}

interface Timing {
  full: number;
  resync: number;
  collected: number;
  unchanged: number;
  created: number;
  updated: number;
}

/** Resolves once the writer thread has deleted every replaced version. */
async function collected(databasePath: string): Promise<void> {
  const db = new Database(databasePath, { readonly: true });
  try {
    while (db.prepare<[], { n: number }>('SELECT count(*) AS n FROM garbage_versions').get()!.n > 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    db.close();
  }
}

/** A knowledge base and how one sync of connector `bench` runs: in process, or as a `sync_connector` task. */
async function open(dataDir: string): Promise<{ kb: KnowledgeBase; sync(): Promise<IngestResult>; close(): Promise<void> }> {
  if (!VIA_TASK) {
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [corpus] });
    return { kb, sync: () => kb.syncConnector('bench'), close: () => kb.close() };
  }
  const runtime = await openRuntime(resolveSettings({ dataDir, allow: [corpus], embedder: 'offline' }));
  return {
    kb: await runtime.kb.get(),
    sync: async () =>
      (await runToolTask(runtime, 'sync_connector', { connector: 'bench' }, { json: true })).structuredContent as unknown as IngestResult,
    close: () => runtime.close(),
  };
}

async function measure(kind: 'directory' | 'git', round: number): Promise<Timing> {
  const dataDir = join(work, `data-${kind}-${round}`);
  const { kb, sync, close } = await open(dataDir);
  try {
    const options = kind === 'directory' ? { path: corpus } : { repository: corpus };
    await kb.addConnector({ name: 'bench', kind, library: 'bench', options });
    let start = performance.now();
    const full = await sync();
    const fullMs = performance.now() - start;
    change(round * 2 + (kind === 'git' ? 1 : 0));
    start = performance.now();
    const again = await sync();
    const resyncMs = performance.now() - start;
    start = performance.now();
    await collected(kb.databasePath!);
    const collectedMs = performance.now() - start;
    start = performance.now();
    const idle = await sync();
    const unchangedMs = performance.now() - start;
    if (idle.created + idle.updated !== 0) throw new Error('a sync with nothing changed changed something');
    if (full.created !== files.length || again.updated !== Math.round(files.length * CHANGED))
      throw new Error(`unexpected counts: full ${full.created} created, re-sync ${again.updated} updated`);
    return {
      full: fullMs,
      resync: resyncMs,
      collected: collectedMs,
      unchanged: unchangedMs,
      created: full.created,
      updated: again.updated,
    };
  } finally {
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<'directory' | 'git', Timing[]> = { directory: [], git: [] };
const loads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ['directory', 'git'] as const) {
    loads.push(loadavg()[0]!);
    const t = await measure(kind, round);
    results[kind].push(t);
    console.log(
      `round ${round + 1} ${kind}: full ${(t.full / 1000).toFixed(2)} s, re-sync of ${t.updated} changed ${(t.resync / 1000).toFixed(2)} s (collected ${(t.collected / 1000).toFixed(2)} s later), nothing changed ${(t.unchanged / 1000).toFixed(2)} s`,
    );
  }
}

console.log(
  `\n${FILES} files, ${Math.round(FILES * CHANGED)} changed per re-sync, ${ROUNDS} rounds, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
console.log(
  '| connector | full sync | re-sync, 1% changed | re-sync / full | replaced versions collected after | re-sync, nothing changed |',
);
console.log('|---|---|---|---|---|---|');
for (const kind of ['directory', 'git'] as const) {
  const full = median(results[kind].map((t) => t.full));
  const resync = median(results[kind].map((t) => t.resync));
  const unchanged = results[kind].map((t) => t.unchanged);
  const collect = results[kind].map((t) => t.collected);
  const range = (xs: number[]) => `${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)}`;
  console.log(
    `| ${kind} | ${(full / 1000).toFixed(2)} s (${range(results[kind].map((t) => t.full))}) | ${(resync / 1000).toFixed(2)} s (${range(results[kind].map((t) => t.resync))}) | ${((resync / full) * 100).toFixed(1)}% | ${(median(collect) / 1000).toFixed(2)} s (${range(collect)}) | ${(median(unchanged) / 1000).toFixed(2)} s (${range(unchanged)}) |`,
  );
}
rmSync(work, { recursive: true, force: true });
