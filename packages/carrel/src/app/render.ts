/**
 * Text renderings shared by the MCP tools (the text a model reads) and the CLI (what a person
 * reads). Kept apart from the tool modules so CLI commands that only read do not load the MCP SDK.
 * Each takes the surface's {@link FixNamer}: a fix reads `carrel reindex …` in the terminal and
 * `call reindex_library …` in a tool result.
 *
 * @module
 */
import { type FixNamer, libraryLabel, type Notice, withFix } from '../fix.js';
import type { ConnectorView } from '../connectors/configs.js';
import type { IngestResult } from '../ingest/jobs.js';
import type { PageKind } from '../ingest/page-kind.js';
import type { KnowledgeBaseStatus } from '../knowledge-base.js';
import type { KeywordIndexPath, VectorSearchPath } from '../store/repository.js';
import type { SearchResponse } from '../search/search.js';
import type { Link } from '../sources/html-to-markdown.js';

/** How the summary names each kind of page that is not plain content (see ingest/page-kind.ts). */
const PAGE_KIND_NAMES: Record<Exclude<PageKind, 'content'>, string> = {
  index: 'index',
  search: 'search page',
  'not-found': '404 page',
  'source-twin': 'source of a built page',
  toc: 'table of contents',
};

/**
 * E.g. "carrel@1.0: 2 created, 1 unchanged, 2 skipped (1 index, 1 search page); 14 chunks (3 without vectors)",
 * or for a pack "pack docs@2.0 in carrel: 1 updated, 3 unchanged, 1 removed; 4 chunks (4 with the pack's vectors)".
 */
export function summarizeIngest(result: IngestResult, nameFix: FixNamer): string {
  const library = libraryLabel(result.library, result.version);
  const where = result.pack ? `pack ${result.pack.name}@${result.pack.version} in ${library}` : library;
  const counts = (['created', 'updated', 'unchanged', 'skipped', 'failed', 'removed'] as const)
    .filter((k) => (result[k] ?? 0) > 0)
    .map((k) => `${result[k]} ${k}${k === 'skipped' ? ` (${pageCounts(result, (kind) => kind !== 'toc')})` : ''}`);
  const tocs = result.pages.toc ? `; ${pageCounts(result, (kind) => kind === 'toc')} ranked lower` : '';
  const vectors =
    result.chunksWithoutVectors > 0
      ? ` (${result.chunksWithoutVectors} without vectors: keyword search only until reindexed)`
      : result.precomputedVectors
        ? ` (${result.precomputedVectors} with the pack's vectors)`
        : '';
  const failures = result.documents
    .filter((d) => d.status === 'failed')
    .map((d) => `\n- ${d.source}: ${withFix(d.error ?? 'failed', d.fix, nameFix)}`);
  const warnings = result.warnings.map((w) => `\nNote: ${noticeText(w, nameFix)}`);
  const sync = result.sync;
  if (sync && sync.deleted > 0) counts.push(`${sync.deleted} deleted`);
  const synced = sync ? `connector ${sync.connector} → ` : '';
  return `${synced}${where}: ${counts.length ? counts.join(', ') : 'nothing to do'}${tocs}; ${result.chunks} chunks${vectors}${failures.join('')}${warnings.join('')}`;
}

/** One connector: name, kind, library, where it reads, last sync, schedule and next run; with `detailed`, its options and cursor too. */
export function renderConnector(c: ConnectorView, { detailed = false } = {}): string {
  const where = String(c.options.path ?? c.options.repository ?? '');
  const head = `${c.name} (${c.kind}${where && ` ${where}`}) → ${libraryLabel(c.library, c.version)}: ${c.documents} documents, ${
    c.lastSync ? `last synced ${c.lastSync} (${c.lastOutcome})` : 'never synced'
  }`;
  const scheduled = c.schedule
    ? `; schedule "${c.schedule.cron}"${c.schedule.timezone ? ` (${c.schedule.timezone})` : ' (UTC)'}, next run ${c.nextRun ?? 'never'}`
    : '';
  if (!detailed) return head + scheduled;
  const lines = [
    head + scheduled,
    `options: ${JSON.stringify(c.options)}`,
    ...(c.secret ? [`secret: ${c.secret}`] : []),
    ...(c.cursor ? [`cursor: ${c.cursor}`] : []),
    ...(c.lastScheduledRun
      ? [`last scheduled run: ${c.lastScheduledRun.slot}${c.lastScheduledRun.taskId ? ` (task ${c.lastScheduledRun.taskId})` : ''}`]
      : []),
  ];
  return lines.join('\n');
}

