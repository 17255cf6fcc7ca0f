/**
 * Approximate indexes kept on disk between processes, so a restart loads a library's index
 * instead of building it again (minutes of both cores at 1M vectors; bench/README.md § Vector
 * index). A saved index is a cache: it may be older than the library, and the digest saved with
 * it says which vectors it holds, so the loader can bring it up to date the way a commit does.
 *
 * Per library (partition) and dimension, a folder holds two files:
 * - `<dims>d-<partition>-<token>.usearch`: the index as usearch writes it;
 * - `<dims>d-<partition>.digest`: the header (format, settings, the index file's token) and, per
 *   vector, its chunk id and a 64-bit hash of its bytes.
 * A save writes a new index file under a fresh token and flushes it to disk, then replaces the
 * digest by a rename: the rename commits, so a crash at any point leaves the previous pair whole,
 * and a reader never pairs a digest with an index it does not describe. The digest holds the index
 * file's size and SHA-256, checked before usearch reads the file: usearch trusts what it loads (a
 * torn file crashed the process in a test), so nothing but the bytes a save wrote ever reaches it.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ApproximateIndex, usearchVersion, type ApproximateIndexOptions } from './approximate-index.js';
import type { Partition } from './vector-memory.js';

/** Which vectors an index holds: their chunk ids and, two words per row, a hash of each vector's bytes. */
export interface IndexDigest {
  ids: Float64Array;
  hashes: Uint32Array;
}

const MAGIC = 'carrel-vector-index';
/** Bumped when the layout of either file changes: an older pair is then built again. */
const FORMAT = 1;
/** An index file no digest names (a save that crashed before its commit) is removed once it is this old. */
const ORPHAN_AGE_MS = 10 * 60_000;

interface Header {
  magic: string;
  format: number;
  dims: number;
  partition: number;
  count: number;
  token: string;
  /** The index file's size and SHA-256 (hex), and the usearch version that wrote it. */
  bytes: number;
  sha256: string;
  usearch: string;
  scalar: string;
  expansionAdd: number;
}

/** One folder of saved indexes (a store's, on one machine). */
export class IndexFolder {
  /** Partitions this process found nothing saved for, or removed it: {@link forget} looks no further. */
  readonly #forgotten = new Set<string>();

  constructor(readonly dir: string) {}

  /**
   * The index saved for `partition`, and what it holds; null when none is saved or what is saved
   * cannot be used (another format or settings, a torn or foreign file), which is then removed.
   * Null too, with nothing removed, once `signal` aborts (before usearch's load, which cannot stop).
   */
  async load(
    dims: number,
    partition: number,
    options: Required<ApproximateIndexOptions>,
    signal?: AbortSignal,
  ): Promise<{ index: ApproximateIndex; digest: IndexDigest } | null> {
    const digestPath = this.#digestPath(dims, partition);
    let bytes: Buffer;
    try {
      bytes = readFileSync(digestPath);
    } catch {
      return null;
    }
    let indexPath: string | undefined;
    try {
      const { header, digest } = parseDigest(bytes);
      indexPath = this.#indexPath(dims, partition, header.token);
      if (
        header.magic !== MAGIC ||
        header.format !== FORMAT ||
        header.usearch !== usearchVersion() ||
        header.dims !== dims ||
        header.partition !== partition ||
        header.scalar !== options.scalar ||
        header.expansionAdd !== options.expansionAdd
      )
        throw new Error('saved by another version or with other settings');
      this.#removeOrphans(dims, partition, header.token);
      if (statSync(indexPath).size !== header.bytes || (await fileSha256(indexPath, signal)) !== header.sha256)
        throw new Error('index file is not the one its digest describes');
      if (signal?.aborted) return null;
      const index = ApproximateIndex.load(indexPath, dims, options);
      if (index.size !== header.count) throw new Error(`holds ${index.size} vectors where its digest lists ${header.count}`);
      return { index, digest };
    } catch {
      // Stale or broken: built again, and saved over. Unless another process saved meanwhile
      // (its save removes the index file read here), or the load was called off: then left alone.
      if (signal?.aborted || !sameFile(digestPath, bytes)) return null;
      this.#remove(digestPath);
      if (indexPath !== undefined) this.#remove(indexPath);
      else this.#removeOrphans(dims, partition, null);
      return null;
    }
  }

