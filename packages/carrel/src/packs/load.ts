/**
 * Getting a pack ready to install, before anything is written: its bytes from a file inside the
 * allowed roots, an http(s) URL (guarded fetch, retried on transient failures) or a registry index;
 * their sha256 checked against the one expected; gunzipped under a cap (a gzip bomb stops at the
 * cap, not at the end of memory); parsed and validated against the format (`format.ts`).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { z } from 'zod';
import { InvalidInputError, InvalidPackError, NotFoundError } from '../errors.js';
import { checkFile, resolveAllowedPath } from '../sources/file-source.js';
import type { FetchLimits } from '../sources/url-source.js';
import { fetchBody } from '../sources/url-source.js';
import type { Pack, RegistryIndex } from './format.js';
import { describeIssues, packSchema, registryIndexSchema } from './format.js';
import { withRetries } from './retry.js';

/** Where a pack comes from: a file, a URL, or a registry index (a path or URL) and a pack name in it. */
export type PackSource = { path: string } | { url: string } | { registry: string; name: string; version?: string };

/** What loading may read and fetch. */
export interface LoadContext {
  roots: readonly string[];
  fetch: FetchLimits;
  /** The largest pack, read or downloaded, and the most it may decompress to. */
  maxBytes: number;
  signal?: AbortSignal;
}

/** A pack verified and validated. */
export interface LoadedPack {
  pack: Pack;
  sha256: string;
  /** Where it was read from, for messages. */
  where: string;
}

const gunzipAsync = promisify(gunzip);
const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Loads the pack `source` names; `sha256`, when given (or named by a registry), must match its bytes. */
export async function loadPack(source: PackSource, sha256: string | undefined, context: LoadContext): Promise<LoadedPack> {
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidInputError('sha256', '64 lower-case hex digits');
  if ('registry' in source) {
    const entry = await registryEntry(source, context);
    if (sha256 !== undefined && sha256 !== entry.sha256)
      throw new InvalidInputError('sha256', `the checksum the registry names for ${entry.name}@${entry.version} (${entry.sha256})`);
    return loadPack({ [isUrl(entry.location) ? 'url' : 'path']: entry.location } as PackSource, entry.sha256, context);
  }
  const where = 'path' in source ? source.path : source.url;
  const bytes = await readBytes(where, context);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== undefined && actual !== sha256) throw new InvalidPackError(where, `its sha256 is ${actual}, not the expected ${sha256}`);
  const pack = parse(packSchema, await unpack(bytes, where, context.maxBytes), where);
  return { pack, sha256: actual, where };
}

/** The entry of a registry index for the pack named, with the pack's location resolved against the index's. */
async function registryEntry(
  source: { registry: string; name: string; version?: string },
  context: LoadContext,
): Promise<RegistryIndex['packs'][number] & { location: string }> {
  const index = parse(
    registryIndexSchema,
    await unpack(await readBytes(source.registry, context), source.registry, context.maxBytes),
    source.registry,
  );
  const versions = index.packs.filter((p) => p.name === source.name);
  const entry =
    source.version === undefined
      ? versions.sort((a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }))[0]
      : versions.find((p) => p.version === source.version);
  if (!entry)
    throw new NotFoundError(
      `Pack in the registry ${source.registry}`,
      source.version === undefined ? source.name : `${source.name}@${source.version}`,
    );
  const location = isUrl(source.registry)
    ? new URL(entry.url, source.registry).href
    : isUrl(entry.url)
      ? entry.url
      : resolve(dirname(resolve(source.registry)), entry.url);
  return { ...entry, location };
}

/** A file's bytes (inside the allowed roots) or a URL's (guarded fetch, retried on transient failures). */
async function readBytes(where: string, context: LoadContext): Promise<Uint8Array> {
  if (isUrl(where)) {
    const limits = { ...context.fetch, maxBytes: Math.min(context.fetch.maxBytes, context.maxBytes) };
    return (await withRetries(() => fetchBody(where, limits, context.signal), context.signal)).bytes;
  }
  const real = await resolveAllowedPath(where, context.roots);
  await checkFile(real, context.maxBytes);
  return readFile(real, { signal: context.signal });
}

/** The text of a JSON file, gunzipped first if it is gzip, never more than `maxBytes` of it. */
async function unpack(bytes: Uint8Array, where: string, maxBytes: number): Promise<string> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return Buffer.from(bytes).toString('utf8');
  try {
    // zlib stops inflating once the output passes maxOutputLength: a bomb costs the cap, no more.
    return (await gunzipAsync(bytes, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new InvalidPackError(where, `it decompresses to more than ${maxBytes} bytes`);
    throw new InvalidPackError(where, `it is not valid gzip (${(error as Error).message})`);
  }
}

/** `text` parsed as JSON and checked against `schema`; an InvalidPackError naming the bad field otherwise. */
function parse<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidPackError(where, `it is not JSON (${(error as Error).message})`);
  }
  const checked = schema.safeParse(json);
  if (!checked.success) throw new InvalidPackError(where, describeIssues(checked.error));
  return checked.data;
}
