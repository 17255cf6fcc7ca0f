/**
 * Reindexing a library as a run: every live document that needs vectors (all of them when the
 * library switches to another model) is copied into a new version whose chunks carry vectors of
 * the current embedder — the stored text is reused, vectors already made by the same model are
 * copied — and the copies go live when the run publishes, together with the library's new binding.
 * Until then searches keep using the old vectors; a cancel leaves them as they were. A document
 * whose content changed meanwhile keeps its new content: its copy is dropped at publish.
 *
 * When the library was chunked under another plan than the current embedder's (see `chunking.ts`)
 * every document is rechunked: its source is read back from its chunks (`sourceOfChunks`), cut
 * again, and all of its new chunks are embedded.
 *
 * @module
 */
import { EmbedderFailedError, EmbedderUnavailableError, IngestCancelledError } from '../errors.js';
import { sourceOfChunks } from '../store/chunk-source.js';
import type { ChunkWrite, LiveDocumentHeader, StagedDocument, StoredChunk } from '../store/repository.js';
import { quantize } from '../embedders/embedder.js';
import type { Chunk, ChunkerOptions } from './chunker.js';
import { MarkdownChunker } from './chunker.js';
import { chunkingLabel, chunkingPlan } from './chunking.js';
import { embeddingText } from './embedding-session.js';
import type { IngestResult } from './jobs.js';
import type { RunContext } from './pipeline.js';
import { emptyResult } from './result.js';

/** Documents read per page while listing the library. */
const PAGE = 200;

/** Reindexes the run's library; returns how many chunks were embedded. */
export async function reindexRun(c: RunContext): Promise<IngestResult> {
  const { library, control, settings } = c;
  const embedder = c.embedder;
  if (!embedder) throw new EmbedderUnavailableError('none', 'no embedder is configured, so there is nothing to reindex with');
  await embedder.load(control.signal);
  const dims = embedder.dims!;
  const result = emptyResult({ library: library.name, version: library.version });
  const switching = library.embedder !== null && (library.embedder !== embedder.id || library.dims !== dims);
  if (switching)
    result.warnings.push({ message: `Switched from ${library.embedder} (${library.dims} dims) to ${embedder.id} (${dims} dims)` });
  if (library.embedder === null || switching) await c.store.setRunBinding(c.run.id, embedder.id, dims, switching);
  const plan = chunkingPlan(embedder.window(), settings.chunker);
  const label = chunkingLabel(plan);
  const rechunk = library.chunking !== label;
  if (rechunk) {
    await c.store.setRunChunking(c.run.id, label);
    if (library.chunking !== null) result.warnings.push({ message: `Rechunked from ${library.chunking} to ${label}` });
  }
  const total = await countToEmbed(c, switching || rechunk);
  /** Chunks per staging transaction: a few embedding requests' worth, as in a files job. */
  const group = settings.batchChunks * 4;

  /** Vectors for `texts`, in requests of `batchChunks`, counting progress. */
  const vectorsOf = async (texts: readonly string[]): Promise<Int8Array[]> => {
    const out: Int8Array[] = [];
    for (let from = 0; from < texts.length; from += settings.batchChunks) {
      if (control.cancelled()) throw new IngestCancelledError();
      const slice = texts.slice(from, from + settings.batchChunks);
      let vectors: Float32Array[];
      try {
        vectors = await embedder.embed(slice, control.signal);
      } catch (err) {
        if (control.signal.aborted) throw new IngestCancelledError();
        if (err instanceof EmbedderFailedError) throw err;
        throw new EmbedderUnavailableError(embedder.id, err instanceof Error ? err.message : String(err));
      }
      out.push(...vectors.map(quantize));
      result.chunks += slice.length;
      control.progress(Math.min(result.chunks, total), total, `embedded ${result.chunks}/${total} chunks`);
    }
    return out;
  };

  const embed = async (chunks: readonly StoredChunk[]): Promise<ChunkWrite[]> => {
    const known = switching
      ? new Map<number, Int8Array>()
      : await c.store.readVectors(
          dims,
          chunks.filter((x) => x.embedded).map((x) => x.id),
        );
    const missing = chunks.filter((x) => !known.has(x.id));
    const vectors = await vectorsOf(missing.map((x) => embeddingText(x.heading, x.text)));
    missing.forEach((x, i) => known.set(x.id, vectors[i]!));
    return chunks.map((x) => ({
      heading: x.heading,
      text: x.text,
      overlap: x.overlap,
      lead: x.lead,
      trail: x.trail,
      vector: known.get(x.id)!,
    }));
  };

  const embedNew = async (chunks: readonly Chunk[]): Promise<ChunkWrite[]> => {
    const vectors = await vectorsOf(chunks.map((x) => embeddingText(x.heading, x.text)));
    return chunks.map((x, i) => ({
      heading: x.heading,
      text: x.text,
      overlap: x.overlap,
      lead: x.lead,
      trail: x.trail,
      vector: vectors[i]!,
    }));
  };

  let pending: StagedDocument[] = [];
  let pendingChunks = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await c.store.stageDocuments(c.run.id, dims, pending);
    pending = [];
    pendingChunks = 0;
    if (control.cancelled()) throw new IngestCancelledError();
  };

  for (let after = 0; ;) {
    const docs = await c.store.liveDocuments(library.id, after, PAGE, !(switching || rechunk));
    if (docs.length === 0) break;
    after = docs.at(-1)!.id;
    for (const doc of docs) {
      // A re-run of the same task keeps the copies it already staged.
      const staged = await c.store.findStage(c.run.id, library.id, doc.source);
      if (staged?.complete && staged.status === 'copy') {
        result.updated++;
        result.resumed++;
        continue;
      }
      if (doc.chunkCount > group) {
        await flush();
        if (rechunk) {
          const chunker = new MarkdownChunker(plan);
          await stageLargeDocument(
            c,
            doc,
            dims,
            group,
            (stored) => {
              chunker.push(sourceOfChunks(stored));
              return embedNew(chunker.take());
            },
            () => embedNew(chunker.end()),
          );
        } else await stageLargeDocument(c, doc, dims, group, embed);
      } else {
        const stored = await c.store.versionChunks(doc.id, doc.liveVersion, 0, doc.chunkCount);
        const chunks = rechunk ? await embedNew(chunksOf([sourceOfChunks(stored)], plan)) : await embed(stored);
        pending.push(await copyOf(c, doc, chunks));
        pendingChunks += chunks.length;
        if (pendingChunks >= group) await flush();
      }
      result.updated++;
    }
  }
  await flush();
  return result;
}

