/**
 * The `github` connector: the files of one GitHub repository at a ref (a branch, a tag or a commit;
 * by default the repository's default branch), read through the REST API with a token
 * (github-api.ts). The cursor is the synced commit; the next sync asks GitHub to compare it with
 * the ref's new commit and reports what changed (added and modified files upserted, a rename as the
 * old path deleted and the new one upserted, removed files deleted). When GitHub no longer knows
 * the synced commit (a force-push), the whole tree is listed instead and compared blob by blob
 * (each document's version marker is its blob id), complete, so what is gone is deleted — as the
 * git connector does. The same file filter as a folder or a git repository picks the files.
 *
 * A sync without a token, or whose token GitHub refuses, ends in CredentialsRejectedError before
 * anything is staged from a refused answer; the `sync_connector` tool then asks for a new token.
 *
 * @module
 */
import { z } from 'zod';
import { CredentialsRejectedError } from '../errors.js';
import { MAX_GLOB_CHARS, MAX_GLOBS, fileFilter } from '../sources/directory-source.js';
import { mediaTypeOfPath } from '../sources/media-type.js';
import type { Change, Connector, ConnectorEnv, ConnectorKind, SyncContext } from './connector.js';
import { GitHubApi, type GitHubFile } from './github-api.js';
import { parseOptions } from './options.js';
import { Prefetch } from './prefetch.js';

/** The public GitHub's API. */
export const GITHUB_API_URL = 'https://api.github.com';

/** Blobs requested ahead of the one being read: a few requests in flight, well inside GitHub's limits. */
const READ_AHEAD = 4;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const API_URL = 'an https:// URL of a GitHub API (http:// only on a loopback address)';

const globs = z
  .array(z.string().min(1).max(MAX_GLOB_CHARS), { error: 'a list of globs relative to the repository root' })
  .max(MAX_GLOBS, { error: `at most ${MAX_GLOBS} globs` })
  .optional();

const schema = z.object({
  repository: z
    .string({ error: 'a GitHub repository as owner/name' })
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, { error: 'a GitHub repository as owner/name' }),
  ref: z
    .string({ error: 'a branch, tag or commit' })
    .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/, { error: 'a branch, tag or commit (letters, digits, . _ / -)' })
    .optional(),
  include: globs,
  exclude: globs,
  // A token is sent to it: plain http only where it never leaves the machine (a test server).
  apiUrl: z
    .string({ error: API_URL })
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
      } catch {
        return false;
      }
    }, API_URL)
    .default(GITHUB_API_URL),
});

/** A github connector's options, checked. */
export type GitHubOptions = z.infer<typeof schema>;

/** See module comment. */
export const githubKind: ConnectorKind<GitHubOptions> = {
  kind: 'github',
  secret: 'a GitHub token that can read the repository (a fine-grained token with Contents: read)',
  async checkOptions(options) {
    const parsed = parseOptions('github', schema, options);
    fileFilter(parsed, 'options.');
    return parsed;
  },
  open: (options, env) => new GitHubConnector(options, env),
};

class GitHubConnector implements Connector {
  readonly kind = 'github';
  private readonly wanted: (path: string) => boolean;

  constructor(
    private readonly options: GitHubOptions,
    private readonly env: ConnectorEnv,
  ) {
    this.wanted = fileFilter(options);
  }

  async *changes(context: SyncContext): AsyncGenerator<Change> {
    const { repository, apiUrl } = this.options;
    if (this.env.secret === undefined) throw new CredentialsRejectedError(`GitHub repository ${repository}`, 'the connector has no token');
    const api = new GitHubApi({ apiUrl, repository, token: this.env.secret, limits: this.env.fetchLimits, signal: context.signal });
    // Asked at every sync, also with a ref: a repository that is gone or hidden is named as such.
    const defaultBranch = await api.defaultBranch();
    const head = await api.commit(this.options.ref ?? defaultBranch);
    const cursor = context.cursor;
    if (cursor === head.sha) {
      yield { type: 'done', cursor: head.sha, complete: false };
      return;
    }
    const compared = cursor !== null && /^[0-9a-f]{40,64}$/.test(cursor) ? await api.compare(cursor, head.sha) : undefined;
    const incremental = compared !== undefined;
    const files = compared ?? (await api.tree(head.tree));
    context.progress(0, files.length, `${files.length} files`);
    const blobs: string[] = [];
    const reads = new Prefetch(blobs, (blob) => api.blob(blob), READ_AHEAD);
    const changes: Change[] = [];
    for (const f of files) changes.push(...this.changesOf(f, incremental, context, blobs, reads));
    for (const change of changes) {
      context.signal.throwIfAborted();
      yield change;
    }
    yield { type: 'done', cursor: head.sha, complete: !incremental };
  }

  /** What one listed file means for the library; an upsert's blob is queued for reading ahead. */
  private changesOf(
    f: GitHubFile,
    incremental: boolean,
    context: SyncContext,
    blobs: string[],
    reads: Prefetch<Uint8Array | undefined>,
  ): Change[] {
    const changes: Change[] = [];
    if (f.from !== undefined && this.wanted(f.from)) changes.push({ type: 'delete', source: this.source(f.from) });
    if (!this.wanted(f.path)) return changes;
    const source = this.source(f.path);
    if (f.status === 'delete') changes.push({ type: 'delete', source });
    else if (!incremental && context.known(source) === f.blob) changes.push({ type: 'unchanged', source });
    else {
      const at = blobs.push(f.blob) - 1;
      const mediaType = mediaTypeOfPath(f.path);
      const fetch = async () => {
        const bytes = await reads.take(at);
        return bytes && { bytes, mediaType };
      };
      changes.push({ type: 'upsert', source, version: f.blob, fetch });
    }
    return changes;
  }

  /** A document's source: the repository, the ref when one is set, and the path in it. */
  private source(path: string): string {
    const ref = this.options.ref === undefined ? '' : `@${this.options.ref}`;
    return `github:${this.options.repository}${ref}:${path}`;
  }
}
