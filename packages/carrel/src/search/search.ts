/**
 * Hybrid search: the store's keyword (BM25) and vector (KNN) retrievers each produce a filtered candidate list,
 * score-aware fusion merges them (fusion.ts), document ratings nudge the fused score, and the requested
 * page is hydrated with snippets and a one-line explanation per result.
 *
 * Filters are applied inside both retrievers (in the keyword query, and as a chunk allowlist or
 * the library partition for the KNN) so a selective filter never loses results to an early cut.
 *
 * @module
 */
import { setImmediate } from 'node:timers/promises';
import type { Embedder } from '../embedders/embedder.js';
import { type Fix, libraryLabel, type Notice } from '../fix.js';
import { quantize } from '../embedders/embedder.js';
import type { DocumentKind, StoredPageKind } from '../store/repository.js';
import type { KnowledgeRepository } from '../store/repository.js';
import type { SearchFilters } from '../store/repository.js';
import type { VectorHit } from '../store/vector-memory.js';
import { queryTerms } from './fts-query.js';
import { fuse } from './fusion.js';
import { snippet } from './snippet.js';

/** A search request. */
export interface SearchRequest extends SearchFilters {
  query: string;
  limit?: number;
  offset?: number;
}

/** One ranked chunk. */
export interface SearchResult {
  chunkId: number;
  documentId: number;
  library: string;
  version: string;
  title: string;
  source: string;
  kind: DocumentKind;
  heading: string;
  snippet: string;
  score: number;
  bm25Rank: number | null;
  vectorRank: number | null;
  vectorDistance: number | null;
  rating: number | null;
  explanation: string;
}

/** A page of results plus what the search could and could not use. */
export interface SearchResponse {
  results: SearchResult[];
  offset: number;
  limit: number;
  /** Whether another page may follow. */
  hasMore: boolean;
  mode: 'hybrid' | 'bm25' | 'vector' | 'none';
  /** What limited this search, each with what would lift it. */
  notes: Notice[];
}

/** The query vector, or the reason there is none. */
export type QueryVector = { vector: Float32Array; embedder: Embedder } | { vector: null; reason: string };

/** Multiplier for a document's average rating: 1★ → 0.8, 3★ or unrated → 1, 5★ → 1.2, weighted by how many ratings back it. */
export function ratingFactor(avg: number | null, count: number): number {
  if (avg === null || count === 0) return 1;
  return 1 + 0.1 * (avg - 3) * (Math.min(count, 5) / 5);
}

/**
 * Multiplier for a document's page kind: a table of contents matches the words of every page it
 * lists, so it would outrank them; at half its fused score it still comes up when nothing else
 * matches (see ingest/page-kind.ts).
 */
export function pageKindFactor(kind: StoredPageKind): number {
  return kind === 'toc' ? 0.5 : 1;
}

/**
 * Runs a hybrid search over the store's two retrievers (see store/repository.ts); the store's
 * work is bounded by the candidate limit. `noteKeywordOnly: false` leaves out the note saying why there is no query vector
 * (for a caller that has already said so); `keyword: false` runs the vector side alone (the
 * retrieval benchmark measures each side on its own; a user's search always runs both).
 */
