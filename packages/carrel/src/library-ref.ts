/**
 * How a person or a model names a library: `python` or `python@3.11`, the way `carrel libraries`
 * and `list_libraries` print it. Every entry point that takes a library name (ingest, reindex,
 * search and list filters) reads it through here, so a name copied from a listing always works.
 * An explicit version still works, and must agree with the one in the name (an empty one, which a
 * caller filling in every field sends for "none given", gives way to it).
 *
 * @module
 */
import { InvalidInputError } from './errors.js';

/** A library name and, when one was given, its version. */
export interface LibraryRef {
  library: string;
  version: string | undefined;
}

/**
 * Splits `name@version` at its last `@` (one at the start belongs to the name: `@scope/pkg@2`);
 * a name without one, or ending in `@`, is taken as it is.
 */
export function parseLibraryRef(library: string, version: string | undefined): LibraryRef {
  const at = library.lastIndexOf('@');
  if (at <= 0 || at === library.length - 1) return { library, version };
  const named = library.slice(at + 1);
  if (version !== undefined && version !== '' && version !== named)
    throw new InvalidInputError('version', `${named} (as in ${library}) or no version, not ${version}`);
  return { library: library.slice(0, at), version: named };
}
