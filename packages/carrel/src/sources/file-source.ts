/**
 * Local file access, confined to allowed roots. Paths are resolved through symlinks before the
 * check, so a link inside a root that points outside it is refused; and the file finally read is
 * checked again once it is open (see {@link openAllowedFile}), so a path swapped for a link
 * between the check and the read gets nothing outside the roots.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ContentTooLargeError, InvalidInputError, NotFoundError, PathNotAllowedError, UnsupportedContentError } from '../errors.js';

/** Whether `path` equals `root` or lies inside it. Both must be absolute and resolved. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Resolves `path` (relative to the cwd) to its real path and checks it is inside one of `roots`. */
export async function resolveAllowedPath(path: string, roots: readonly string[]): Promise<string> {
  // Node refuses such a path with a TypeError deep in fs; say what is wrong instead.
  if (path.includes('\0')) throw new InvalidInputError('path', 'a path without NUL characters');
  const absolute = resolve(path);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('File', absolute);
    throw err;
  }
  if (!(await realRoots(roots)).some((root) => isInside(real, root))) throw new PathNotAllowedError(absolute, roots);
  return real;
}

/** The roots as real paths (a root that does not exist stays as given). */
export function realRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(roots.map((r) => realpath(resolve(r)).catch(() => resolve(r))));
}

/** Checks an allowed path is a regular file within the size cap; returns its size. */
export async function checkFile(path: string, maxBytes: number): Promise<number> {
  const info = await stat(path);
  if (!info.isFile()) throw new UnsupportedContentError(path, 'it is not a regular file');
  if (info.size > maxBytes) throw new ContentTooLargeError(path, maxBytes);
  return info.size;
}

/**
 * Opens `path` for reading if the file actually opened is a regular file inside one of `roots`
 * (real paths), and returns its descriptor and size; the caller reads from the descriptor and
 * closes it. The last path component is opened without following a link (a swapped-in link fails
 * with ELOOP), and the opened file's own location is checked: on Linux the path the kernel opened
 * (`/proc/self/fd/<fd>`), elsewhere the re-resolved real path, which must name the same device and
 * inode. Either way a parent folder swapped for a link is caught too.
 */
export function openAllowedFile(path: string, roots: readonly string[]): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError('File', path);
    if (code === 'ELOOP') throw new PathNotAllowedError(path, roots);
    throw err;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new UnsupportedContentError(path, 'it is not a regular file');
    const opened = openedPath(fd, path, info);
    if (opened === null || !roots.some((root) => isInside(opened, root))) throw new PathNotAllowedError(path, roots);
    return { fd, size: info.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Where the open file really is, or null when that cannot be established. */
function openedPath(fd: number, path: string, info: { dev: number; ino: number }): string | null {
  if (process.platform === 'linux') return readlinkSync(`/proc/self/fd/${fd}`);
  try {
    const real = realpathSync(path);
    const now = statSync(real);
    return now.dev === info.dev && now.ino === info.ino ? real : null;
  } catch {
    return null;
  }
}
