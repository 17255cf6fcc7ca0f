/**
 * The PostgreSQL errors this backend expects, in one table keyed by SQLSTATE, and what each
 * means here: retry the transaction, or tell the operator what to fix. Anything not listed is
 * unexpected and propagates unchanged.
 *
 * Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 *
 * @module
 */
import { DuplicateTaskIdError, InvalidArgumentError, SchemaNotMigratedError } from '../../errors.js';

/** What the store does about an expected error. */
export type ErrorAction = 'retry' | 'not_migrated' | 'duplicate' | 'unstorable';

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
};

/** How many times a transaction that hit a retryable error is run in all. */
export const MAX_TRANSACTION_RUNS = 5;

/** The SQLSTATE of an error raised by the server, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

/** The action for an expected error; undefined for anything else. */
export function expectedAction(error: unknown): ErrorAction | undefined {
  const code = sqlState(error);
  return code === undefined ? undefined : EXPECTED[code];
}

/** Replaces an expected, non-retryable error with the domain error that names its fix. */
export function translateError(error: unknown, schema: string): unknown {
  switch (expectedAction(error)) {
    case 'not_migrated':
      return new SchemaNotMigratedError(`The PostgreSQL task schema "${schema}"`, { cause: error });
    case 'duplicate':
      return new DuplicateTaskIdError({ cause: error });
    case 'unstorable':
      return new InvalidArgumentError('value', 'text and JSON without NUL (\\u0000) characters, which PostgreSQL cannot store');
    default:
      return error;
  }
}
