/**
 * The one place where errors become what a person sees: a message on stderr and an exit code.
 * Expected conditions (bad input, a missing document, a path outside the allowed roots, an unknown
 * task, a store locked too long) get a message naming the problem and the fix. An unexpected throw
 * gets one line too: its stack (which names install paths) is printed only with CARREL_DEBUG=1.
 *
 * Exit codes: 0 success · 1 unexpected error · 2 usage or invalid input · 3 not found ·
 * 4 refused (path outside the allowed roots, blocked address, content too large or unsupported, an
 * invalid pack, a secrets file others can read, a secrets key missing or not the one that sealed a
 * token, a token missing or refused) ·
 * 5 a fetch or the embedder failed · 6 the task failed · 130 cancelled.
 *
 * @module
 */
import { CommanderError } from 'commander';
import { StoreUnavailableError, TaskEngineError, TaskNotFoundError, TaskTerminalError } from '@carrel/tasks';
import { KnowledgeBaseError, StoreBusyError, type KnowledgeBaseErrorKind } from '../errors.js';
import { WRITE_WAIT_MS } from '../store/repository.js';
import { isBusy } from '../store/sqlite/busy.js';
import { SettingsError } from '../app/settings.js';
import { withFix } from '../fix.js';
import { cliFix } from './fix.js';

/** Exit codes by meaning. */
export const ExitCode = { Ok: 0, Unexpected: 1, Usage: 2, NotFound: 3, Refused: 4, Unavailable: 5, TaskFailed: 6, Cancelled: 130 } as const;

/** A CLI-level expected failure with its own exit code (e.g. a task that ended failed). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const KB_EXIT: Record<KnowledgeBaseErrorKind, number> = {
  invalid_argument: ExitCode.Usage,
  not_found: ExitCode.NotFound,
  path_not_allowed: ExitCode.Refused,
  file_too_large: ExitCode.Refused,
  unsupported_content: ExitCode.Refused,
  address_blocked: ExitCode.Refused,
  fetch_failed: ExitCode.Unavailable,
  invalid_pack: ExitCode.Refused,
  embedder_unavailable: ExitCode.Unavailable,
  embedder_mismatch: ExitCode.Usage,
  embedder_failed: ExitCode.TaskFailed,
  busy: ExitCode.Unavailable,
  database_unavailable: ExitCode.Unavailable,
  insecure_secrets: ExitCode.Refused,
  secrets_key: ExitCode.Refused,
  credentials_rejected: ExitCode.Refused,
  cancelled: ExitCode.Cancelled,
};

/** The exit code for a knowledge-base error kind (also read from a tool's `isError` result). */
export function exitCodeForKind(kind: string): number {
  return (KB_EXIT as Record<string, number>)[kind] ?? ExitCode.TaskFailed;
}

/** The message (null when already printed, e.g. by commander) and exit code for any thrown value. */
export function describeError(error: unknown): { message: string | null; exitCode: number } {
  if (error instanceof CommanderError) return { message: null, exitCode: error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage };
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof SettingsError) return { message: error.message, exitCode: ExitCode.Usage };
  if (error instanceof KnowledgeBaseError)
    return { message: withFix(error.problem, error.fix, cliFix), exitCode: exitCodeForKind(error.kind) };
  if (error instanceof TaskNotFoundError)
    return {
      message: `${error.message}: it does not exist, has expired, or belongs to someone else (see carrel tasks list)`,
      exitCode: ExitCode.NotFound,
    };
  if (error instanceof StoreUnavailableError)
    return { message: `${error.message}; it may be restarting, try again in a moment`, exitCode: ExitCode.Unavailable };
  if (error instanceof TaskTerminalError) return { message: error.message, exitCode: ExitCode.Usage };
  if (error instanceof TaskEngineError) return { message: error.message, exitCode: ExitCode.Usage };
  // A lock met below the repository's own wait (SQLite's busy handler, the task store's retries):
  // with CARREL_DEBUG=1, the stack says which write it was.
  if (isBusy(error) || (error as { name?: unknown } | null)?.name === 'SqliteBusyError')
    return { message: `${new StoreBusyError(WRITE_WAIT_MS).message}${debugStack(error, '')}`, exitCode: ExitCode.Unavailable };
  const detail = error instanceof Error ? error.message || error.name : String(error);
  return { message: `Unexpected error: ${detail}${debugStack(error, ' (set CARREL_DEBUG=1 for details)')}`, exitCode: ExitCode.Unexpected };
}

/** The error's stack on a line of its own with CARREL_DEBUG=1, else `otherwise`. */
function debugStack(error: unknown, otherwise: string): string {
  return process.env.CARREL_DEBUG === '1' && error instanceof Error ? `\n${error.stack}` : otherwise;
}

/** Prints the error and sets the process exit code. */
export function reportError(error: unknown): void {
  const { message, exitCode } = describeError(error);
  if (message !== null) process.stderr.write(`carrel: ${message}\n`);
  process.exitCode = exitCode;
}
