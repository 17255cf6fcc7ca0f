/**
 * Reindexing a library as a run: every live document that needs vectors (all of them when the
 * library switches to another model) is copied into a new version whose chunks carry vectors of
 * the current embedder — the stored text is reused, vectors already made by the same model are
 * copied — and the copies go live when the run publishes, together with the library's new binding.
 * Until then searches keep using the old vectors; a cancel leaves them as they were. A document
 * whose content changed meanwhile keeps its new content: its copy is dropped at publish.
 *
 * @module
 */
import { EmbedderFailedError, EmbedderUnavailableError, IngestCancelledError } from '../errors.js';
import type { ChunkWrite, LiveDocumentHeader, StoredChunk } from '../store/documents.js';
import { liveDocuments, versionChunks } from '../store/documents.js';
import type { StagedDocument } from '../store/staging.js';
import { findStage } from '../store/staging.js';
import { readVectors } from '../store/vectors.js';
import { quantize } from '../embedders/embedder.js';
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
  await embedder.load();
  const dims = embedder.dims!;
  const result = emptyResult({ library: library.name, version: library.version });
  const switching = library.embedder !== null && (library.embedder !== embedder.id || library.dims !== dims);
  if (switching)
    result.warnings.push({ message: `Switched from ${library.embedder} (${library.dims} dims) to ${embedder.id} (${dims} dims)` });
  if (library.embedder === null || switching)
    await c.writer.setBinding({ runId: c.run.id, embedder: embedder.id, dims, rebind: switching });
  const total = countToEmbed(c, switching);
  /** Chunks per staging transaction: a few embedding requests' worth, as in a files job. */
  const group = settings.batchChunks * 4;

  const embed = async (chunks: readonly StoredChunk[]): Promise<ChunkWrite[]> => {
    const known = switching
      ? new Map<number, Int8Array>()
      : readVectors(
          c.db,
          dims,
          chunks.filter((x) => x.embedded).map((x) => x.id),
        );
    const missing = chunks.filter((x) => !known.has(x.id));
    for (let from = 0; from < missing.length; from += settings.batchChunks) {
      if (control.cancelled()) throw new IngestCancelledError();
      const slice = missing.slice(from, from + settings.batchChunks);
      let vectors: Float32Array[];
      try {
        vectors = await embedder.embed(
          slice.map((x) => embeddingText(x.heading, x.text)),
          control.signal,
        );
      } catch (err) {
        if (control.signal.aborted) throw new IngestCancelledError();
        if (err instanceof EmbedderFailedError) throw err;
        throw new EmbedderUnavailableError(embedder.id, err instanceof Error ? err.message : String(err));
      }
      slice.forEach((x, i) => known.set(x.id, quantize(vectors[i]!)));
      result.chunks += slice.length;
      control.progress(result.chunks, total, `embedded ${result.chunks}/${total} chunks`);
    }
    return chunks.map((x) => ({
      heading: x.heading,
      text: x.text,
      overlap: x.overlap,
      lead: x.lead,
      trail: x.trail,
      vector: known.get(x.id)!,
    }));
  };

  let pending: StagedDocument[] = [];
  let pendingChunks = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await c.writer.stage({ runId: c.run.id, dims, docs: pending });
    pending = [];
    pendingChunks = 0;
    if (control.cancelled()) throw new IngestCancelledError();
  };

  for (let after = 0; ;) {
    const docs = liveDocuments(c.db, library.id, after, PAGE, !switching);
    if (docs.length === 0) break;
    after = docs.at(-1)!.id;
    for (const doc of docs) {
      // A re-run of the same task keeps the copies it already staged.
      const staged = findStage(c.db, c.run.id, library.id, doc.source);
      if (staged?.complete && staged.status === 'copy') {
        result.updated++;
        result.resumed++;
        continue;
      }
      if (doc.chunkCount > group) {
        await flush();
        await copyLargeDocument(c, doc, dims, group, embed);
      } else {
        pending.push(copyOf(doc, await embed(versionChunks(c.db, doc.id, doc.liveVersion, 0, doc.chunkCount))));
        pendingChunks += doc.chunkCount;
        if (pendingChunks >= group) await flush();
      }
      result.updated++;
    }
  }
  await flush();
  return result;
}

/** How many chunks the reindex will embed, for progress. */
function countToEmbed(c: RunContext, switching: boolean): number {
  return c.db
    .prepare<[number], { n: number }>(
      `SELECT count(*) AS n FROM documents d JOIN chunks c ON c.document_id = d.id AND c.version = d.live_version
       WHERE d.library_id = ? ${switching ? '' : 'AND c.embedded = 0'}`,
    )
    .get(c.library.id)!.n;
}

function copyOf(doc: LiveDocumentHeader, chunks: ChunkWrite[]): StagedDocument {
  const { id: _id, liveVersion, chunkCount: _count, ...header } = doc;
  return { header, status: 'copy', baseVersion: liveVersion, chunks };
}

/** A document too large for one transaction, copied in several (as a streamed file is staged). */
async function copyLargeDocument(
  c: RunContext,
  doc: LiveDocumentHeader,
  dims: number,
  group: number,
  embed: (chunks: readonly StoredChunk[]) => Promise<ChunkWrite[]>,
): Promise<void> {
  const runId = c.run.id;
  const { chunks: _none, ...head } = copyOf(doc, []);
  const stage = await c.writer.beginStage({ runId, doc: head });
  const at = { ...stage, libraryId: c.library.id };
  let ord = 0;
  for (;;) {
    const chunks = versionChunks(c.db, doc.id, doc.liveVersion, ord, group);
    if (chunks.length === 0) break;
    ord = await c.writer.appendStage({ runId, at, dims, ord, chunks: await embed(chunks) });
    if (c.control.cancelled()) throw new IngestCancelledError();
  }
  await c.writer.finishStage({ runId, version: stage.version });
}
