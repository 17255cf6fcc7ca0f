/**
 * A web page's version marker: its `ETag` and `Last-Modified` (to ask the server "changed since?")
 * and the SHA-256 of its bytes (to tell an unchanged page from a changed one when the server has
 * no validators, and to find duplicate content across URLs even when the page answered 304).
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** What a marker holds. */
export interface PageVersion {
  etag?: string | undefined;
  lastModified?: string | undefined;
  sha256: string;
}

/** The marker stored with the page's document. */
export function encodeVersion(version: PageVersion): string {
  return JSON.stringify({ etag: version.etag, lastModified: version.lastModified, sha256: version.sha256 });
}

/** The marker read back; undefined for a marker this connector did not write. */
export function decodeVersion(marker: string | undefined): PageVersion | undefined {
  if (marker === undefined) return undefined;
  try {
    const parsed = JSON.parse(marker) as Partial<PageVersion>;
    return typeof parsed.sha256 === 'string' ? { etag: parsed.etag, lastModified: parsed.lastModified, sha256: parsed.sha256 } : undefined;
  } catch {
    return undefined;
  }
}

/** The conditional request headers for a page last seen at `version`. */
export function conditionalHeaders(version: PageVersion | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (version?.etag) headers['if-none-match'] = version.etag;
  if (version?.lastModified) headers['if-modified-since'] = version.lastModified;
  return headers;
}

/** The hex SHA-256 of `bytes`. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
