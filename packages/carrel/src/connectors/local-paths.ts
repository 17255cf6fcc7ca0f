/**
 * Local paths in connector options, made absolute where they are written (a command line's working
 * folder, a manifest's folder): the sync may run in a server started anywhere else.
 *
 * @module
 */
import { resolve } from 'node:path';

/** A git `repository` option: a relative local path made absolute against `base`; URLs and `user@host:path` are kept. */
export function localOrUrl(repository: string, base: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(repository) || /^[\w.-]+@[\w.-]+:/.test(repository) ? repository : resolve(base, repository);
}

/** The options with the kind's local paths (a directory's `path`, a git `repository`) made absolute against `base`. */
export function absoluteLocalPaths(kind: string, options: Record<string, unknown>, base: string): Record<string, unknown> {
  if (kind === 'directory' && typeof options.path === 'string') return { ...options, path: resolve(base, options.path) };
  if (kind === 'git' && typeof options.repository === 'string') return { ...options, repository: localOrUrl(options.repository, base) };
  return options;
}
