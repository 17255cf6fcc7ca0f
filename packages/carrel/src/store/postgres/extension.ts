/**
 * Creating an extension that a path decided at open needs (pgvector.ts, rum.ts).
 *
 * @module
 */
import pg from 'pg';
import type { SqlClient } from './client.js';
import { migrationLockKey } from './migrate.js';

/**
 * Creates the extension `name`, which the server offers, in schema public, under the migration
 * lock of `schema`. Neither pgvector nor rum is a trusted extension, so this takes a role allowed
 * to (a superuser). Returns null once it exists, or why it could not be created, in words for `status`.
 */
export async function createExtension(client: SqlClient, schema: string, name: string): Promise<string | null> {
  try {
    await client.transaction(async ({ query }) => {
      await query(`SELECT pg_advisory_xact_lock(${migrationLockKey(schema)})`);
      await query(`CREATE EXTENSION IF NOT EXISTS ${pg.escapeIdentifier(name)} SCHEMA public`);
    });
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `the ${name} extension is available but could not be created (${message}): run CREATE EXTENSION ${name} as a superuser`;
  }
}
