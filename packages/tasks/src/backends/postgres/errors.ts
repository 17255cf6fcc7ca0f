/**
 * The PostgreSQL errors this backend expects, in one table keyed by SQLSTATE, and what each
 * means here: retry the transaction, or tell the operator what to fix. Anything not listed is
 * unexpected and propagates unchanged.
 *
 * Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 *
 * @module
 */
import { DuplicateTaskIdError, InvalidArgumentError, SchemaNotMigratedError, StoreUnavailableError } from '../../errors.js';

/** What the store does about an expected error. */
export type ErrorAction = 'retry' | 'not_migrated' | 'duplicate' | 'unstorable' | 'unavailable';

const EXPECTED: Readonly<Record<string, ErrorAction>> = {
  /** Two transactions formed a cycle (for example, cancelling a parent and its child at once). */
  '40P01': 'retry', // deadlock_detected
  /** Only under SERIALIZABLE or REPEATABLE READ, which a caller's pool may configure. */
  '40001': 'retry', // serialization_failure
  '42P01': 'not_migrated', // undefined_table
  '3F000': 'not_migrated', // invalid_schema_name
  '42883': 'not_migrated', // undefined_function
  /** The primary key: unique keys never raise it, they are handled by ON CONFLICT. */
  '23505': 'duplicate', // unique_violation
  /** jsonb has no \u0000 in strings, text no NUL byte; other backends store both. */
  '22P05': 'unstorable', // untranslatable_character
  '22021': 'unstorable', // character_not_in_repertoire
  /** The server going away or not there yet: a restart or a failover. Class 08 is matched whole, below. */
  '57P01': 'unavailable', // admin_shutdown
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now (starting up, or in recovery)
};

/** The socket errors of a server that is away (a name lookup failing for good, ENOTFOUND, is a configuration error). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** What pg says, without a code, when a connection in use dies or a pool cannot get one in time. */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/** How many times a transaction that hit a retryable error is run in all. */
export const MAX_TRANSACTION_RUNS = 5;

/** The SQLSTATE of an error raised by the server, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

/** The action for an expected error; undefined for anything else. */
export function expectedAction(error: unknown): ErrorAction | undefined {
  // Socket codes first: EPIPE is five characters, like an SQLSTATE.
  const errno = (error as { code?: unknown } | null)?.code;
  if (typeof errno === 'string' && UNREACHABLE.has(errno)) return 'unavailable';
  const code = sqlState(error);
  if (code !== undefined) return code.startsWith('08') ? 'unavailable' : EXPECTED[code];
  return error instanceof Error && LOST_CONNECTION.test(error.message) ? 'unavailable' : undefined;
}

/**
 * Whether the error says the server is away (refused, cut, shutting down, starting up): a restart
 * or a failover, not a fault of the statement. For code sharing this database (the knowledge base)
 * that maps it to its own error.
 */
export function isServerUnavailable(error: unknown): boolean {
  return expectedAction(error) === 'unavailable';
}

/** Replaces an expected, non-retryable error with the domain error that names its fix. */
export function translateError(error: unknown, schema: string): unknown {
  switch (expectedAction(error)) {
    case 'not_migrated':
      return new SchemaNotMigratedError(`The PostgreSQL task schema "${schema}"`, { cause: error });
    case 'duplicate':
      return new DuplicateTaskIdError({ cause: error });
    case 'unavailable':
      return new StoreUnavailableError({ cause: error });
    case 'unstorable':
      return new InvalidArgumentError('value', 'text and JSON without NUL (\\u0000) characters, which PostgreSQL cannot store');
    default:
      return error;
  }
}