/** E.g. "2 index, 1 search page": the page kinds `which` picks, with their counts. */
function pageCounts(result: IngestResult, which: (kind: Exclude<PageKind, 'content'>) => boolean): string {
  return (Object.keys(PAGE_KIND_NAMES) as Exclude<PageKind, 'content'>[])
    .filter((kind) => which(kind) && result.pages[kind])
    .map((kind) => `${result.pages[kind]} ${PAGE_KIND_NAMES[kind]}`)
    .join(', ');
}

/** Results as short markdown blocks a model can cite. */
export function renderSearch(response: SearchResponse, nameFix: FixNamer): string {
  const notes = response.notes.map((n) => `Note: ${noticeText(n, nameFix)}\n`).join('');
  if (response.results.length === 0) return `${notes}No results.`;
  const blocks = response.results.map(
    (r, i) =>
      `${response.offset + i + 1}. ${place(r.title, r.heading)} (${libraryLabel(r.library, r.version)})\n   document ${r.documentId}, chunk ${r.chunkId}, source ${r.source}\n   ${r.snippet.replace(/\n+/g, ' ')}`,
  );
  const more = response.hasMore ? `\nMore results: offset ${response.offset + response.results.length}.` : '';
  return `${notes}${blocks.join('\n')}${more}`;
}

/**
 * Where a result sits: its document's title and the heading it falls under. A chunk before the
 * first heading, or under an empty one, has no heading of its own: the title alone, not "Title — ".
 */
function place(title: string, heading: string): string {
  return heading.trim() === '' || heading === title ? title : `${title} — ${heading}`;
}

/** Status as a few lines of text. */
export function renderStatus(status: KnowledgeBaseStatus, nameFix: FixNamer): string {
  const search = status.embedder.available
    ? `hybrid (keyword + semantic, ${status.embedder.id})`
    : withFix(`keyword only (BM25): ${status.embedder.reason ?? 'no semantic model'}`, { action: 'configure_embedder' }, nameFix);
  const docs = status.libraries.reduce((n, l) => n + l.documents, 0);
  const pending = status.libraries.reduce((n, l) => n + l.chunksWithoutVectors, 0);
  const rechunk = status.libraries
    .filter((l) => l.chunking !== null && l.chunking !== status.chunking)
    .map((l) => {
      const label = libraryLabel(l.name, l.version);
      return `  ${withFix(`${label}: chunked for ${l.chunking}, not ${status.chunking}`, { action: 'reindex', library: l.name, version: l.version }, nameFix)}`;
    });
  const unembedded = status.libraries
    .filter((l) => l.chunksWithoutVectors > 0)
    .map((l) => {
      const label = libraryLabel(l.name, l.version);
      return `  ${withFix(`${label}: ${l.chunksWithoutVectors} chunks without vectors`, { action: 'reindex', library: l.name, version: l.version }, nameFix)}`;
    });
  return [
    `Data: ${status.dataDir}`,
    ...(status.database.kind === 'postgres' ? [`Database: ${status.database.location}`] : []),
    `Search: ${search}`,
    `Keywords: ${keywordIndexText(status.keywordIndex)}`,
    `Vectors: ${vectorSearchText(status.vectorSearch)}`,
    `Libraries: ${status.libraries.length}, documents: ${docs}${pending ? `, chunks without vectors: ${pending}` : ''}`,
    ...unembedded,
    ...(rechunk.length ? [`Chunking: ${status.chunking}; libraries to rechunk:`, ...rechunk] : []),
  ].join('\n');
}

/** What keyword search ranks through, in words. */
function keywordIndexText(index: KeywordIndexPath): string {
  if (index.path === 'fts5') return 'SQLite FTS5 (BM25)';
  if (index.path === 'rum') return `RUM ${index.version} index in PostgreSQL (candidates in rank order, ranked by ts_rank)`;
  return `GIN index in PostgreSQL (ts_rank over every match): not RUM, ${index.reason}`;
}

/** Where vector search runs, in words. */
function vectorSearchText(path: VectorSearchPath): string {
  if (path.path === 'pgvector') return `pgvector ${path.version} (HNSW index in PostgreSQL)`;
  const scan = `in-node scan (exact; approximate index for libraries of ${path.approximateFrom.toLocaleString('en-US')}+ vectors)`;
  return path.reason ? `${scan}: not pgvector, ${path.reason}` : scan;
}

/** A notice with its fix named for the surface. */
function noticeText(notice: Notice, nameFix: FixNamer): string {
  return withFix(notice.message, notice.fix, nameFix);
}

/** A document's links after its text: "text → target", one a line (an HTML document's text keeps the link text only). */
export function renderLinks(links: readonly Link[]): string {
  if (links.length === 0) return '## Links\n\nNo links.';
  return `## Links\n\n${links.map((l) => `- ${l.text} → ${l.href}`).join('\n')}`;
}
