/**
 * Walks a directory for files to ingest: include/exclude globs (matched against the path relative
 * to the walked root) and .gitignore files at any depth, both matched in time linear in the path
 * (see glob.ts: the regular-expression matchers backtracked). Yields paths in a stable order, one directory at a time, so a tree of
 * any size is listed with bounded memory.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { compileGlob } from './glob.js';
import { GitignoreRules } from './gitignore.js';

/**
 * What to pick up in a directory walk: files of a type Carrel reads ({@link DEFAULT_INCLUDE}), not
 * in node_modules or a dot-folder ({@link DEFAULT_EXCLUDE}), narrowed by the caller's globs.
 */
export interface DirectoryFilter {
  /** Only files matching one of these globs (default: every file of a type Carrel reads). */
  include?: readonly string[];
  /** Files and folders to leave out besides the default ones. */
  exclude?: readonly string[];
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
}

/** The files Carrel reads. */
export const DEFAULT_INCLUDE = ['**/*.{md,markdown,mdx,txt,rst,adoc,html,htm,pdf}'];
/** Always left out. */
export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/.*/**'];

interface IgnoreScope {
  base: string;
  rules: GitignoreRules;
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** Git's precedence: the deepest .gitignore with a verdict on the path (ignore or `!` re-include) wins. */
function ignoredByGit(scopes: readonly IgnoreScope[], path: string, isDir: boolean): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const verdict = scope.rules.verdict(toPosix(relative(scope.base, path)), isDir);
    if (verdict !== undefined) return verdict === 'ignored';
  }
  return false;
}

/** Most globs a caller may give in each of include and exclude. */
export const MAX_GLOBS = 100;
/** Longest glob a caller may give. */
export const MAX_GLOB_CHARS = 1000;

/** The caller's globs, checked: a bad one is reported under `argument` (include or exclude). */
function checkGlobs(globs: unknown, argument: string): readonly string[] {
  if (!Array.isArray(globs) || globs.length > MAX_GLOBS) throw new InvalidInputError(argument, `a list of at most ${MAX_GLOBS} globs`);
  for (const glob of globs as unknown[]) {
    if (typeof glob !== 'string' || glob.length === 0 || glob.length > MAX_GLOB_CHARS || glob.includes('\0'))
      throw new InvalidInputError(
        argument,
        `globs of 1 to ${MAX_GLOB_CHARS} characters without NUL (got ${typeof glob === 'string' ? JSON.stringify(glob.slice(0, 80)) : typeof glob})`,
      );
  }
  return globs as string[];
}

/** True when any of `globs` matches; a bad glob is reported under `argument`. */
function anyOf(globs: readonly string[], argument: string): (path: string) => boolean {
  const matchers = globs.map((g) => compileGlob(g, 'glob', argument));
  return (path) => matchers.some((m) => m(path));
}

/** The include and exclude predicates of a filter (its globs checked, named `<prefix>include`/`<prefix>exclude` when bad). */
function compileFilter(filter: DirectoryFilter, prefix = ''): { include(path: string): boolean; exclude(path: string): boolean } {
  const readable = anyOf(DEFAULT_INCLUDE, 'include');
  const wanted = filter.include === undefined ? () => true : anyOf(checkGlobs(filter.include, `${prefix}include`), `${prefix}include`);
  const exclude = anyOf(
    [...DEFAULT_EXCLUDE, ...(filter.exclude === undefined ? [] : checkGlobs(filter.exclude, `${prefix}exclude`))],
    `${prefix}exclude`,
  );
  return { include: (path) => readable(path) && wanted(path), exclude };
}

/** Whether a folder is left out: a glob names the folder itself or everything in it. */
const folderExcluded = (exclude: (path: string) => boolean, rel: string) => exclude(`${rel}/`) || exclude(`${rel}/x`);

/**
 * The filter as a predicate over a file's `/`-separated path relative to the root, for files
 * listed without a walk (a git tree): the same verdict a walk gives, .gitignore files aside. A bad
 * glob is reported as `<prefix>include` or `<prefix>exclude`.
 */
export function fileFilter(filter: DirectoryFilter, prefix = ''): (rel: string) => boolean {
  const { include, exclude } = compileFilter(filter, prefix);
  return (rel) => {
    if (!include(rel) || exclude(rel)) return false;
    for (let end = rel.indexOf('/'); end >= 0; end = rel.indexOf('/', end + 1))
      if (folderExcluded(exclude, rel.slice(0, end))) return false;
    return true;
  };
}

/** Yields the absolute paths of matching files under `root`, sorted within each directory. */
export async function* walkDirectory(root: string, filter: DirectoryFilter = {}): AsyncGenerator<string> {
  const { include, exclude } = compileFilter(filter);
  const useGitignore = filter.gitignore ?? true;

  async function* visit(dir: string, scopes: IgnoreScope[]): AsyncGenerator<string> {
    let local = scopes;
    if (useGitignore) {
      const text = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
      if (text !== undefined) local = [...scopes, { base: dir, rules: new GitignoreRules(text) }];
    }
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = toPosix(relative(root, path));
      const isDir = entry.isDirectory();
      if (!isDir && !entry.isFile()) continue; // symlinks and sockets are not followed
      if (isDir ? folderExcluded(exclude, rel) : exclude(rel)) continue;
      if (ignoredByGit(local, path, isDir)) continue;
      if (isDir) yield* visit(path, local);
      else if (include(rel)) yield path;
    }
  }

  yield* visit(root, []);
}
