/**
 * Fidelity benchmark: how much of real documentation survives into the text Carrel stores. For
 * each set in sets.ts (real HTML from one generator, fetched from its Debian package by
 * bench/corpora/debian-docs.sh), a fixed sample of pages is ingested with
 * `KnowledgeBase.ingestDirectory` (offline embedder), each stored document is read back with
 * `getDocument`, and the page's main content region is compared with it (measure.ts): paragraphs,
 * code blocks kept as fences, tables, headings, per-page coverage of paragraph characters. Also the
 * ingest's docs/s and peak RSS (timed in ingest.mjs, a process of its own running the built package
 * as `carrel add` does, so the RSS is that set's ingest and not this harness's), the
 * share of the stored text taken by link destinations, and, as a diagnosis, the same measure on
 * the region converted by Carrel's converter without Readability (what the converter alone keeps).
 *
 * A measurement: targets are printed, not asserted; the exit code is 0 unless the run itself fails.
 *
 *   npm run build -w packages/carrel
 *   node --conditions=carrel-source --import tsx bench/fidelity/run.ts [--pages 200] [--sets sphinx,docbook] [--seed 7] [--rounds 3]
 *
 * `--rounds N` ingests each set N times (rounds interleaved across sets) and reports the median
 * docs/s, HTML MB/s and peak RSS with their range; the fidelity figures come from the first round.
 * `--pages all` measures every page of each set. Details (every lost element) are written to
 * bench/results/fidelity-<set>.json.
 *
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeBase } from 'carrel';
import { parseHTML } from 'linkedom';
import { rng } from '../ingest/corpus.js';
import { domToMarkdown, type DomNode } from '../../packages/carrel/src/sources/html-to-markdown.js';
import { compare, regionOf, sourceElements, storedText, type PageFidelity } from './measure.js';
import { SETS, type DocSet } from './sets.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

/** Pages skipped as not content in one run. */
const skippedCount = (r: SetResult): number => Object.values(r.skipped).reduce((n, k) => n + k, 0);

/** What a child reports for one set. */
interface SetResult {
  set: string;
  pagesInSet: number;
  pages: number;
  stored: number;
  /** Pages the ingest recognised as not content (indexes, search pages…) and skipped, by kind. */
  skipped: Record<string, number>;
  failed: number;
  failures: string[];
  seconds: number;
  sourceBytes: number;
  peakRssMb: number;
  regionMissing: number;
  totals: Omit<PageFidelity, 'coverage' | 'lostParagraphs' | 'lostCode' | 'lostTables' | 'lostHeadings'>;
  bare: { paragraphChars: number; paragraphCharsKept: number; code: number; codeFenced: number };
  linkChars: number;
  storedChars: number;
  coverages: { page: string; coverage: number | undefined; paragraphs: number; lost: string[] }[];
}

const child = arg('child');
if (child)
  await runSet(
    SETS.find((s) => s.name === child)!,
    arg('folder')!,
    arg('pages')!,
    Number(arg('seed')),
    arg('out')!,
    arg('measure') !== '0',
  );
else await main();

