import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBusyError } from '@carrel/tasks/sqlite';
import { describeError, ExitCode } from '../../src/cli/errors.js';
import { StoreBusyError } from '../../src/errors.js';

afterEach(() => {
  delete process.env.CARREL_DEBUG;
});

describe('describeError', () => {
  it('says in one line that the store was locked, whichever layer met the lock', () => {
    const sqlite = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    for (const error of [sqlite, new StoreBusyError(10_000), new SqliteBusyError('SQLITE_BUSY', 5_000, { cause: sqlite })]) {
      const { message, exitCode } = describeError(error);
      expect(exitCode).toBe(ExitCode.Unavailable);
      expect(message).toMatch(
        /^The knowledge base stayed locked by another process's write for \d+ ms; nothing was changed, try again in a moment$/,
      );
    }
  });

  it('adds the stack of a lock met below the repository to the message with CARREL_DEBUG=1', () => {
    const sqlite = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(describeError(sqlite).message).not.toContain('\n');
    process.env.CARREL_DEBUG = '1';
    expect(describeError(sqlite).message).toContain(sqlite.stack);
    const tasks = new SqliteBusyError('SQLITE_BUSY', 5_000, { cause: sqlite });
    expect(describeError(tasks).message).toContain(tasks.stack);
  });

  it('gives an unexpected error one line without its stack, unless CARREL_DEBUG=1', () => {
    const error = new TypeError('boom');
    const { message, exitCode } = describeError(error);
    expect(exitCode).toBe(ExitCode.Unexpected);
    expect(message).toBe('Unexpected error: boom (set CARREL_DEBUG=1 for details)');
    process.env.CARREL_DEBUG = '1';
    expect(describeError(error).message).toContain(error.stack);
  });
});
