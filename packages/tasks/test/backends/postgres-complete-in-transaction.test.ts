/**
 * `completeInTransaction` on PostgreSQL: the application's transaction runs on its own pg client;
 * the NOTIFY sent with the completion wakes waiters on every node.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SchemaNotMigratedError, type TaskCompletion } from '@carrel/tasks';
import { completeInTransaction } from '@carrel/tasks/postgres';
import type { TestDatabase } from '../support/harness.js';
import { postgresHarness, postgresUrl } from '../support/postgres-harness.js';
import { cleanups, completeInTransactionSuite } from './complete-in-transaction-suite.js';

async function setUp() {
  const db: TestDatabase = await postgresHarness.createDatabase();
  cleanups.push(() => db.drop());
  const { schema } = db.locator as { schema: string };
  const notesTable = `${pg.escapeIdentifier(schema)}.notes`;
  const app = new pg.Client({ connectionString: postgresUrl() });
  await app.connect();
  cleanups.push(() => app.end());
  await app.query(`CREATE TABLE ${notesTable} (task_id text PRIMARY KEY, body text NOT NULL)`);
  const commit = async (completion: TaskCompletion, body: string): Promise<boolean> => {
    await app.query('BEGIN');
    try {
      await app.query(`INSERT INTO ${notesTable} (task_id, body) VALUES ($1, $2)`, [completion.taskId, body]);
      const won = await completeInTransaction(app, completion, { now: Date.now(), schema });
      await app.query(won ? 'COMMIT' : 'ROLLBACK');
      return won;
    } catch (error) {
      await app.query('ROLLBACK');
      throw error;
    }
  };
  const note = async (taskId: string) =>
    (await app.query<{ body: string }>(`SELECT body FROM ${notesTable} WHERE task_id = $1`, [taskId])).rows[0]?.body;
  return { schema, app, store: await db.open(), openAnotherStore: () => db.open(), commit, note };
}

completeInTransactionSuite('PostgreSQL', setUp);

describe('completeInTransaction on PostgreSQL, misuse', () => {
  it('refuses one that is not a completion, names a schema that was never migrated, and loses to a missing task', async () => {
    const { app, schema } = await setUp();
    const completion: TaskCompletion = { taskId: 'missing', worker: 'w', outcome: { result: null } };
    await expect(completeInTransaction(app, { taskId: 1 } as never, { now: 0, schema })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(completeInTransaction(app, completion, { now: 0, schema: 'no_such_schema' })).rejects.toBeInstanceOf(
      SchemaNotMigratedError,
    );
    await expect(completeInTransaction(app, completion, { now: 0, schema: 'bad-name' })).rejects.toThrow(/Invalid PostgreSQL schema name/);
    expect(await completeInTransaction(app, completion, { now: Date.now(), schema })).toBe(false);
  });
});
