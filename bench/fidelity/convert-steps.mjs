/**
 * Where a page's conversion spends its CPU, step by step, with a tree's **built** converter
 * (`npm run build` in that tree first): per page `limitNesting`, `parseHtml`, `mainContent`,
 * `domToMarkdown`, `classifyPage`, then the whole `htmlPageToMarkdown` again, each timed with
 * `process.cpuUsage` (CPU time, which a machine busy with other work disturbs far less than wall
 * time). Prints, per step, the least CPU milliseconds of `rounds` rounds over every page.
 * Compare two trees by running them alternately, each in its own process:
 *
 *   node bench/fidelity/convert-steps.mjs <tree> <folder of .html pages> [rounds=6]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [tree, folder, roundsArg] = process.argv.slice(2);
if (!tree || !folder) throw new Error('usage: convert-steps.mjs <tree> <folder of .html pages> [rounds]');
const dist = pathToFileURL(join(resolve(tree), 'packages/carrel/dist/')).href;
const load = (path) => import(new URL(path, dist).href);
const [{ parseHtml, containerOf }, { limitNesting }, { mainContent }, { domToMarkdown }, { classifyPage }, { htmlPageToMarkdown }] =
  await Promise.all([
    load('sources/html/parse.js'),
    load('sources/html-nesting.js'),
    load('sources/html/main-content.js'),
    load('sources/html-to-markdown.js'),
    load('ingest/page-kind.js'),
    load('sources/html/page.js'),
  ]);

const files = readdirSync(folder, { recursive: true })
  .filter((f) => f.endsWith('.html'))
  .sort()
  .map((f) => join(folder, f));
const texts = files.map((f) => readFileSync(f, 'utf8'));
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const least = {};
for (let round = 0; round < Number(roundsArg ?? 6); round++) {
  const spent = {};
  const timed = (step, work) => {
    const start = cpuMs();
    const result = work();
    spent[step] = (spent[step] ?? 0) + cpuMs() - start;
    return result;
  };
  for (let i = 0; i < texts.length; i++) {
    const limited = timed('nesting', () => limitNesting(texts[i]));
    const document = timed('parse', () => parseHtml(limited));
    const { region } = timed('main', () => mainContent(document));
    if (!region) continue; // Readability's pages are timed in `whole` only
    const { markdown } = timed('walk', () => domToMarkdown(containerOf(region)));
    timed('classify', () => classifyPage({ source: files[i], mediaType: 'html', html: texts[i], title: undefined, markdown }));
  }
  const start = cpuMs();
  for (let i = 0; i < texts.length; i++) await htmlPageToMarkdown(texts[i], files[i]);
  spent.whole = cpuMs() - start;
  for (const step in spent) least[step] = Math.min(least[step] ?? Infinity, spent[step]);
}
console.log(
  `${texts.length} pages, CPU ms:`,
  Object.entries(least)
    .map(([step, ms]) => `${step} ${ms.toFixed(0)}`)
    .join('  '),
);
