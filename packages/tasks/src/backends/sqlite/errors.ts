/**
 * The SQLite errors this backend expects, in one table, and the errors they become. Anything not
 * listed is unexpected and passes through untouched.
 *
 * Unique violations on the unique-key slot never surface: `insert` resolves them with
 * `ON CONFLICT DO NOTHING` and returns the holder. What remains expected is contention (another
 * process kept the write lock past the busy timeout) and a schema this code does not know.
 *
 * @module
 */
import { DuplicateTaskIdError } from '../../errors.js';

/** Another connection held the write lock for longer than the busy timeout. */
export class SqliteBusyError extends Error {
  readonly code: string;
  constructor(code: string, busyTimeoutMs: number, options: { cause: unknown }) {
    super(
      `The SQLite database stayed locked for more than ${busyTimeoutMs} ms (${code}): another process holds a long write transaction. ` +
        'Retry, or raise busyTimeoutMs on SqliteTaskStore.',
      options,
    );
    this.name = 'SqliteBusyError';
    this.code = code;
  }
}

type Translate = (cause: unknown, busyTimeoutMs: number, code: string) => Error;

const busy: Translate = (cause, busyTimeoutMs, code) => new SqliteBusyError(code, busyTimeoutMs, { cause });

/** Expected SQLite result codes (better-sqlite3 `SqliteError.code`) and what each becomes. */
const EXPECTED: Readonly<Record<string, Translate>> = {
  SQLITE_BUSY: busy,
  SQLITE_BUSY_RECOVERY: busy,
  SQLITE_BUSY_SNAPSHOT: busy,
  SQLITE_BUSY_TIMEOUT: busy,
  SQLITE_LOCKED: busy,
  SQLITE_CONSTRAINT_PRIMARYKEY: (cause) => new DuplicateTaskIdError({ cause }),
};

/** Whether `error` is contention that passes by itself (a retry later can succeed). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && EXPECTED[code] === busy;
}

/** The error to throw for `error`: a typed one when the code is expected, otherwise `error` itself. */
export function translateError(error: unknown, busyTimeoutMs: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const translate = typeof code === 'string' ? EXPECTED[code] : undefined;
  return translate && typeof code === 'string' ? translate(error, busyTimeoutMs, code) : error;
}
