/**
 * `carrel mcp` answers its client's `initialize` before its database is ready: here another
 * process holds the database locked, so the task store cannot be migrated yet. The handshake
 * completes anyway; `tools/list` waits for the lock to go and is answered then.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio } from './support/carrel-process.js';

describe('carrel mcp opening', () => {
  it('completes the handshake while the database is locked, and serves tools/list once it is free', async () => {
    const dataDir = tempDir();
    const lock = new Database(join(dataDir, 'carrel.db'));
    lock.exec('BEGIN EXCLUSIVE');
    try {
      const { client } = await mcpStdio(dataDir);
      try {
        expect(client.getServerVersion()).toMatchObject({ name: 'carrel' });
        let listed = false;
        const tools = client.listTools().then((result) => ((listed = true), result));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(listed).toBe(false);
        lock.exec('COMMIT');
        expect((await tools).tools.map((t) => t.name)).toContain('search');
      } finally {
        await client.close();
      }
    } finally {
      lock.close();
    }
  });
});
