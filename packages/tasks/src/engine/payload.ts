/**
 * The one check every JSON payload passes before it is stored (input, meta, result, input
 * request, input response): serializable, within the size limit, and free of NUL characters,
 * which PostgreSQL's jsonb cannot hold; rejecting them here keeps every backend alike.
 *
 * @module
 */
import { InvalidArgumentError, PayloadTooLargeError } from '../errors.js';

const NUL = '\u0000';
/** How JSON.stringify writes a NUL; it writes the six characters `\u0000` of a document as `\\u0000`, which contains it too. */
const NUL_ESCAPE = '\\u0000';

/**
 * Throws `InvalidArgumentError` for a value JSON cannot hold or one with a NUL character (U+0000)
 * in any key or string, and `PayloadTooLargeError` past `maxBytes` of JSON.
 */
export function assertPayload(what: string, value: unknown, maxBytes: number): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    throw new InvalidArgumentError(what, 'a JSON-serializable value');
  }
  if (json === undefined) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new PayloadTooLargeError(what, bytes, maxBytes);
  // A NUL always shows in the text as its escape, so text without one needs no closer look; text
  // with one may hold only the escape itself (a document about JSON, C or SQL), so the keys and
  // strings decide. Looking only there keeps the usual payload on JSON.stringify's fast path.
  if (json.includes(NUL_ESCAPE) && nulPath(value) !== null) throw new InvalidArgumentError(what, 'JSON without NUL characters (U+0000)');
}

/**
 * Where the first NUL character (U+0000) of `value` is, as JSON.stringify visits it (after
 * `toJSON`): the path of the key or string holding it (`a.b.0`, `(root)`), or null if there is none.
 */
export function nulPath(value: unknown): string | null {
  const found = Symbol('found');
  const parents = new Map<unknown, string>();
  let at: string | null = null;
  try {
    JSON.stringify(value, function (this: unknown, key: string, member: unknown) {
      const parent = parents.get(this);
      const path = parent === undefined ? '(root)' : parent === '' ? key : `${parent}.${key}`;
      if (key.includes(NUL) || (typeof member === 'string' && member.includes(NUL))) {
        at = path;
        throw found;
      }
      if (typeof member === 'object' && member !== null) parents.set(member, path === '(root)' ? '' : path);
      return member;
    });
  } catch (error) {
    if (error !== found) throw error;
  }
  return at;
}

/** For identifiers (owner, unique key): a non-empty string of bounded length without NUL. */
export function assertName(argument: string, value: unknown, maxLength: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || value.includes(NUL)) {
    throw new InvalidArgumentError(argument, `a string of 1 to ${maxLength} characters without NUL`);
  }
}
