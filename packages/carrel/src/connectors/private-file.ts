/**
 * Reads a file that must be private to its owner (a secrets key, an old secrets file): not
 * followed through a symlink, and refused when others may read or write it, since what it holds is
 * then no longer a secret.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { InsecureSecretsError } from '../errors.js';

/** The bytes of the private file at `path`, or undefined when there is none; `remedy` says what to do about one others can read. */
export function readPrivateFile(path: string, remedy: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { mode } = fstatSync(fd);
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) throw new InsecureSecretsError(path, mode, remedy);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
