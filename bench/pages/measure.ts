/**
 * How many pages of each kind (see packages/carrel/src/ingest/page-kind.ts) the classifier finds
 * in real doc sets, with a few examples of each non-content kind to check by eye. Every file a
 * folder ingest would pick up is read, converted as an ingest converts it, and classified.
 *
 *   node --conditions=carrel-source --import tsx bench/pages/measure.ts <html-folder>...
 *
 * (the folders `bash bench/corpora/debian-docs.sh <package>...` prints). Writes one JSON line per
 * folder to stdout: counts per kind and up to `--examples` (default 6) paths of each.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { classifyPage, isSourceTwin, type PageKind } from '../../packages/carrel/src/ingest/page-kind.js';
import { walkDirectory } from '../../packages/carrel/src/sources/directory-source.js';
import { extract } from '../../packages/carrel/src/sources/extract.js';
import { mediaTypeOfPath } from '../../packages/carrel/src/sources/media-type.js';

const args = process.argv.slice(2);
const at = args.indexOf('--examples');
const examples = at >= 0 ? Number(args.splice(at, 2)[1]) : 6;

for (const root of args) {
  const paths: string[] = [];
  for await (const path of walkDirectory(root)) paths.push(path);
  const all = new Set(paths);
  const counts: Partial<Record<PageKind | 'failed', number>> = {};
  const seen: Partial<Record<PageKind, string[]>> = {};
  for (const path of paths) {
    const mediaType = mediaTypeOfPath(path);
    let kind: PageKind;
    try {
      if (isSourceTwin(path, mediaType, (p) => all.has(p))) kind = 'source-twin';
      else {
        const bytes = readFileSync(path);
        const { markdown, title } = await extract(bytes, mediaType, path);
        const html = mediaType === 'html' ? bytes.toString('utf8') : undefined;
        kind = classifyPage({ source: path, mediaType, html, title, markdown });
      }
    } catch {
      counts.failed = (counts.failed ?? 0) + 1;
      continue;
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    const list = (seen[kind] ??= []);
    if (kind !== 'content' && list.length < examples) list.push(relative(root, path));
  }
  console.log(JSON.stringify({ root, files: paths.length, counts, examples: seen }));
}