  /**
   * Saves `index`, which holds `digest`'s vectors, replacing what was saved before. usearch writes
   * the file in one synchronous call, which holds the event loop (0.18 s for 250,000 384-dimension
   * vectors, 2.4 s for 1M; loading takes about as long); the hash and the flush to disk do not.
   */
  async save(dims: number, partition: number, index: ApproximateIndex, digest: IndexDigest): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.#forgotten.delete(`${dims}d-${partition}`);
    const token = randomBytes(8).toString('hex');
    const indexPath = this.#indexPath(dims, partition, token);
    const digestPath = this.#digestPath(dims, partition);
    const before = this.#savedToken(dims, partition);
    const pending = `${digestPath}.${token}.tmp`;
    try {
      index.save(indexPath);
      const file = await open(indexPath, 'r+');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
      const header: Header = {
        magic: MAGIC,
        format: FORMAT,
        dims,
        partition,
        count: digest.ids.length,
        token,
        bytes: statSync(indexPath).size,
        sha256: await fileSha256(indexPath),
        usearch: usearchVersion(),
        scalar: index.options.scalar,
        expansionAdd: index.options.expansionAdd,
      };
      await writeFile(pending, serializeDigest(header, digest), { flush: true });
      renameSync(pending, digestPath);
    } catch (error) {
      this.#remove(indexPath);
      this.#remove(pending);
      throw error;
    }
    if (before !== null && before !== token) this.#remove(this.#indexPath(dims, partition, before));
  }

  /** Removes what is saved for `partition` (its library left the indexed sizes, or is gone). */
  forget(dims: number, partition: number): void {
    const key = `${dims}d-${partition}`;
    if (this.#forgotten.has(key)) return;
    this.#forgotten.add(key);
    const token = this.#savedToken(dims, partition);
    if (token === null) return;
    this.#remove(this.#digestPath(dims, partition));
    this.#remove(this.#indexPath(dims, partition, token));
  }

  #digestPath(dims: number, partition: number): string {
    return join(this.dir, `${dims}d-${partition}.digest`);
  }

  #indexPath(dims: number, partition: number, token: string): string {
    return join(this.dir, `${dims}d-${partition}-${token}.usearch`);
  }

  #savedToken(dims: number, partition: number): string | null {
    try {
      return parseHeader(readFileSync(this.#digestPath(dims, partition))).header.token;
    } catch {
      return null;
    }
  }

  /** Index files of `partition` that no digest names and no save still in progress can be writing. */
  #removeOrphans(dims: number, partition: number, keep: string | null): void {
    const prefix = `${dims}d-${partition}-`;
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(prefix) || !name.endsWith('.usearch') || name === `${prefix}${keep}.usearch`) continue;
      const path = join(this.dir, name);
      try {
        if (Date.now() - statSync(path).mtimeMs > ORPHAN_AGE_MS) unlinkSync(path);
      } catch {
        // Removed meanwhile by another process.
      }
    }
  }

  #remove(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

/** Vectors hashed per turn of the event loop (~1 µs each at 384 dims). */
const HASH_SLICE = 8_192;

/** The digest of a whole partition, hashed in slices between which the event loop runs; unfinished once `signal` aborts. */
export async function digestOf(partition: Partition, dims: number, signal?: AbortSignal): Promise<IndexDigest> {
  const rows = partition.ids.length;
  const hashes = new Uint32Array(rows * 2);
  for (let start = 0; start < rows; start += HASH_SLICE) {
    if (start > 0) await nextTurn();
    if (signal?.aborted) break;
    hashRows(partition.vectors, dims, start, Math.min(rows, start + HASH_SLICE), hashes);
  }
  // A copy's partitions are never written once made, so the digest can share its ids.
  return { ids: partition.ids, hashes };
}

/**
 * Hashes rows [from, to) of `vectors` into `out` (two words per row, at the row's place): two
 * independent 32-bit multiplicative hashes of the row's bytes, so that two different vectors under
 * one chunk id pass for the same only with odds of about 2^-64.
 */
function hashRows(vectors: Int8Array, dims: number, from: number, to: number, out: Uint32Array): void {
  for (let row = from; row < to; row++) {
    let a = 0x811c9dc5;
    let b = 0x27d4eb2f ^ dims;
    for (let i = row * dims, end = i + dims; i < end; i++) {
      const byte = vectors[i]! & 0xff;
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x5bd1e995);
      b ^= b >>> 13;
    }
    out[row * 2] = a >>> 0;
    out[row * 2 + 1] = b >>> 0;
  }
}

function sameFile(path: string, bytes: Buffer): boolean {
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

function fileSha256(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20, ...(signal && { signal }) })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function serializeDigest(header: Header, digest: IndexDigest): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  // The arrays start on an 8-byte boundary, so they can be read in place.
  const headerBytes = Math.ceil((4 + json.length) / 8) * 8;
  const out = Buffer.alloc(headerBytes + digest.ids.byteLength + digest.hashes.byteLength);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  Buffer.from(digest.ids.buffer, digest.ids.byteOffset, digest.ids.byteLength).copy(out, headerBytes);
  Buffer.from(digest.hashes.buffer, digest.hashes.byteOffset, digest.hashes.byteLength).copy(out, headerBytes + digest.ids.byteLength);
  return out;
}

/** The header of a digest file, and where its arrays start. */
function parseHeader(bytes: Buffer): { header: Header; headerBytes: number } {
  const length = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8')) as Header;
  // The token names a file in the folder: nothing but what a save makes.
  if (typeof header.token !== 'string' || !/^[0-9a-f]{16}$/.test(header.token)) throw new Error('digest names no index file');
  return { header, headerBytes: Math.ceil((4 + length) / 8) * 8 };
}

function parseDigest(bytes: Buffer): { header: Header; digest: IndexDigest } {
  const { header, headerBytes } = parseHeader(bytes);
  const count = header.count;
  if (!Number.isInteger(count) || count < 0 || bytes.length !== headerBytes + count * 16) throw new Error('digest of the wrong length');
  // Copied out of the file's buffer, which Node may share with other small reads and need not align.
  const body = new Uint8Array(bytes.subarray(headerBytes));
  return {
    header,
    digest: { ids: new Float64Array(body.buffer, 0, count), hashes: new Uint32Array(body.buffer, count * 8, count * 2) },
  };
}
