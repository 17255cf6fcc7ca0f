/**
 * Decides how a piece of content is read: markdown, HTML, plain text or PDF, from a file
 * extension or an HTTP content type, plus a binary sniff for everything else.
 *
 * @module
 */
import { extname } from 'node:path';

/** The formats the extractor understands. */
export type MediaType = 'markdown' | 'html' | 'text' | 'pdf';

const BY_EXTENSION: Record<string, MediaType> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
  '.txt': 'text',
  '.rst': 'text',
  '.adoc': 'text',
};

/** Media type from a file name; unknown extensions are treated as text (then sniffed for binary). */
export function mediaTypeOfPath(path: string): MediaType {
  return BY_EXTENSION[extname(path).toLowerCase()] ?? 'text';
}

/** Media type from an HTTP Content-Type header, or undefined when it is not a supported format. */
export function mediaTypeOfContentType(contentType: string | undefined, url: string): MediaType | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/markdown' || type === 'text/x-markdown') return 'markdown';
  if (type === 'application/pdf') return 'pdf';
  if (type === 'text/plain' || type === '' || type === 'application/octet-stream') {
    const byName = mediaTypeOfPath(new URL(url).pathname);
    return type === 'application/octet-stream' && byName === 'text' ? undefined : byName;
  }
  if (type.startsWith('text/')) return 'text';
  return undefined;
}

/**
 * True when the bytes look binary: NULs in the first 8 KB (where git and grep look), unless they are
 * strays (at most one per KB) in valid UTF-8 — Javadoc writes the NUL character's own documentation
 * with raw NULs. Binary formats and UTF-16 text have NULs all through their first bytes, or are not UTF-8.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  let nuls = 0;
  for (let i = 0; i < head.length; i++) if (head[i] === 0) nuls++;
  if (nuls === 0) return false;
  return nuls * 1024 > head.length || !isUtf8Start(head);
}

/** Text with its NUL characters removed: they are not content, and nothing downstream expects them. */
export function withoutNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '') : text;
}

/** True when `head` is valid UTF-8, allowing a character cut off at its end. */
function isUtf8Start(head: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** True when the bytes start with the PDF magic number. */
export function isPdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46 && bytes[4] === 0x2d;
}
