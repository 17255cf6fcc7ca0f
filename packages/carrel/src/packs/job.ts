/**
 * A loaded pack as the ingest job that installs it: its documents with their tags (the install's
 * own added), their vectors decoded, and the pack's identity for the publish to record.
 *
 * @module
 */
import type { PackJob, Target } from '../ingest/jobs.js';
import type { LoadedPack } from './load.js';

/** The job installing `loaded` into `target`. */
export function packJob(loaded: LoadedPack, target: Target): PackJob {
  const { pack } = loaded;
  return {
    kind: 'pack',
    target,
    pack: { name: pack.name, version: pack.version, sha256: loaded.sha256 },
    embedding: pack.embedding ?? null,
    documents: pack.documents.map((d) => ({
      source: d.source,
      title: d.title,
      content: d.content,
      format: d.format ?? 'markdown',
      tags: d.tags ?? [],
      ...(d.vectors && { vectors: d.vectors.map(decodeVector) }),
    })),
  };
}

/** A base64 int8 vector, as stored. */
export function decodeVector(base64: string): Int8Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
}

/** An int8 vector as a pack carries it. */
export function encodeVector(vector: Int8Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}
