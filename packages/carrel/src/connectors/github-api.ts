/**
 * The GitHub REST API as the `github` connector reads it: one repository's metadata, a ref resolved
 * to a commit, trees, blobs and commit comparisons. Every request goes through the guarded fetch
 * of `src/sources/url-source.ts` (timeout, size cap, the private-address guard on every hop), with
 * the token in the Authorization header only — never in a URL, a message or an error — and never
 * sent to another origin: a redirect off the API's origin is refused rather than followed.
 *
 * Answers become errors a sync can act on:
 * - 401, and 403 without a rate limit, → CredentialsRejectedError (a new token helps, a retry does not);
 * - 403 or 429 with `x-ratelimit-remaining: 0` → SourceUnavailableError after `x-ratelimit-reset`;
 *   403 or 429 with `retry-after` (a secondary rate limit) → after that, and one whose body alone
 *   names a secondary rate limit → after a minute; 5xx, timeouts and reset
 *   connections → SourceUnavailableError (the sync task tries again, no sooner than asked);
 * - while fewer than {@link LOW_REMAINING} requests are left in the window, the next ones are
 *   spread out until `x-ratelimit-reset` instead of running into the limit;
 * - 404 and 422 are handed back to the caller, for whom they mean different things (no such
 *   repository, a compare base that a force-push dropped, a blob gone).
 *
 * @module
 */
import { CredentialsRejectedError, FetchFailedError, SourceUnavailableError } from '../errors.js';
import { retryAfterMs } from '../sources/retry-after.js';
import { fetchResponse, type FetchedResponse, type FetchLimits } from '../sources/url-source.js';
import { sleep as realSleep, type Sleep } from './web-client.js';

/** The API version the connector is written against. */
const API_VERSION = '2022-11-28';

/**
 * Below this many requests left in the rate-limit window, the rest are spread evenly until it
 * resets, rather than spent at once and then waited for.
 */
const LOW_REMAINING = 100;

/** Longest pause between two requests while pacing: a sync slows down, it does not stall. */
const MAX_PACE_MS = 60_000;

/** How long to wait after a secondary rate limit that names no time (GitHub: at least a minute). */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

/** Page size asked of paginated endpoints (GitHub's largest). */
const PER_PAGE = 100;

/** Where and how to reach one repository. */
export interface GitHubAccess {
  /** `https://api.github.com`, or a GitHub Enterprise server's API root. */
  apiUrl: string;
  /** `owner/name`. */
  repository: string;
  token: string;
  limits: FetchLimits;
  signal: AbortSignal;
  /** Waits out the pacing delay (tests record it instead). */
  sleep?: Sleep;
}

/** A file as a tree or a comparison lists it. */
export interface GitHubFile {
  status: 'upsert' | 'delete';
  path: string;
  /** The blob id (the version marker). */
  blob: string;
  /** A rename's old path. */
  from?: string;
}

interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
}

/** Regular files (not links, not submodules). */
const FILE_MODES = new Set(['100644', '100755']);

/** See module comment. */
export class GitHubApi {
  private readonly root: string;
  private readonly origin: string;
  /** The pause before the next request, from the last rate-limit headers seen (see {@link LOW_REMAINING}). */
  private paceMs = 0;
  /** How errors name the repository. */
  readonly label: string;

  constructor(private readonly access: GitHubAccess) {
    const base = access.apiUrl.endsWith('/') ? access.apiUrl.slice(0, -1) : access.apiUrl;
    this.root = `${base}/repos/${access.repository}`;
    this.origin = new URL(access.apiUrl).origin;
    this.label = `GitHub repository ${access.repository}`;
  }

  /** The repository's default branch; a repository that does not exist or that the token cannot see is a clear, final error. */
  async defaultBranch(): Promise<string> {
    const response = await this.request(this.root);
    if (response.status === 404)
      throw new FetchFailedError(this.root, `the repository ${this.access.repository} was not found, or the token cannot see it`, {
        status: 404,
      });
    return this.json<{ default_branch: string }>(response).default_branch;
  }

