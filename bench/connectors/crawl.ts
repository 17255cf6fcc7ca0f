/**
 * Crawl benchmark: pages/s of the web connector over a generated local site (crawl-site.ts, in a
 * child process), politeness delay 0, one request at a time as the connector always works: pages/s
 * (wall time) and the CPU time this process spends per page (steadier on a shared machine). Three
 * subjects, interleaved in each round:
 *
 * - `floor`: a bare loop of sequential `http.get`s of the same page URLs (Node's default agent, as
 *   the connector's guarded fetch uses), bodies read and dropped — the cost of the requests alone,
 *   the anchor of the ratios;
 * - `first sync`: the connector from an empty library (every page fetched, parsed for links,
 *   hashed, reported as an upsert);
 * - `re-sync`: the connector again with the first sync's version markers (every page answers 304).
 *
 *   node --conditions=carrel-source --import tsx bench/connectors/crawl.ts [--pages 2000] [--rounds 5]
 *
 * @module
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Change, SyncContext } from '../../packages/carrel/src/connectors/connector.js';
import { webConnector } from '../../packages/carrel/src/connectors/web.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const PAGES = arg('pages', 2000);
const ROUNDS = arg('rounds', 5);

const site = spawn(
  process.execPath,
  [...process.execArgv, fileURLToPath(new URL('crawl-site.ts', import.meta.url)), '--pages', String(PAGES)],
  {
    // Its stdin is a pipe: when this process ends, however it ends, the site sees the pipe close and exits.
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const base = await new Promise<string>((resolve) => createInterface({ input: site.stdout! }).once('line', resolve));

function context(library: Map<string, string>): SyncContext {
  return {
    cursor: null,
    known: (s) => library.get(s),
    knownSources: () => library.keys(),
    signal: new AbortController().signal,
    progress: () => {},
  };
}

/** One sync; returns the number of pages reported. */
async function crawl(library: Map<string, string>): Promise<number> {
  const web = webConnector(
    { url: `${base}/`, delayMs: 0, maxPages: PAGES * 2, allowPrivateAddresses: true },
    { fetchLimits: { allowPrivateAddresses: true } },
  );
  let pages = 0;
  for await (const change of web.changes(context(library)) as AsyncIterable<Change>) {
    if (change.type === 'upsert') {
      await change.fetch!(); // the web kind reads as it crawls: every upsert carries its page
      library.set(change.source, change.version);
    }
    if (change.type === 'upsert' || change.type === 'unchanged') pages++;
  }
  if (pages !== PAGES) throw new Error(`the crawl reported ${pages} pages, not ${PAGES}`);
  return pages;
}

async function floor(): Promise<number> {
  for (let n = 0; n < PAGES; n++)
    await new Promise<void>((resolve, reject) =>
      http
        .get(`${base}/p/${n}`, (res) =>
          res
            .on('data', () => {})
            .on('end', resolve)
            .on('error', reject),
        )
        .on('error', reject),
    );
  return PAGES;
}

interface Sample {
  pagesPerSecond: number;
  /** CPU time of this process (the client side) per page: steadier than wall time on a loaded machine. */
  cpuMicrosPerPage: number;
}

async function measure(run: () => Promise<number>): Promise<Sample> {
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  const pages = await run();
  const used = process.cpuUsage(cpu);
  return { pagesPerSecond: pages / ((performance.now() - wall) / 1000), cpuMicrosPerPage: (used.user + used.system) / pages };
}

const results: Record<string, Sample[]> = { floor: [], 'first sync': [], 're-sync': [] };
const load = [loadavg()[0]!];
// Round -1 warms up (module loading, JIT) and is not counted.
for (let round = -1; round < ROUNDS; round++) {
  const library = new Map<string, string>();
  const samples = {
    floor: await measure(floor),
    'first sync': await measure(() => crawl(library)),
    're-sync': await measure(() => crawl(library)),
  };
  if (round < 0) continue;
  for (const [subject, sample] of Object.entries(samples)) results[subject]!.push(sample);
  load.push(loadavg()[0]!);
  process.stderr.write(
    `round ${round + 1}: ${Object.entries(samples)
      .map(([k, v]) => `${k} ${v.pagesPerSecond.toFixed(0)} pages/s ${v.cpuMicrosPerPage.toFixed(0)} µs/page`)
      .join(', ')}\n`,
  );
}
site.kill();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Ratios are taken within each round (its subjects ran back to back under the same load), then the median.
const ratio = (samples: Sample[], of: (s: Sample) => number): number =>
  median(samples.map((sample, round) => of(sample) / of(results.floor![round]!)));
const rate = (s: Sample): number => s.pagesPerSecond;
const cpu = (s: Sample): number => s.cpuMicrosPerPage;
console.log(
  `\n${PAGES} pages, ${ROUNDS} rounds, Node ${process.version}, load average (1 min) ${load.map((l) => l.toFixed(2)).join(' → ')}\n`,
);
console.log('| subject | pages/s | × floor | client CPU µs/page | × floor |\n|---|---:|---:|---:|---:|');
for (const [subject, samples] of Object.entries(results))
  console.log(
    `| ${subject} | ${median(samples.map(rate)).toFixed(0)} | ${ratio(samples, rate).toFixed(2)} | ${median(samples.map(cpu)).toFixed(0)} | ${ratio(samples, cpu).toFixed(2)} |`,
  );
