/**
 * Task ids and list cursors. Ids are 128 random bits, url-safe: on unauthenticated transports the
 * id is the only capability, so it must be unguessable. Cursors are opaque to clients but
 * validated strictly, so a forged or truncated one is an error rather than a silent empty page.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { InvalidCursorError } from './errors.js';

/**
 * A new task id: 16 random bytes, base64url (22 characters). Never one that begins with `-`: a
 * command line (`carrel tasks show <id>`) would read it as an option. Drawing again in that case
 * (1 in 64) costs a fiftieth of a bit of the id's 128.
 */
export function newTaskId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Cursors name the `seq` of the last task on a page (lists are newest first by `seq`). The `c2.`
 * prefix marks the format: `c1.` cursors, which held `(createdAt, id)`, could let a task created in
 * the same millisecond onto a later page; they are rejected like any cursor this engine did not make.
 */
const CURSOR_PREFIX = 'c2.';

/** The cursor of a page whose last task has sequence number `seq`. */
export function encodeCursor(seq: number): string {
  return CURSOR_PREFIX + Buffer.from(JSON.stringify([seq])).toString('base64url');
}

/** The `seq` a cursor points at; `InvalidCursorError` for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): number {
  if (typeof cursor !== 'string' || !cursor.startsWith(CURSOR_PREFIX)) throw new InvalidCursorError(String(cursor));
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 1 && Number.isSafeInteger(decoded[0]) && (decoded[0] as number) >= 0) {
      return decoded[0] as number;
    }
  } catch {
    // fall through: any decoding failure is the same malformed cursor
  }
  throw new InvalidCursorError(cursor);
}