/** How many chunks the reindex will embed, for progress: all the library's live chunks, or those without a vector. */
async function countToEmbed(c: RunContext, all: boolean): Promise<number> {
  const { name, version } = c.library;
  const status = (await c.store.libraryStatus()).find((s) => s.name === name && s.version === version);
  return (all ? status?.chunks : status?.chunksWithoutVectors) ?? 0;
}

/** A copy of the live version: the same header and links, its chunks re-embedded. */
async function copyOf(c: RunContext, doc: LiveDocumentHeader, chunks: ChunkWrite[]): Promise<StagedDocument> {
  const { id: _id, liveVersion, chunkCount: _count, ...header } = doc;
  return { header, status: 'copy', baseVersion: liveVersion, chunks, links: await c.store.versionLinks(doc.id, liveVersion) };
}

/** The chunks of a source given in pieces. */
function chunksOf(pieces: readonly string[], plan: ChunkerOptions): Chunk[] {
  const chunker = new MarkdownChunker(plan);
  for (const piece of pieces) chunker.push(piece);
  return [...chunker.take(), ...chunker.end()];
}

/**
 * A document too large for one transaction, staged in several (as a streamed file is): its live
 * chunks are read back `group` at a time and `convert` turns each group into chunks of the new
 * version (re-embedded copies, or rechunked text); `finish` gives what is left once all are read.
 */
async function stageLargeDocument(
  c: RunContext,
  doc: LiveDocumentHeader,
  dims: number,
  group: number,
  convert: (stored: StoredChunk[]) => Promise<ChunkWrite[]>,
  finish: () => Promise<ChunkWrite[]> = async () => [],
): Promise<void> {
  const runId = c.run.id;
  const { chunks: _none, ...head } = await copyOf(c, doc, []);
  const stage = await c.store.beginStage(runId, head);
  const at = { ...stage, libraryId: c.library.id };
  let ord = 0;
  const append = async (chunks: ChunkWrite[]) => {
    if (chunks.length === 0) return;
    ord = await c.store.appendStage(runId, at, dims, ord, chunks);
    if (c.control.cancelled()) throw new IngestCancelledError();
  };
  for (let from = 0; ; from += group) {
    const stored = await c.store.versionChunks(doc.id, doc.liveVersion, from, group);
    if (stored.length === 0) break;
    await append(await convert(stored));
  }
  await append(await finish());
  await c.store.finishStage(runId, stage.version);
}
