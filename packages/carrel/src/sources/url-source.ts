/**
 * URL fetching with the limits a server needs: http(s) only, an overall timeout, a byte cap
 * enforced while streaming, at most `maxRedirects` redirects, and the private-address guard on
 * the first hop and every redirect (unless `allowPrivateAddresses`).
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { AddressBlockedError, ContentTooLargeError, FetchFailedError, UnsupportedContentError } from '../errors.js';
import { checkLiteralHost, guardedLookup } from './address-guard.js';
import type { MediaType } from './media-type.js';
import { mediaTypeOfContentType } from './media-type.js';

/** Limits for {@link fetchUrl}. */
export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  allowPrivateAddresses: boolean;
}

/** Defaults: 30 s, 20 MB, 5 redirects, public addresses only. */
export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 30_000,
  maxBytes: 20 * 1024 * 1024,
  maxRedirects: 5,
  allowPrivateAddresses: false,
};

/** A fetched response body with its final URL and media type. */
export interface FetchedContent {
  url: string;
  bytes: Uint8Array;
  mediaType: MediaType;
}

/** A fetched response body, whatever its type, with its final URL. */
export interface FetchedBody {
  url: string;
  bytes: Uint8Array;
  contentType: string | undefined;
}

interface Hop {
  status: number;
  location: string | undefined;
  contentType: string | undefined;
  retryAfter: string | undefined;
  bytes: Uint8Array;
}

/** Network failures worth trying again: the connection was cut or timed out, not refused. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']);

function requestOnce(url: URL, limits: FetchLimits, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(
      url,
      {
        signal,
        headers: {
          'user-agent': 'carrel (documentation indexer)',
          accept: 'text/html, text/markdown, text/plain, application/pdf;q=0.9, */*;q=0.1',
        },
        ...(limits.allowPrivateAddresses ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          resolve({ status, location: res.headers.location, contentType: undefined, retryAfter: undefined, bytes: new Uint8Array() });
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (declared > limits.maxBytes) {
          res.destroy();
          reject(new ContentTooLargeError(url.href, limits.maxBytes));
          return;
        }
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (part: Buffer) => {
          size += part.length;
          if (size > limits.maxBytes) {
            res.destroy();
            reject(new ContentTooLargeError(url.href, limits.maxBytes));
            return;
          }
          parts.push(part);
        });
        res.on('end', () =>
          resolve({
            status,
            location: undefined,
            contentType: res.headers['content-type'],
            retryAfter: res.headers['retry-after'],
            bytes: Buffer.concat(parts),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** Fetches `href` within `limits`; throws a KnowledgeBaseError describing any refusal or failure. */
export async function fetchUrl(href: string, limits: FetchLimits, signal?: AbortSignal): Promise<FetchedContent> {
  const { url, bytes, contentType } = await fetchBody(href, limits, signal);
  const mediaType = mediaTypeOfContentType(contentType, url);
  if (!mediaType) throw new UnsupportedContentError(url, `content type ${contentType ?? '(none)'} is not HTML, markdown, text or PDF`);
  return { url, bytes, mediaType };
}

/**
 * Fetches `href` within `limits`, whatever the body's type. A failure is a FetchFailedError whose
 * `data.transient` says whether trying again may help (a timeout, a cut connection, HTTP 429 or
 * 5xx, with the server's `Retry-After` in `data.retryAfter`), and `data.status` gives the HTTP status.
 */
export async function fetchBody(href: string, limits: FetchLimits, signal?: AbortSignal): Promise<FetchedBody> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new FetchFailedError(href, 'not a valid URL');
  }
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new FetchFailedError(url.href, `scheme ${url.protocol} is not allowed (http and https only)`);
    if (!limits.allowPrivateAddresses) checkLiteralHost(url.hostname);
    let hop: Hop;
    try {
      hop = await requestOnce(url, limits, combined);
    } catch (err) {
      if (err instanceof AddressBlockedError || err instanceof ContentTooLargeError) throw err;
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new FetchFailedError(url.href, `timed out after ${limits.timeoutMs} ms`, { transient: true });
      const code = (err as NodeJS.ErrnoException).code;
      throw new FetchFailedError(url.href, (err as Error).message, { transient: code !== undefined && TRANSIENT_CODES.has(code) });
    }
    if (hop.status >= 300 && hop.status < 400) {
      if (!hop.location) throw new FetchFailedError(url.href, `HTTP ${hop.status} without a Location header`);
      if (redirects >= limits.maxRedirects) throw new FetchFailedError(href, `more than ${limits.maxRedirects} redirects`);
      url = new URL(hop.location, url);
      continue;
    }
    if (hop.status < 200 || hop.status >= 300)
      throw new FetchFailedError(url.href, `HTTP ${hop.status}`, {
        status: hop.status,
        transient: hop.status === 429 || hop.status >= 500,
        ...(hop.retryAfter !== undefined && { retryAfter: hop.retryAfter }),
      });
    return { url: url.href, bytes: hop.bytes, contentType: hop.contentType };
  }
}
