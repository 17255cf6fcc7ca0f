/**
 * The one check every JSON payload passes before it is stored (input, meta, result, input
 * request, input response): serializable, within the size limit, and free of NUL characters,
 * which PostgreSQL's jsonb cannot hold; rejecting them here keeps every backend alike.
 *
 * @module
 */
import { InvalidArgumentError, PayloadTooLargeError } from '../errors.js';

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
  if (json.includes('\\u0000')) throw new InvalidArgumentError(what, 'JSON without NUL characters (U+0000)');
}

/** For identifiers (owner, unique key): a non-empty string of bounded length without NUL. */
export function assertName(argument: string, value: unknown, maxLength: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || value.includes('\u0000')) {
    throw new InvalidArgumentError(argument, `a string of 1 to ${maxLength} characters without NUL`);
  }
}
