/**
 * Knowledge packs for tests: a pack of generated documents, written as JSON or gzipped JSON, with
 * its sha256.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Pack, PackDocument } from 'carrel';

/** `count` documents `doc-0` … about distinct topics. */
export function packDocuments(count: number, from = 0): PackDocument[] {
  return Array.from({ length: count }, (_, i) => ({
    source: `https://docs.example.com/doc-${from + i}`,
    title: `Document ${from + i}`,
    content: `# Document ${from + i}\n\nThe topic of document ${from + i} is number ${from + i}, written for the pack tests.\n`,
    tags: ['generated'],
  }));
}

/** A pack named `name` at `version` holding `documents`. */
export function makePack(name: string, version: string, documents: PackDocument[]): Pack {
  return { format: 1, name, version, license: 'CC-BY-4.0', description: `${name} for tests`, documents };
}

/** Writes `content` (a pack or any value) to `dir/file`, gzipped if the name ends in .gz; returns its path and sha256. */
export function writePack(dir: string, file: string, content: unknown): { path: string; sha256: string } {
  const json = Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
  const bytes = file.endsWith('.gz') ? gzipSync(json) : json;
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}
