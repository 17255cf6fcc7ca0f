/**
 * Which failures the PostgreSQL backend reports as a server that is away (StoreUnavailableError,
 * which waits and result writes outlive) and which it passes through unchanged.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '@carrel/tasks';
import { translateError } from '../../src/backends/postgres/errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('PostgreSQL errors: the server being away', () => {
  it.each([
    ['a fast shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['a crash', withCode('57P02')],
    ['a server starting up', withCode('57P03', 'the database system is starting up')],
    ['any connection exception (class 08)', withCode('08006')],
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a write on a closed socket (EPIPE, five characters like an SQLSTATE)', withCode('EPIPE')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
  ])('%s is StoreUnavailableError, with the cause kept', (_, error) => {
    const translated = translateError(error, 'carrel');
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as Error).cause).toBe(error);
  });

  it.each([
    ['a syntax error', withCode('42601')],
    ['a name that does not resolve (a configuration error)', withCode('ENOTFOUND')],
    ['an error of the application', new Error('boom')],
  ])('%s passes through unchanged', (_, error) => {
    expect(translateError(error, 'carrel')).toBe(error);
  });
});