async function main(): Promise<void> {
  const names = arg('sets')?.split(',') ?? SETS.map((s) => s.name);
  const pages = arg('pages') ?? '200';
  const seed = arg('seed') ?? '7';
  const work = mkdtempSync(join(tmpdir(), 'carrel-bench-fidelity-'));
  const load = [loadavg()[0]!];
  const started = new Date();
  const rounds = Number(arg('rounds') ?? 1);
  const chosen = SETS.filter((s) => names.includes(s.name)).map((set) => ({
    set,
    folder: execFileSync('bash', [join(here, '..', 'corpora', 'debian-docs.sh'), set.debianPackage], { encoding: 'utf8' }).trim(),
    version:
      /^Version: (.*)$/m.exec(execFileSync('apt-cache', ['show', '--no-all-versions', set.debianPackage], { encoding: 'utf8' }))?.[1] ??
      '?',
    runs: [] as SetResult[],
  }));
  // Rounds outermost, so that the machine's load falls on every set alike; the fidelity figures
  // (deterministic) come from the first round, the later ones only time the ingest.
  for (let round = 0; round < rounds; round++) {
    for (const c of chosen) {
      const out = join(work, `${c.set.name}-${round}.json`);
      const script = fileURLToPath(import.meta.url);
      const ran = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          script,
          ...[
            '--child',
            c.set.name,
            '--folder',
            c.folder,
            '--pages',
            pages,
            '--seed',
            seed,
            '--out',
            out,
            '--measure',
            round === 0 ? '1' : '0',
          ],
        ],
        { stdio: 'inherit' },
      );
      if (ran.status !== 0) throw new Error(`set ${c.set.name}: child exited with ${ran.status}`);
      c.runs.push(JSON.parse(readFileSync(out, 'utf8')) as SetResult);
      load.push(loadavg()[0]!);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const spread = (xs: number[], digits: number) =>
    xs.length > 1
      ? `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`
      : xs[0]!.toFixed(digits);
  const results = chosen.map(({ set, version, runs }) => ({
    set,
    version,
    r: runs[0]!,
    docsPerSecond: spread(
      runs.map((r) => (r.stored + skippedCount(r)) / r.seconds),
      1,
    ),
    mbPerSecond: spread(
      runs.map((r) => r.sourceBytes / 1024 / 1024 / r.seconds),
      2,
    ),
    rss: spread(
      runs.map((r) => r.peakRssMb),
      0,
    ),
  }));
  rmSync(work, { recursive: true, force: true });

  const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}`);
  console.log(
    `\nFidelity, ${started.toISOString().slice(0, 16)}Z, Node ${process.versions.node}, ${pages} pages per set at most (seed ${seed}), ${rounds} round(s), ` +
      `load average (1 min) ${load.map((l) => l.toFixed(2)).join(' → ')}\n`,
  );
  const rows = results.map(({ set, version, r, docsPerSecond, mbPerSecond, rss }) => {
    const t = r.totals;
    const under = r.coverages.filter((c) => c.coverage !== undefined && c.coverage < 0.9).length;
    const withText = r.coverages.filter((c) => c.coverage !== undefined);
    const min = Math.min(...withText.map((c) => c.coverage!));
    return {
      set: set.name,
      package: `${set.debianPackage} ${version}`,
      pages: `${r.pages}/${r.pagesInSet}`,
      'skipped as not content': skippedCount(r),
      'paragraphs kept %': pct(t.paragraphsKept, t.paragraphs),
      'para chars %': pct(t.paragraphCharsKept, t.paragraphChars),
      'code as fences %': `${pct(t.codeFenced, t.code)} (${t.code})`,
      'code as text %': pct(t.codeAsText, t.code),
      'tables as tables %': `${pct(t.tablesKept, t.tables)} (${t.tables})`,
      'table cells kept %': pct(t.tableCellsKept, t.tables),
      'headings %': pct(t.headingsKept, t.headings),
      'pages < 90%': `${under}/${withText.length}`,
      'worst page %': withText.length ? (100 * min).toFixed(1) : '–',
      'docs/s': docsPerSecond,
      'HTML MB/s': mbPerSecond,
      'peak RSS MB': rss,
      'link dest. % of text': pct(r.linkChars, r.storedChars),
      'no Readability: para chars % / code fenced %': `${pct(r.bare.paragraphCharsKept, r.bare.paragraphChars)} / ${pct(r.bare.codeFenced, r.bare.code)}`,
    };
  });
  console.table(rows);
  console.log('\n| ' + Object.keys(rows[0] ?? {}).join(' | ') + ' |');
  console.log(
    '|' +
      Object.keys(rows[0] ?? {})
        .map(() => '---|')
        .join(''),
  );
  for (const row of rows) console.log('| ' + Object.values(row).join(' | ') + ' |');
  for (const { set, r } of results) {
    const worst = r.coverages
      .filter((c) => c.coverage !== undefined)
      .sort((a, b) => a.coverage! - b.coverage!)
      .slice(0, Number(arg('worst') ?? 5));
    console.log(`\n${set.name}: worst pages (share of paragraph characters kept; a lost paragraph)`);
    for (const w of worst)
      console.log(
        `  ${(100 * w.coverage!).toFixed(1).padStart(5)}%  ${w.page}  (${w.paragraphs} paragraphs)  ${w.lost[0] ? `"${w.lost[0].slice(0, 90)}"` : ''}`,
      );
    if (skippedCount(r) > 0) console.log(`  skipped as not content (not measured): ${JSON.stringify(r.skipped)}`);
    if (r.failed > 0 || r.stored + skippedCount(r) < r.pages)
      console.log(`  ${r.failed} pages failed to ingest, ${r.pages - r.stored - skippedCount(r)} not stored`);
    for (const f of r.failures) console.log(`    failed: ${f.slice(0, 200)}`);
    if (r.regionMissing > 0) console.log(`  ${r.regionMissing} pages without the set's main region (whole body counted)`);
  }
  console.log(
    '\nTargets (issue 7): ≥ 99% of paragraphs and ≥ 99% of code blocks kept as fences on every set; no page under 90%; ' +
      "HTML ingest ≥ 10× today's docs/s with peak RSS ≤ 300 MB.",
  );
  console.log(`Details of every lost element: ${relative(process.cwd(), resultsDir)}/fidelity-<set>.json`);
}