  /** The commit `ref` (a branch, a tag or a commit id) names, and its tree. */
  async commit(ref: string): Promise<{ sha: string; tree: string }> {
    const url = `${this.root}/commits/${encodeURIComponent(ref)}`;
    const response = await this.request(url);
    if (response.status === 404 || response.status === 422)
      throw new FetchFailedError(url, `${this.access.repository} has no branch, tag or commit named ${ref}`, { status: response.status });
    const commit = this.json<{ sha: string; commit: { tree: { sha: string } } }>(response);
    return { sha: commit.sha, tree: commit.commit.tree.sha };
  }

  /**
   * Every regular file of a tree. A recursive listing GitHub cut short (`truncated`, past 100,000
   * entries) is replaced by a walk of the tree one folder at a time.
   */
  async tree(sha: string): Promise<GitHubFile[]> {
    const recursive = await this.treeEntries(sha, true);
    const entries: TreeEntry[] = [];
    if (!recursive.truncated) entries.push(...recursive.tree);
    else
      for (const folders = [{ sha, prefix: '' }]; folders.length > 0;) {
        const folder = folders.pop()!;
        const listing = await this.treeEntries(folder.sha, false);
        if (listing.truncated)
          throw new FetchFailedError(
            `${this.root}/git/trees/${folder.sha}`,
            `the folder ${folder.prefix || '/'} holds more entries than GitHub lists`,
          );
        for (const entry of listing.tree) {
          const path = folder.prefix + entry.path;
          if (entry.type === 'tree') folders.push({ sha: entry.sha, prefix: `${path}/` });
          else entries.push({ ...entry, path });
        }
      }
    return entries
      .filter((e) => e.type === 'blob' && FILE_MODES.has(e.mode))
      .map((e): GitHubFile => ({ status: 'upsert', path: e.path, blob: e.sha }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * The files that changed from `base` to `head`, every page of them (`Link: rel="next"`); undefined
   * when GitHub no longer knows `base` (a force-push dropped it), so the caller lists the whole tree.
   */
  async compare(base: string, head: string): Promise<GitHubFile[] | undefined> {
    const files: GitHubFile[] = [];
    let url: string | undefined = `${this.root}/compare/${base}...${head}?per_page=${PER_PAGE}`;
    while (url !== undefined) {
      const response = await this.request(url);
      if (response.status === 404 || response.status === 422) return undefined;
      const page = this.json<{ files?: { filename: string; status: string; sha: string; previous_filename?: string }[] }>(response);
      for (const f of page.files ?? []) {
        if (f.status === 'unchanged') continue;
        if (f.status === 'removed') files.push({ status: 'delete', path: f.filename, blob: f.sha });
        else
          files.push({
            status: 'upsert',
            path: f.filename,
            blob: f.sha,
            ...(f.status === 'renamed' && f.previous_filename !== undefined && { from: f.previous_filename }),
          });
      }
      url = this.nextPage(response);
    }
    return files;
  }

  /** A blob's bytes, or undefined when GitHub no longer has it. */
  async blob(sha: string): Promise<Uint8Array | undefined> {
    const response = await this.request(`${this.root}/git/blobs/${sha}`, 'application/vnd.github.raw+json');
    return response.status === 404 || response.status === 422 ? undefined : response.bytes;
  }

  private async treeEntries(sha: string, recursive: boolean): Promise<{ tree: TreeEntry[]; truncated: boolean }> {
    const url = `${this.root}/git/trees/${sha}${recursive ? '?recursive=1' : ''}`;
    const response = await this.request(url);
    if (response.status === 404 || response.status === 422)
      throw new FetchFailedError(url, `the tree ${sha} was not found`, { status: 404 });
    return this.json(response);
  }

  /** A GET of `url`: a 2xx, 404 or 422 answer, or the error any other answer means (see module comment). */
  private async request(url: string, accept = 'application/vnd.github+json'): Promise<FetchedResponse> {
    if (this.paceMs > 0) await (this.access.sleep ?? realSleep)(this.paceMs, this.access.signal);
    let response: FetchedResponse;
    try {
      response = await fetchResponse(url, this.access.limits, {
        signal: this.access.signal,
        headers: { authorization: `Bearer ${this.access.token}`, accept, 'x-github-api-version': API_VERSION },
        // The token goes with every hop: it must never be carried to another host.
        followRedirect: (to) => to.origin === this.origin,
      });
    } catch (err) {
      if (err instanceof FetchFailedError && err.data?.transient === true) throw new SourceUnavailableError(this.label, err.problem);
      throw err;
    }
    const { status, headers } = response;
    this.pace(headers['x-ratelimit-remaining'], headers['x-ratelimit-reset']);
    if (response.location !== undefined)
      throw new FetchFailedError(url, `GitHub redirected to another host (${response.location.origin}); the token is not sent there`);
    if ((status >= 200 && status < 300) || status === 404 || status === 422) return response;
    if (status === 401)
      throw new CredentialsRejectedError(this.label, 'GitHub refused the token (HTTP 401): it is wrong, expired or revoked');
    if (status === 403 || status === 429) {
      if (headers['x-ratelimit-remaining'] === '0') {
        const reset = Number(headers['x-ratelimit-reset']) * 1000;
        const wait = Number.isFinite(reset) ? Math.max(0, reset - Date.now()) : undefined;
        throw new SourceUnavailableError(this.label, `the GitHub API rate limit is spent (HTTP ${status})`, wait);
      }
      if (response.retryAfter !== undefined || status === 429)
        throw new SourceUnavailableError(this.label, `GitHub asks to slow down (HTTP ${status})`, retryAfterMs(response.retryAfter));
      // A secondary rate limit may come with neither header, only saying so in its body: GitHub
      // then asks for at least a minute's wait.
      if (/secondary rate limit/i.test(response.errorText ?? ''))
        throw new SourceUnavailableError(this.label, `GitHub's secondary rate limit was hit (HTTP ${status})`, SECONDARY_LIMIT_WAIT_MS);
      throw new CredentialsRejectedError(
        this.label,
        "GitHub refused access (HTTP 403): the token lacks the permission to read this repository's contents",
      );
    }
    if (status >= 500) throw new SourceUnavailableError(this.label, `GitHub answered HTTP ${status}`, retryAfterMs(response.retryAfter));
    throw new FetchFailedError(url, `HTTP ${status}`, { status });
  }

  /** Sets the pause before the next request: none while plenty is left, else the window's rest shared out. */
  private pace(remaining: string | string[] | undefined, reset: string | string[] | undefined): void {
    const left = Number(remaining);
    const resetMs = Number(reset) * 1000 - Date.now();
    this.paceMs =
      typeof remaining === 'string' && left > 0 && left < LOW_REMAINING && resetMs > 0
        ? Math.min(Math.ceil(resetMs / left), MAX_PACE_MS)
        : 0;
  }

  private json<T>(response: FetchedResponse): T {
    try {
      return JSON.parse(new TextDecoder().decode(response.bytes)) as T;
    } catch {
      throw new FetchFailedError(response.url, 'the answer is not JSON');
    }
  }

  /** The `rel="next"` URL of a `Link` header, when it stays on the API's origin. */
  private nextPage(response: FetchedResponse): string | undefined {
    const next = typeof response.headers.link === 'string' ? nextLink(response.headers.link) : undefined;
    if (next === undefined) return undefined;
    const url = new URL(next, response.url);
    if (url.origin !== this.origin) throw new FetchFailedError(response.url, 'GitHub named a next page on another host');
    return url.href;
  }
}

/** The target of the `rel="next"` link in a `Link` header (`<url>; rel="next", <url>; rel="last"`). */
function nextLink(header: string): string | undefined {
  for (const link of header.split(',')) {
    const [target = '', ...params] = link.split(';').map((part) => part.trim());
    if (params.includes('rel="next"') && target.startsWith('<') && target.endsWith('>')) return target.slice(1, -1);
  }
  return undefined;
}
