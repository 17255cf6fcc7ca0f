/**
 * The `git` connector: a branch of a repository, given as an https or ssh clone URL or as a local
 * path inside the allowed roots, fetched into a bare cache under the data dir. The cursor is the
 * synced commit; the next sync lists what `git diff` says changed between it and the new head
 * (changed, renamed = the old path deleted and the new one upserted, deleted). When that commit
 * is no longer in the cache, the whole tree is listed and compared blob by blob (each document's
 * version marker is its blob id), complete, so what is gone is deleted.
 *
 * Only https and ssh reach a remote, and `file` a local path that was checked against the roots:
 * any other transport, and above all `ext::` (which runs commands), is refused before git runs,
 * and git itself is told the same (git-command.ts).
 *
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { MAX_GLOB_CHARS, MAX_GLOBS, fileFilter } from '../sources/directory-source.js';
import { resolveAllowedPath } from '../sources/file-source.js';
import { mediaTypeOfPath } from '../sources/media-type.js';
import type { Change, Connector, ConnectorEnv, ConnectorKind, FetchedItem, ListedItem, SyncContext } from './connector.js';
import { BlobReader, runGit, type GitAccess } from './git-command.js';
import { parseOptions } from './options.js';
import { Prefetch } from './prefetch.js';

const REPOSITORY = 'an https:// or ssh:// clone URL, or a local repository path inside the allowed roots';

const globs = z
  .array(z.string().min(1).max(MAX_GLOB_CHARS), { error: 'a list of globs relative to the repository root' })
  .max(MAX_GLOBS, { error: `at most ${MAX_GLOBS} globs` })
  .optional();

const schema = z.object({
  repository: z.string({ error: REPOSITORY }).min(1, { error: REPOSITORY }).max(4096, { error: REPOSITORY }),
  branch: z
    .string({ error: 'a branch name' })
    .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/, { error: 'a branch name (letters, digits, . _ / -)' })
    .default('main'),
  include: globs,
  exclude: globs,
});

/** A git connector's options, checked: a local `repository` is its real path. */
export type GitOptions = z.infer<typeof schema> & { local: boolean };

/** Where a repository is: a remote URL, or a local path (not yet checked against the roots). */
type Location = { local: false; url: string } | { local: true; path: string };

/**
 * Classifies `repository` without touching the file system or the network: https and ssh URLs
 * (and scp-like `user@host:path`) are remote, `file://` URLs and plain paths are local; anything
 * else, `ext::` first of all, is refused.
 */
export function locateRepository(repository: string): Location {
  const refuse = (why: string) => new InvalidInputError('options.repository', `${REPOSITORY} (${why})`);
  if (repository.includes('\0') || /[\r\n]/.test(repository)) throw refuse('got control characters');
  if (repository.startsWith('-')) throw refuse('got an option');
  // `<transport>::<address>` is git's remote-helper syntax; `ext::` runs an arbitrary command.
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(repository)) throw refuse(`the ${repository.split('::')[0]}:: transport is never allowed`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(repository)?.[1]?.toLowerCase();
  if (scheme === 'https' || scheme === 'ssh') {
    const url = new URL(repository);
    if (url.password) throw refuse('got a password in the URL: store a token as the connector secret instead');
    return { local: false, url: repository };
  }
  if (scheme === 'file') return { local: true, path: fileURLToPath(repository) };
  if (scheme !== undefined) throw refuse(`the ${scheme}:// transport is not allowed`);
  if (/^[\w.-]+@[\w.-]+:/.test(repository)) return { local: false, url: repository };
  return { local: true, path: repository };
}

/** See module comment. */
export const gitKind: ConnectorKind<GitOptions> = {
  kind: 'git',
  secret: 'a token for an https repository (sent as the password of x-access-token)',
  async checkOptions(options, env) {
    const parsed = parseOptions('git', schema, options);
    fileFilter(parsed, 'options.');
    const location = locateRepository(parsed.repository);
    if (!location.local) return { ...parsed, local: false };
    return { ...parsed, repository: await resolveAllowedPath(location.path, env.roots), local: true };
  },
  open: (options, env) => new GitConnector(options, env),
};

/** One line of `git diff --raw -z` or `git ls-tree -r -z`, as far as a sync needs it. */
interface Entry {
  status: string;
  blob: string;
  path: string;
  /** A rename's old path. */
  from?: string;
}

/** Blobs requested ahead of the one being read: git answers while the sync stages the last batch. */
const READ_AHEAD = 64;

/** Regular files (not links, not submodules). */
const FILE_MODES = new Set(['100644', '100755']);

class GitConnector implements Connector {
  readonly kind = 'git';
  private readonly wanted: (path: string) => boolean;
  private readonly gitDir: string;
  private readonly access: GitAccess;

  constructor(
    private readonly options: GitOptions,
    private readonly env: ConnectorEnv,
  ) {
    this.wanted = fileFilter(options);
    this.gitDir = join(env.cacheDir, 'repo.git');
    this.access = { protocols: options.local ? 'file' : 'https:ssh', token: env.secret };
  }

