/**
 * Task ids and list cursors. Ids are 128 random bits, url-safe: on unauthenticated transports the
 * id is the only capability, so it must be unguessable. Cursors are opaque to clients but
 * validated strictly, so a forged or truncated one is an error rather than a silent empty page.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { InvalidCursorError } from './errors.js';

/** A new task id: 16 random bytes, base64url (22 characters). */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

/** The position of the last task on a page: newest-first order is (createdAt desc, id desc). */
export interface ListPosition {
  createdAt: number;
  id: string;
}

const CURSOR_PREFIX = 'c1.';

export function encodeCursor(position: ListPosition): string {
  return CURSOR_PREFIX + Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  if (typeof cursor !== 'string' || !cursor.startsWith(CURSOR_PREFIX)) throw new InvalidCursorError(String(cursor));
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      Number.isSafeInteger(decoded[0]) &&
      typeof decoded[1] === 'string' &&
      decoded[1].length <= 64
    ) {
      return { createdAt: decoded[0] as number, id: decoded[1] };
    }
  } catch {
    // fall through: any decoding failure is the same malformed cursor
  }
  throw new InvalidCursorError(cursor);
}
