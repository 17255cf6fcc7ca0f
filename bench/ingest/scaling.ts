/**
 * Scaling of the extract → chunk steps (and of search snippets) with input size: each input is
 * measured at 1×, 4× and 16× a base size, and the 16×/1× ratio is printed. Linear work gives about
 * 16; quadratic work 256. Inputs include the hostile shapes that once blew up (long whitespace runs,
 * deep nesting, long lines, runs of markdown characters). Fastest of three runs each.
 *
 *   node --conditions=carrel-source --import tsx bench/ingest/scaling.ts [--base-kb 32] [--only html]
 *
 * @module
 */
import { chunkMarkdown } from '../../packages/carrel/src/ingest/chunker.js';
import { snippet } from '../../packages/carrel/src/search/snippet.js';
import { htmlToMarkdown, pdfToText } from '../../packages/carrel/src/sources/extract.js';
import { makePdf } from '../../packages/carrel/test/support/pdf.js';

const i = process.argv.indexOf('--base-kb');
const BASE = (i >= 0 ? Number(process.argv[i + 1]) : 32) * 1024;
const sentence = 'Plain words make a sentence here, and another one follows it. ';
const o = process.argv.indexOf('--only');
const ONLY = o >= 0 ? process.argv[o + 1]! : '';
const rep = (s: string, n: number) => s.repeat(Math.max(1, Math.round(n / s.length)));

const inputs: Record<string, (n: number) => () => unknown> = {
  'chunk: markdown sections': (n) =>
    (
      (t) => () =>
        chunkMarkdown(t)
    )(rep(`## Section\n\n${sentence.repeat(8)}\n\n`, n)),
  'chunk: one long line': (n) =>
    (
      (t) => () =>
        chunkMarkdown(t)
    )(rep(sentence, n)),
  'chunk: one oversize code block': (n) =>
    (
      (t) => () =>
        chunkMarkdown(t)
    )(`\`\`\`\n${rep('  code(line);\n', n)}\`\`\``),
  'chunk: heading lines': (n) =>
    (
      (t) => () =>
        chunkMarkdown(t)
    )(rep('### A heading\n', n)),
  'chunk: deep headings and sections': (n) =>
    (
      (t) => () =>
        chunkMarkdown(t)
    )(rep(`###### ${'Long title '.repeat(30)}\n${sentence}\n`, n)),
  'html: article': (n) => () => htmlToMarkdown(`<html><body><article><h1>T</h1>${rep(`<p>${sentence}</p>`, n)}</article></body></html>`),
  'html: nbsp run': (n) => () => htmlToMarkdown(`<html><body><article><p>a${rep('&nbsp;', n)}b</p></article></body></html>`),
  'html: spaces in pre': (n) => () => htmlToMarkdown(`<html><body><pre><code>${' '.repeat(n)}x</code></pre></body></html>`),
  'html: nested divs': (n) => () => htmlToMarkdown(`<html><body>${rep('<div>', n / 2)}x${rep('</div>', n / 2)}</body></html>`),
  'html: nested lists': (n) => () => htmlToMarkdown(`<html><body>${rep('<ul><li>x', n / 2)}${rep('</li></ul>', n / 2)}</body></html>`),
  'html: towers of depth 60': (n) => () =>
    htmlToMarkdown(`<html><body>${rep(`${'<div>'.repeat(60)}<p>${sentence}</p>${'</div>'.repeat(60)}`, n)}</body></html>`),
  'html: table cells': (n) => () =>
    htmlToMarkdown(`<html><body><table>${rep(`<tr>${'<td>cell</td>'.repeat(10)}</tr>`, n)}</table></body></html>`),
  'pdf: lines of text': (n) =>
    (
      (pdf) => () =>
        pdfToText(pdf, 'x.pdf')
    )(makePdf(Array.from({ length: Math.round(n / 64) }, (_, k) => `Line ${k}: ${sentence}`))),
  'snippet: term absent': (n) =>
    (
      (t) => () =>
        snippet(t, ['absent', 'missing'])
    )(rep(sentence, n)),
  'snippet: term at the end': (n) =>
    (
      (t) => () =>
        snippet(t, ['needle'])
    )(`${rep(sentence, n)} needle`),
};

async function fastest(run: () => unknown): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    await run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

await htmlToMarkdown('<p>warm up the lazy imports</p>');
console.log(
  `base ${BASE / 1024} KB, Node ${process.version}, load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('| input | 1× ms | 4× ms | 16× ms | 16×/1× |\n|---|---:|---:|---:|---:|');
for (const [name, make] of Object.entries(inputs)) {
  if (!name.includes(ONLY)) continue;
  const ms: number[] = [];
  for (const factor of [1, 4, 16]) ms.push(await fastest(make(BASE * factor)));
  console.log(`| ${name} | ${ms.map((m) => m.toFixed(1)).join(' | ')} | ${(ms[2]! / ms[0]!).toFixed(1)} |`);
}