  async *changes(context: SyncContext): AsyncGenerator<Change> {
    const head = await this.fetch(context.signal);
    const cursor = context.cursor;
    if (cursor === head) {
      yield { type: 'done', cursor: head, complete: false };
      return;
    }
    const incremental = cursor !== null && (await this.hasCommit(cursor, context.signal));
    const entries = incremental ? await this.diff(cursor, head, context.signal) : await this.tree(head, context.signal);
    context.progress(0, entries.length, `${entries.length} files`);
    for (const e of entries) {
      context.signal.throwIfAborted();
      if (e.from !== undefined && this.wanted(e.from)) yield { type: 'delete', source: this.source(e.from) };
      if (!this.wanted(e.path)) continue;
      const source = this.source(e.path);
      if (e.status === 'D') yield { type: 'delete', source };
      else if (!incremental && context.known(source) === e.blob) yield { type: 'unchanged', source };
      else yield { type: 'upsert', source, version: e.blob };
    }
    yield { type: 'done', cursor: head, complete: !incremental };
  }

  /** Reads the listed blobs (an item's version is its blob id) from the cache the discovery fetched into. */
  async *fetchItems(items: readonly ListedItem[], signal: AbortSignal): AsyncGenerator<FetchedItem | undefined> {
    const reader = new BlobReader(this.gitDir, this.access);
    const reads = new Prefetch(
      items.map((item) => item.version),
      (blob) => reader.read(blob),
      READ_AHEAD,
    );
    try {
      for (const [at, { source }] of items.entries()) {
        signal.throwIfAborted();
        const bytes = await reads.take(at);
        yield bytes && { bytes, mediaType: mediaTypeOfPath(source.slice(this.source('').length)) };
      }
    } finally {
      reader.close();
    }
  }

  /** A document's source: the repository, the branch and the path in it. */
  private source(path: string): string {
    return `${this.options.repository}@${this.options.branch}:${path}`;
  }

  /** Fetches the branch into the cache and returns its head commit. */
  private async fetch(signal: AbortSignal): Promise<string> {
    const what = `${this.options.repository} (branch ${this.options.branch})`;
    let from = this.options.repository;
    if (this.options.local) {
      // Checked again at every sync: the folder may have been replaced by a link since it was added.
      from = await resolveAllowedPath(this.options.repository, this.env.roots);
    } else locateRepository(from);
    if (!existsSync(this.gitDir)) {
      mkdirSync(this.env.cacheDir, { recursive: true, mode: 0o700 });
      await runGit(['init', '--bare', '--quiet', this.gitDir], { access: this.access, what, signal });
    }
    await runGit(
      ['--git-dir', this.gitDir, 'fetch', '--quiet', '--no-tags', '--', from, `+refs/heads/${this.options.branch}:refs/carrel/head`],
      {
        access: this.access,
        what,
        signal,
      },
    );
    return (
      await runGit(['--git-dir', this.gitDir, 'rev-parse', '--verify', 'refs/carrel/head^{commit}'], { access: this.access, what, signal })
    )
      .toString('utf8')
      .trim();
  }

  /** Whether the cache still holds `commit` (a force-push and a gc may have dropped it). */
  private async hasCommit(commit: string, signal: AbortSignal): Promise<boolean> {
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return false;
    return runGit(['--git-dir', this.gitDir, 'cat-file', '-e', `${commit}^{commit}`], { access: this.access, what: commit, signal }).then(
      () => true,
      () => false,
    );
  }

  /** The files that changed between two commits; renames found by git (`-M`). */
  private async diff(from: string, to: string, signal: AbortSignal): Promise<Entry[]> {
    const out = await runGit(['--git-dir', this.gitDir, 'diff', '--raw', '-z', '-M', '--no-abbrev', from, to], {
      access: this.access,
      what: this.options.repository,
      signal,
    });
    // `:<old mode> <new mode> <old blob> <new blob> <status>\0<path>\0` (two paths for a rename or copy).
    const fields = out.toString('utf8').split('\0');
    const entries: Entry[] = [];
    for (let i = 0; i + 1 < fields.length;) {
      const [, newMode, , blob, status] = fields[i]!.slice(1).split(' ') as [string, string, string, string, string];
      const letter = status[0]!;
      const two = letter === 'R' || letter === 'C';
      const path = fields[i + (two ? 2 : 1)]!;
      i += two ? 3 : 2;
      if (letter === 'D') {
        entries.push({ status: 'D', blob, path });
        continue;
      }
      const from = letter === 'R' ? fields[i - 2]! : undefined;
      // A file that became a link or a submodule is gone as a file.
      if (!FILE_MODES.has(newMode)) entries.push({ status: 'D', blob, path, ...(from !== undefined && { from }) });
      else entries.push({ status: letter, blob, path, ...(from !== undefined && { from }) });
    }
    return entries;
  }

  /** Every regular file of a commit's tree. */
  private async tree(commit: string, signal: AbortSignal): Promise<Entry[]> {
    const out = await runGit(['--git-dir', this.gitDir, 'ls-tree', '-r', '-z', '--full-tree', commit], {
      access: this.access,
      what: this.options.repository,
      signal,
    });
    // `<mode> <type> <blob>\t<path>\0`
    const entries: Entry[] = [];
    for (const line of out.toString('utf8').split('\0')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const [mode, type, blob] = line.slice(0, tab).split(' ') as [string, string, string];
      if (type === 'blob' && FILE_MODES.has(mode)) entries.push({ status: 'A', blob, path: line.slice(tab + 1) });
    }
    return entries;
  }
}
