/**
 * A text or markdown file too large to hold whole: read line by line, chunked as it goes, each
 * batch of chunks embedded and appended to the document's staged version, so memory stays bounded
 * by a batch whatever the file's size. The version is finished (made complete) only after its last
 * batch; a crash before that leaves an incomplete stage that a resumed run starts again.
 *
 * @module
 */
import { readSync } from 'node:fs';
import { basename } from 'node:path';
import { IngestCancelledError, UnsupportedContentError } from '../errors.js';
import { looksBinary, withoutNul } from '../sources/media-type.js';
import type { ChunkWrite, DocumentHeader } from '../store/repository.js';
import type { Chunk, ChunkerOptions } from './chunker.js';
import { MarkdownChunker } from './chunker.js';
import type { RunContext } from './pipeline.js';
import { readLines } from './read-lines.js';

/** What streaming takes from the run it is part of. */
export interface StreamHost {
  context: RunContext;
  plan: ChunkerOptions | undefined;
  dims: number | null;
  /** Embeds chunks in requests, checking for a cancel between them. */
  embed(chunks: readonly Chunk[]): Promise<(Int8Array | null)[]>;
}

/** The file and the version it becomes. */
export interface StreamedFile {
  fd: number;
  size: number;
  header: DocumentHeader;
  status: 'created' | 'updated';
  baseVersion: number;
}

/** The staged version's document id and counts. */
export interface Streamed {
  documentId: number;
  chunks: number;
  chunksWithoutVectors: number;
}

/** See module comment. Rejects a file that turns out to be binary before anything is staged. */
export async function streamFile(host: StreamHost, file: StreamedFile): Promise<Streamed> {
  const { context: c } = host;
  const { fd, size, header } = file;
  if (looksBinary(readHead(fd)))
    throw new UnsupportedContentError(header.source, 'it is binary (contains NUL bytes), not text, markdown, HTML or PDF');
  const runId = c.run.id;
  const stage = await c.store.beginStage(runId, { header, status: file.status, baseVersion: file.baseVersion });
  const at = { ...stage, libraryId: c.library.id };
  const chunker = new MarkdownChunker(host.plan);
  let ord = 0;
  let without = 0;
  let pending: Chunk[] = [];
  const write = async () => {
    const chunks = chunkWrites(pending, await host.embed(pending));
    ord = await c.store.appendStage(runId, at, host.dims, ord, chunks);
    without += chunks.filter((ch) => ch.vector === null).length;
    pending = [];
    if (c.control.cancelled()) throw new IngestCancelledError();
  };
  let bytesRead = 0;
  for await (const line of readLines(fd)) {
    chunker.push(withoutNul(line));
    bytesRead += line.length;
    const ready = chunker.take();
    if (ready.length > 0) pending.push(...ready);
    if (pending.length >= c.settings.batchChunks) {
      await write();
      c.control.progress(Math.min(bytesRead, size), size, `streaming ${basename(header.source)}`);
    }
  }
  pending.push(...chunker.end());
  await write();
  await c.store.finishStage(runId, stage.version);
  return { documentId: stage.documentId, chunks: ord, chunksWithoutVectors: without };
}

/** Chunks as stored: their fields and their vectors (null where none was made). */
export function chunkWrites(chunks: readonly Chunk[], vectors: readonly (Int8Array | null)[]): ChunkWrite[] {
  return chunks.map((ch, i) => ({
    heading: ch.heading,
    text: ch.text,
    overlap: ch.overlap,
    lead: ch.lead,
    trail: ch.trail,
    vector: vectors[i] ?? null,
  }));
}

function readHead(fd: number): Uint8Array {
  const buffer = Buffer.alloc(8192);
  const bytesRead = readSync(fd, buffer, 0, 8192, 0);
  return buffer.subarray(0, bytesRead);
}
