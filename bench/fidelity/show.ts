/**
 * Prints the markdown Carrel makes of one HTML page (main-content detection + the converter, as an
 * ingest does), with its title and recognised generator, to look at what a fidelity run reports as lost.
 *
 *   node --conditions=carrel-source --import tsx bench/fidelity/show.ts <page.html> [--bare <selector>]
 *
 * `--bare <selector>`: the converter alone on the elements matching the selector (linkedom's parse).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseHTML } from 'linkedom';
import { htmlToMarkdown } from '../../packages/carrel/src/sources/extract.js';
import { domToMarkdown, type DomNode } from '../../packages/carrel/src/sources/html-to-markdown.js';

const html = readFileSync(process.argv[2]!, 'utf8');
const bare = process.argv.indexOf('--bare');
if (bare >= 0) {
  const { document } = parseHTML(html);
  for (const el of Array.from(document.querySelectorAll(process.argv[bare + 1]!)))
    console.log(domToMarkdown(el as unknown as DomNode).markdown);
} else {
  const { title, generator, markdown } = await htmlToMarkdown(html);
  console.log(`title: ${title}\ngenerator: ${generator ?? '(none recognised)'}\n\n${markdown}`);
}
