/**
 * URL fetching with the limits a server needs: http(s) only, an overall timeout, a byte cap
 * enforced while streaming, at most `maxRedirects` redirects, and the private-address guard on
 * the first hop and every redirect (unless `allowPrivateAddresses`). `fetchResponse` returns any
 * status with the validators a crawler re-syncs with (and the start of a 4xx/5xx body, where an API
 * says why it refused); `fetchBody` wants a 2xx answer of any type
 * (a pack) and says whether a failure is worth retrying; `fetchUrl` wants a 2xx page.
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

/** Options of {@link fetchResponse}. */
export interface ResponseOptions {
  signal?: AbortSignal;
  /** Request headers added to the defaults (a crawler's If-None-Match, If-Modified-Since). */
  headers?: Record<string, string>;
  /**
   * Asked before each redirect is followed; false stops there and returns the redirect itself, so a
   * crawler never requests a page outside its scope.
   */
  followRedirect?: (to: URL) => boolean;
}

/** The final response of {@link fetchResponse}, whatever its status. */
export interface FetchedResponse {
  /** The URL that answered (after the redirects followed). */
  url: string;
  status: number;
  /** The target of a redirect that was not followed. */
  location: URL | undefined;
  contentType: string | undefined;
  etag: string | undefined;
  lastModified: string | undefined;
  /** How long a 429 or 503 asks the client to wait (seconds or an HTTP date), as sent. */
  retryAfter: string | undefined;
  /** Every response header, for an API client that reads its own (rate limits, pagination links). */
  headers: http.IncomingHttpHeaders;
  /** The body of a 2xx answer; empty for every other status. */
  bytes: Uint8Array;
  /** The start of a 4xx or 5xx answer's body, as text: an API says there why it refused. */
  errorText?: string;
}

type Hop = Omit<FetchedResponse, 'url' | 'location'> & { location: string | undefined };

/** The statuses that redirect; a 304 is an answer to a conditional request, not one of them. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Network failures worth trying again: the connection was cut or timed out, not refused. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']);

/** How much of an error answer's body is kept. */
const ERROR_TEXT_BYTES = 4096;

/** The first {@link ERROR_TEXT_BYTES} of a response's body as text; the rest is not read. */
function readErrorText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(parts).subarray(0, ERROR_TEXT_BYTES).toString('utf8'));
    res.on('data', (part: Buffer) => {
      parts.push(part);
      size += part.length;
      if (size < ERROR_TEXT_BYTES) return;
      res.destroy();
      done();
    });
    res.on('end', done);
    res.on('error', reject);
  });
}

function requestOnce(url: URL, limits: FetchLimits, signal: AbortSignal, headers: Record<string, string>): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(
      url,
      {
        signal,
        headers: {
          'user-agent': 'carrel (documentation indexer)',
          accept: 'text/html, text/markdown, text/plain, application/pdf;q=0.9, */*;q=0.1',
          ...headers,
        },
        ...(limits.allowPrivateAddresses ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const answer = {
          status,
          location: res.headers.location,
          contentType: res.headers['content-type'],
          retryAfter: res.headers['retry-after'],
          headers: res.headers,
        };
        const validators = { etag: res.headers.etag, lastModified: res.headers['last-modified'] };
        if (status >= 400) {
          readErrorText(res).then((errorText) => resolve({ ...answer, ...validators, bytes: new Uint8Array(), errorText }), reject);
          return;
        }
        if (status < 200 || status >= 300) {
          res.resume();
          resolve({ ...answer, ...validators, bytes: new Uint8Array() });
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
        res.on('end', () => resolve({ ...answer, ...validators, bytes: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/**
 * Requests `href` within `limits`, following redirects, and returns the final answer whatever its
 * status; throws a KnowledgeBaseError for a refusal (scheme, address, size, too many redirects) or a
 * failure (network, timeout).
 */
export async function fetchResponse(href: string, limits: FetchLimits, options: ResponseOptions = {}): Promise<FetchedResponse> {
  const { signal, headers = {}, followRedirect } = options;
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
      hop = await requestOnce(url, limits, combined, headers);
    } catch (err) {
      if (err instanceof AddressBlockedError || err instanceof ContentTooLargeError) throw err;
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new FetchFailedError(url.href, `timed out after ${limits.timeoutMs} ms`, { transient: true });
      const code = (err as NodeJS.ErrnoException).code;
      throw new FetchFailedError(url.href, (err as Error).message, { transient: code !== undefined && TRANSIENT_CODES.has(code) });
    }
    if (REDIRECTS.has(hop.status)) {
      if (!hop.location) throw new FetchFailedError(url.href, `HTTP ${hop.status} without a Location header`);
      const to = new URL(hop.location, url);
      if (followRedirect && !followRedirect(to)) return { ...hop, url: url.href, location: to };
      if (redirects >= limits.maxRedirects) throw new FetchFailedError(href, `more than ${limits.maxRedirects} redirects`);
      url = to;
      continue;
    }
    return { ...hop, url: url.href, location: undefined };
  }
}

/**
 * Fetches `href` within `limits`, whatever the body's type. A failure is a FetchFailedError whose
 * `data.transient` says whether trying again may help (a timeout, a cut connection, HTTP 429 or
 * 5xx, with the server's `Retry-After` in `data.retryAfter`), and `data.status` gives the HTTP status.
 */
export async function fetchBody(href: string, limits: FetchLimits, signal?: AbortSignal): Promise<FetchedBody> {
  const response = await fetchResponse(href, limits, signal ? { signal } : {});
  if (response.status < 200 || response.status >= 300)
    throw new FetchFailedError(response.url, `HTTP ${response.status}`, {
      status: response.status,
      transient: response.status === 429 || response.status >= 500,
      ...(response.retryAfter !== undefined && { retryAfter: response.retryAfter }),
    });
  return { url: response.url, bytes: response.bytes, contentType: response.contentType };
}

/** Fetches `href` within `limits`; throws a KnowledgeBaseError describing any refusal or failure. */
export async function fetchUrl(href: string, limits: FetchLimits, signal?: AbortSignal): Promise<FetchedContent> {
  const { url, bytes, contentType } = await fetchBody(href, limits, signal);
  const mediaType = mediaTypeOfContentType(contentType, url);
  if (!mediaType) throw new UnsupportedContentError(url, `content type ${contentType ?? '(none)'} is not HTML, markdown, text or PDF`);
  return { url, bytes, mediaType };
}
