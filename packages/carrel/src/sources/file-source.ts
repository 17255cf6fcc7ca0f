/**
 * Local file access, confined to allowed roots. Paths are resolved through symlinks before the
 * check, so a link inside a root that points outside it is refused.
 *
 * @module
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ContentTooLargeError, NotFoundError, PathNotAllowedError, UnsupportedContentError } from '../errors.js';

/** Whether `path` equals `root` or lies inside it. Both must be absolute and resolved. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Resolves `path` (relative to the cwd) to its real path and checks it is inside one of `roots`. */
export async function resolveAllowedPath(path: string, roots: readonly string[]): Promise<string> {
  const absolute = resolve(path);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('File', absolute);
    throw err;
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(resolve(r)).catch(() => resolve(r))));
  if (!realRoots.some((root) => isInside(real, root))) throw new PathNotAllowedError(absolute, roots);
  return real;
}

/** Checks an allowed path is a regular file within the size cap; returns its size. */
export async function checkFile(path: string, maxBytes: number): Promise<number> {
  const info = await stat(path);
  if (!info.isFile()) throw new UnsupportedContentError(path, 'it is not a regular file');
  if (info.size > maxBytes) throw new ContentTooLargeError(path, maxBytes);
  return info.size;
}