export async function hybridSearch(
  store: KnowledgeRepository,
  request: SearchRequest,
  query: QueryVector,
  { noteKeywordOnly = true, keyword = true }: { noteKeywordOnly?: boolean; keyword?: boolean } = {},
): Promise<SearchResponse> {
  const limit = request.limit ?? 10;
  const offset = request.offset ?? 0;
  const depth = Math.min(1000, Math.max(50, (offset + limit) * 2));
  const notes: Notice[] = [];
  if (query.vector === null && noteKeywordOnly)
    notes.push({ message: `BM25 only: ${query.reason}`, fix: { action: 'configure_embedder' } });
  // The halves run side by side: a store that ranks keywords elsewhere (PostgreSQL's server,
  // SQLite's keyword reader thread) does so while this thread scans vectors.
  const [keywordResult, vectorHits] = await Promise.all([
    keyword ? store.keywordSearch(request.query, request, depth) : undefined,
    query.vector === null ? [] : vectorSearch(store, request, query, depth, notes),
  ]);
  const textHits = keywordResult?.hits ?? [];

  const fused = fuse(textHits, vectorHits, depth, keywordResult?.allWords ?? new Set<number>());
  const details = await store.chunkDetails([...fused.keys()]);
  const terms = queryTerms(request.query);
  // A chunk found by one query may be gone by the next: another process replaced its document in
  // between. Such a hit is dropped rather than shown half-loaded.
  const ranked = [...fused.entries()]
    .flatMap(([chunkId, f]) => {
      const d = details.get(chunkId);
      if (!d) return [];
      const factor = ratingFactor(d.ratingAvg, d.ratingCount);
      return [{ d, f, factor, score: f.score * factor * pageKindFactor(d.pageKind) }];
    })
    .sort((a, b) => b.score - a.score || a.d.chunkId - b.d.chunkId);

  const page = ranked.slice(offset, offset + limit).map(({ d, f, factor, score }) => ({
    chunkId: d.chunkId,
    documentId: d.documentId,
    library: d.library,
    version: d.version,
    title: d.title,
    source: d.source,
    kind: d.kind,
    heading: d.heading,
    snippet: snippet(d.text, terms),
    score,
    bm25Rank: f.bm25Rank,
    vectorRank: f.vectorRank,
    vectorDistance: f.distance,
    rating: d.ratingAvg,
    explanation: explain(f.precise, f.bm25Rank, f.vectorRank, f.distance, d.ratingAvg, d.ratingCount, factor, d.pageKind),
  }));
  const mode =
    textHits.length > 0 && query.vector !== null ? 'hybrid' : query.vector !== null ? 'vector' : keywordResult?.searched ? 'bm25' : 'none';
  return { results: page, offset, limit, hasMore: ranked.length > offset + limit, mode, notes };
}

/**
 * The vector half: the nearest chunks to `vector` over every library embedded by `embedder`, best
 * `depth` first, with a note in `notes` for each library it could not search and why.
 */
async function vectorSearch(
  store: KnowledgeRepository,
  request: SearchRequest,
  { vector, embedder }: { vector: Float32Array; embedder: Embedder },
  depth: number,
  notes: Notice[],
): Promise<VectorHit[]> {
  const q = quantize(vector);
  const libraries = await store.searchableLibraries(request);
  const allowed = await store.allowedChunks(
    libraries.map((l) => l.id),
    request,
  );
  const hits: VectorHit[] = [];
  for (const lib of libraries) {
    const name = libraryLabel(lib.name, lib.version);
    const fix: Fix = { action: 'reindex', library: lib.name, version: lib.version };
    if (lib.embedder === null) {
      if (lib.pending > 0) notes.push({ message: `${name}: ${lib.pending} chunks have no vectors (BM25 only)`, fix });
      continue;
    }
    if (lib.embedder !== embedder.id || lib.dims !== vector.length) {
      notes.push({
        message: `${name} was embedded with ${lib.embedder}; BM25 only for it (reindexing switches it to ${embedder.id})`,
        fix,
      });
      continue;
    }
    if (lib.pending > 0) notes.push({ message: `${name}: ${lib.pending} chunks have no vectors yet`, fix });
    if (!(await store.hasVectors(lib.dims))) continue;
    const allow = allowed && (allowed.get(lib.id) ?? []);
    if (allow?.length === 0) continue;
    // A scan holds the event loop for milliseconds; between libraries, the keyword half's replies
    // (and other clients) get through, so its next statement runs on the server meanwhile.
    await setImmediate();
    hits.push(...(await store.nearestChunks(lib.dims, lib.id, q, depth, allow, { exact: !embedder.indexable })));
  }
  hits.sort((a, b) => a.distance - b.distance);
  hits.length = Math.min(hits.length, depth);
  return hits;
}

function explain(
  precise: boolean,
  bm25Rank: number | null,
  vectorRank: number | null,
  distance: number | null,
  avg: number | null,
  count: number,
  factor: number,
  pageKind: StoredPageKind,
): string {
  const parts: string[] = [];
  if (bm25Rank !== null) parts.push(`keyword rank ${bm25Rank}${precise ? ' (all query words)' : ''}`);
  if (vectorRank !== null) parts.push(`semantic rank ${vectorRank} (cosine distance ${distance!.toFixed(3)})`);
  if (factor !== 1) parts.push(`rated ${avg!.toFixed(1)}/5 by ${count} → ×${factor.toFixed(2)}`);
  if (pageKind !== 'content') parts.push(`table of contents → ×${pageKindFactor(pageKind)}`);
  return parts.join('; ');
}
