/**
 * HTML extraction alone (`htmlToMarkdown`: parse, main content, markdown), this tree against another
 * export of Carrel's sources, on the same pages of each fidelity set, rounds interleaved. It leaves
 * out what an ingest adds (worker start, chunking, embedding, writes), which `run.ts` includes.
 *
 *   git archive <commit> packages/carrel/src | tar -x -C <dir>
 *   node --conditions=carrel-source --import tsx bench/fidelity/extract-speed.ts --before <dir> [--pages 30] [--rounds 3] [--sets sphinx,docbook]
 *
 * Pages: the first N of each set in path order. Prints pages/s for both sides (medians) and the ratio.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { htmlToMarkdown as after } from '../../packages/carrel/src/sources/extract.js';
import { SETS } from './sets.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const beforeDir = arg('before');
if (!beforeDir) throw new Error('--before <dir>: a folder holding packages/carrel/src of the commit to compare with');
const { htmlToMarkdown: before } = (await import(
  pathToFileURL(join(resolve(beforeDir), 'packages/carrel/src/sources/extract.ts')).href
)) as { htmlToMarkdown: typeof after };
const pageCount = Number(arg('pages') ?? 30);
const rounds = Number(arg('rounds') ?? 3);
const names = arg('sets')?.split(',') ?? SETS.map((s) => s.name);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const set of SETS.filter((s) => names.includes(s.name))) {
  const folder = execFileSync('bash', [join(here, '..', 'corpora', 'debian-docs.sh'), set.debianPackage], { encoding: 'utf8' }).trim();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else files.push(relative(folder, path).split('\\').join('/'));
    }
  };
  walk(folder);
  const pages = files
    .filter(set.page)
    .sort()
    .slice(0, pageCount)
    .map((rel) => readFileSync(join(folder, rel), 'utf8'));
  await before(pages[0]!); // first imports out of the timing
  await after(pages[0]!);
  const seconds = { before: [] as number[], after: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const [side, convert] of [
      ['before', before],
      ['after', after],
    ] as const) {
      const start = performance.now();
      for (const page of pages) await convert(page);
      seconds[side].push((performance.now() - start) / 1000);
    }
  }
  const [b, a] = [median(seconds.before), median(seconds.after)];
  console.log(
    `${set.name}: ${pages.length} pages, before ${(pages.length / b).toFixed(1)} pages/s, after ${(pages.length / a).toFixed(1)} pages/s, ${(b / a).toFixed(1)}×`,
  );
}
