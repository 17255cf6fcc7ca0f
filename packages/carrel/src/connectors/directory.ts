/**
 * The `directory` connector: a local folder inside the allowed roots, walked with the same
 * include/exclude globs and .gitignore handling as `carrel add <folder>` (directory-source.ts).
 * A file's version marker is its mtime and size: a file whose marker is unchanged is not read at
 * all; one whose marker moved is read and its content hash decides (a touched file stays
 * unchanged). Every walk is complete, so a file that is gone is a deletion.
 *
 * @module
 */
import { closeSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ContentTooLargeError, NotFoundError } from '../errors.js';
import { MAX_GLOB_CHARS, MAX_GLOBS, fileFilter, walkDirectory } from '../sources/directory-source.js';
import { openAllowedFile, resolveAllowedPath } from '../sources/file-source.js';
import { mediaTypeOfPath } from '../sources/media-type.js';
import type { Change, Connector, ConnectorEnv, ConnectorKind, FetchedItem, ListedItem, SyncContext } from './connector.js';
import { parseOptions } from './options.js';

const globs = z
  .array(z.string().min(1).max(MAX_GLOB_CHARS), { error: `a list of globs relative to the folder` })
  .max(MAX_GLOBS, { error: `at most ${MAX_GLOBS} globs` })
  .optional();

const schema = z.object({
  path: z.string({ error: 'a folder path inside the allowed roots' }).min(1, { error: 'a folder path inside the allowed roots' }),
  include: globs,
  exclude: globs,
});

/** A directory connector's options, checked: `path` is the folder's real path. */
export type DirectoryOptions = z.infer<typeof schema>;

/** Files listed between two progress reports while walking. */
const LISTING_REPORT = 1_000;

/** See module comment. */
export const directoryKind: ConnectorKind<DirectoryOptions> = {
  kind: 'directory',
  async checkOptions(options, env) {
    const parsed = parseOptions('directory', schema, options);
    // A bad glob is refused now, not at the first sync.
    fileFilter(parsed, 'options.');
    const path = await resolveAllowedPath(parsed.path, env.roots);
    if (!(await stat(path)).isDirectory()) throw new NotFoundError('Folder', path);
    return { ...parsed, path };
  },
  open: (options, env) => new DirectoryConnector(options, env),
};

class DirectoryConnector implements Connector {
  readonly kind = 'directory';

  constructor(
    private readonly options: DirectoryOptions,
    private readonly env: ConnectorEnv,
  ) {}

  async *changes(context: SyncContext): AsyncGenerator<Change> {
    // Checked again at every sync: the folder may have been replaced by a link since it was added.
    const root = await resolveAllowedPath(this.options.path, this.env.roots);
    const paths: string[] = [];
    for await (const path of walkDirectory(root, this.options)) {
      context.signal.throwIfAborted();
      paths.push(path);
      if (paths.length % LISTING_REPORT === 0) context.progress(paths.length, undefined, `listed ${paths.length} files`);
    }
    context.progress(0, paths.length, `${paths.length} files`);
    for (const path of paths) {
      context.signal.throwIfAborted();
      const info = await stat(path).catch(() => undefined);
      // Gone since the walk: not reported, so the complete listing makes it a deletion.
      if (!info) continue;
      const version = `${info.mtimeMs}:${info.size}`;
      if (context.known(path) === version) yield { type: 'unchanged', source: path };
      else yield { type: 'upsert', source: path, version };
    }
    yield { type: 'done', cursor: null, complete: true };
  }

  async *fetchItems(items: readonly ListedItem[], signal: AbortSignal): AsyncGenerator<FetchedItem | undefined> {
    for (const { source } of items) {
      signal.throwIfAborted();
      yield this.read(source);
    }
  }

  /** The file's bytes, read so that what is read is inside the roots (see openAllowedFile); undefined if it is gone. */
  private read(path: string): FetchedItem | undefined {
    let opened: { fd: number; size: number };
    try {
      opened = openAllowedFile(path, this.env.roots);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    try {
      if (opened.size > this.env.maxItemBytes) throw new ContentTooLargeError(path, this.env.maxItemBytes);
      return { bytes: readFileSync(opened.fd), mediaType: mediaTypeOfPath(path) };
    } finally {
      closeSync(opened.fd);
    }
  }
}