async function runSet(set: DocSet, folder: string, pagesArg: string, seed: number, out: string, measure: boolean): Promise<void> {
  const all = (readdirSync(folder, { recursive: true }) as string[])
    .map((p) => p.split(sep).join('/'))
    .filter((rel) => set.page(rel))
    // Redirect stubs (a meta refresh to the page's new address; MkDocs writes them) have no content.
    .filter((rel) => !/<meta http-equiv="refresh"/i.test(readFileSync(join(folder, rel), 'utf8').slice(0, 2000)))
    .sort();
  const next = rng(seed);
  const shuffled = [...all];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const chosen = (pagesArg === 'all' ? shuffled : shuffled.slice(0, Number(pagesArg))).sort();

  const work = mkdtempSync(join(tmpdir(), `carrel-fidelity-${set.name}-`));
  const pagesDir = join(work, 'pages');
  for (const rel of chosen) {
    mkdirSync(dirname(join(pagesDir, rel)), { recursive: true });
    copyFileSync(join(folder, rel), join(pagesDir, rel));
  }
  const realPages = realpathSync(pagesDir);

  const timed = spawnSync(process.execPath, [join(here, 'ingest.mjs'), pagesDir, join(work, 'data'), set.name], { encoding: 'utf8' });
  if (timed.status !== 0) throw new Error(`set ${set.name}: the timed ingest failed (is packages/carrel built?): ${timed.stderr}`);
  const { seconds, peakRssMb, result } = JSON.parse(timed.stdout) as {
    seconds: number;
    peakRssMb: number;
    result: Awaited<ReturnType<KnowledgeBase['ingestDirectory']>>;
  };
  const kb = await KnowledgeBase.open({ dataDir: join(work, 'data'), embedder: { kind: 'offline' }, allowedRoots: [work] });

  const storedBySource = new Map<string, number>();
  for (let offset = 0; ; offset += 500) {
    const page = await kb.listDocuments({ library: set.name, limit: 500, offset });
    for (const d of page.documents)
      storedBySource.set(
        relative(realPages, realpathSync(d.source.replace(/^file:\/\//, '')))
          .split(sep)
          .join('/'),
        d.id,
      );
    if (!page.hasMore) break;
  }
  const readAll = async (id: number) => {
    let text = '';
    for (let offset: number | null = 0; offset !== null;) {
      const page = await kb.getDocument(id, { offset, maxChars: 1_000_000 });
      text += page.content;
      offset = page.nextOffset;
    }
    return text;
  };

  const totals = {
    paragraphs: 0,
    paragraphsKept: 0,
    paragraphChars: 0,
    paragraphCharsKept: 0,
    code: 0,
    codeFenced: 0,
    codeAsText: 0,
    tables: 0,
    tablesKept: 0,
    tableCellsKept: 0,
    headings: 0,
    headingsKept: 0,
  };
  const bare = { paragraphChars: 0, paragraphCharsKept: 0, code: 0, codeFenced: 0 };
  let linkChars = 0;
  let storedChars = 0;
  let regionMissing = 0;
  const coverages: SetResult['coverages'] = [];
  const details: Record<string, unknown>[] = [];
  // Pages recognised as not content are skipped by design (page-kind.ts) and their conversion is not
  // measured. The result lists failures first and caps its list, so a page neither stored nor
  // failed is a skipped one.
  const failedPages = new Set(
    result.documents.filter((d) => d.status === 'failed').map((d) => relative(realPages, d.source).split(sep).join('/')),
  );
  for (const rel of measure ? chosen : []) {
    if (!storedBySource.has(rel) && !failedPages.has(rel)) continue;
    const html = readFileSync(join(folder, rel), 'utf8');
    const source = sourceElements(html, set);
    if (!source.regionFound) regionMissing++;
    const id = storedBySource.get(rel);
    const stored = storedText(id === undefined ? '' : await readAll(id));
    linkChars += stored.linkChars;
    storedChars += stored.chars;
    const page = compare(source, stored);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += page[key];
    coverages.push({ page: rel, coverage: page.coverage, paragraphs: page.paragraphs, lost: page.lostParagraphs.slice(0, 3) });
    details.push({
      page: rel,
      stored: id !== undefined,
      coverage: page.coverage,
      lostParagraphs: page.lostParagraphs,
      lostCode: page.lostCode,
      lostTables: page.lostTables,
      lostHeadings: page.lostHeadings,
    });

    // Diagnosis: the region converted by the converter alone, without Readability.
    const { document } = parseHTML(html);
    const { region } = regionOf(document as never, set);
    const bareText = storedText(region.map((r) => domToMarkdown(r as unknown as DomNode).markdown).join('\n\n'));
    const b = compare(source, bareText);
    bare.paragraphChars += b.paragraphChars;
    bare.paragraphCharsKept += b.paragraphCharsKept;
    bare.code += b.code;
    bare.codeFenced += b.codeFenced;
    Object.assign(details.at(-1)!, { bareLostParagraphs: b.lostParagraphs, bareLostCode: b.lostCode });
  }
  await kb.close();
  mkdirSync(resultsDir, { recursive: true });
  if (measure) writeFileSync(join(resultsDir, `fidelity-${set.name}.json`), JSON.stringify(details, null, 1));
  const r: SetResult = {
    set: set.name,
    pagesInSet: all.length,
    pages: chosen.length,
    stored: storedBySource.size,
    skipped: Object.fromEntries(Object.entries(result.pages).filter(([kind]) => kind !== 'toc')),
    failed: result.failed,
    failures: result.documents.filter((d) => d.status === 'failed').map((d) => `${relative(realPages, d.source)}: ${d.error}`),
    seconds,
    sourceBytes: chosen.reduce((n, rel) => n + statSync(join(folder, rel)).size, 0),
    peakRssMb,
    regionMissing,
    totals,
    bare,
    linkChars,
    storedChars,
    coverages,
  };
  writeFileSync(out, JSON.stringify(r));
  rmSync(work, { recursive: true, force: true });
}
