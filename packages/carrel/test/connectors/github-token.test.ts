/**
 * The github connector's token through MCP, in both eras, against the fake GitHub: a sync with no
 * token goes `input_required` and asks for one (an `elicitation/create` on 2025-11-25, the task's
 * `inputRequests` on 2026-07-28); the answer becomes the connector's secret (sealed into the
 * database, its key a 0600 file of the data dir) and the sync completes; the token is in no task
 * row, result or status message, nor in plain text anywhere in the database file's bytes. A revoked token makes the next sync ask again, once: a fresh token refused
 * as well ends it with a clear error and the library unchanged. A spent rate limit and a 5xx are
 * retried by the task. `carrel sync` without a token stops naming `carrel connectors set-token`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../support/fake-github.js';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio, runCli, startServe } from '../mcp/support/carrel-process.js';
import { poll2026, request2026 } from '../mcp/support/rev2026.js';

const TOKEN = 'ghp_firstTokenGivenByTheClient01';
const REPLACEMENT = 'ghp_replacementAfterRevoking0002';
const WRONG = 'ghp_aWrongTokenTheServerRefuses03';
const REPO = 'acme/widgets';
const PRIVATE = { CARREL_ALLOW_PRIVATE_ADDRESSES: '1' };

const servers: FakeGitHub[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function github(): Promise<FakeGitHub> {
  const server = await new FakeGitHub(REPO, TOKEN).start();
  servers.push(server);
  server.commit({ 'README.md': '# Widgets\n\nWhat they do.\n', 'docs/usage.md': '# Usage\n\nHow to use.\n' });
  return server;
}

type Result = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as Result;

/** Every place a token could be left in the data dir's database once its server has exited. */
function expectNoTokenStored(dataDir: string, tokens: string[]): void {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  try {
    const rows = JSON.stringify([
      db.prepare('SELECT * FROM carrel_tasks').all(),
      db.prepare('SELECT * FROM connectors').all(),
      db.prepare('SELECT * FROM connector_secrets').all(),
    ]);
    for (const token of tokens) expect(rows).not.toContain(token);
  } finally {
    db.close();
  }
  for (const file of ['carrel.db', 'carrel.db-wal']) {
    const path = join(dataDir, file);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    for (const token of tokens) expect(bytes.includes(Buffer.from(token)), `${file} holds ${token}`).toBe(false);
  }
}

/** How many connectors have a sealed token in the data dir's database. */
function storedSecrets(dataDir: string): number {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM connector_secrets').get()!.n;
  } finally {
    db.close();
  }
}

/** Resolves once the process is gone (its database closed cleanly). */
async function exited(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('github connector token', { timeout: 180_000 }, () => {
  it('2025-11-25: asks by elicitation, stores the answer as the secret only, asks once again after a revocation', async () => {
    const server = await github();
    const dataDir = tempDir();
    const asked: ElicitRequest['params'][] = [];
    const answers: string[] = [TOKEN];
    const { client, transport } = await mcpStdio(dataDir, {
      env: PRIVATE,
      elicit: async (request) => {
        asked.push(request.params);
        return { action: 'accept', content: { token: answers.shift()! } };
      },
    });
    const added = await call(client, 'add_connector', {
      name: 'gh',
      kind: 'github',
      library: 'widgets',
      options: { repository: REPO, apiUrl: server.url },
    });
    expect(added.isError).toBeFalsy();

    const first = await call(client, 'sync_connector', { connector: 'gh' });
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ created: 2, sync: { complete: true } });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('Connector gh needs a token. GitHub repository acme/widgets: the connector has no token');
    expect(statSync(join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(storedSecrets(dataDir)).toBe(1);
    expect((await call(client, 'show_connector', { connector: 'gh' })).structuredContent).toMatchObject({ secret: '****nt01' });

    // Revoked: the next sync asks again, once; the fresh answer is refused too, so the task ends.
    const documents = async () => (await call(client, 'list_documents', { library: 'widgets' })).structuredContent!.documents;
    const before = await documents();
    server.token = REPLACEMENT;
    server.commit({ 'docs/usage.md': '# Usage\n\nChanged.\n' });
    answers.push(WRONG);
    const refused = await call(client, 'sync_connector', { connector: 'gh' });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toContain('GitHub refused the token (HTTP 401)');
    expect(refused.content[0]!.text).toContain('call sync_connector with {"connector":"gh"} as a task: it asks for a new token');
    expect(asked).toHaveLength(2);
    expect(await documents()).toEqual(before);

    // A spent rate limit (reset a second away) and a 502 are retried by the task, which then completes.
    answers.push(REPLACEMENT);
    server.script.push(
      {
        path: /\/commits\//,
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) },
      },
      { path: /\/compare\//, status: 502 },
    );
    const renewed = await call(client, 'sync_connector', { connector: 'gh' });
    expect(renewed.isError).toBeFalsy();
    expect(renewed.structuredContent).toMatchObject({ updated: 1 });
    expect(asked).toHaveLength(3);
    expect(server.script).toHaveLength(0);

    for (const answer of [added, first, refused, renewed])
      for (const t of [TOKEN, REPLACEMENT, WRONG]) expect(JSON.stringify(answer)).not.toContain(t);
    for (const r of server.requests) for (const t of [TOKEN, REPLACEMENT, WRONG]) expect(r.url).not.toContain(t);
    const pid = transport.pid!;
    await client.close();
    await exited(pid);
    expectNoTokenStored(dataDir, [TOKEN, REPLACEMENT, WRONG]);
  });

  it('2026-07-28: shows the request in the task, takes the answer by tasks/update, and keeps it out of the task', async () => {
    const server = await github();
    const dataDir = tempDir();
    const serve = await startServe(dataDir, [], PRIVATE);
    cleanups.push(() => serve.stop());
    const added = await request2026(serve.url, 'tools/call', {
      name: 'add_connector',
      arguments: { name: 'gh', kind: 'github', library: 'widgets', options: { repository: REPO, apiUrl: server.url } },
    });
    expect(added.result).toMatchObject({ structuredContent: { name: 'gh', secret: null } });

    const started = (await request2026(serve.url, 'tools/call', { name: 'sync_connector', arguments: { connector: 'gh' } })).result!;
    expect(started).toMatchObject({ resultType: 'task' });
    const taskId = String(started.taskId);
    const waiting = await poll2026(serve.url, taskId, (t) => t.status === 'input_required');
    const request = (waiting.inputRequests as Record<string, { method: string; params: { message: string } }>).token!;
    expect(request.method).toBe('elicitation/create');
    expect(request.params.message).toContain('Connector gh needs a token');
    await request2026(serve.url, 'tasks/update', { taskId, inputResponses: { token: { action: 'accept', content: { token: TOKEN } } } });
    const done = await poll2026(serve.url, taskId, (t) => t.status === 'completed');
    expect(done.result).toMatchObject({ structuredContent: { created: 2 } });
    expect(done.inputRequests ?? {}).toEqual({});
    expect(JSON.stringify(done)).not.toContain(TOKEN);
    expect(storedSecrets(dataDir)).toBe(1);

    await serve.stop();
    expectNoTokenStored(dataDir, [TOKEN]);
  });

  it('carrel sync without a token stops and names carrel connectors set-token, which then lets it sync', async () => {
    const server = await github();
    const dataDir = tempDir();
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(dataDir, args, { env: { ...PRIVATE, ...env } });
    const added = await cli([
      'connectors',
      'add',
      'gh',
      '--kind',
      'github',
      '--repository',
      REPO,
      '--api-url',
      server.url,
      '--library',
      'widgets',
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`Added connector gh (github ${REPO}) → widgets`);

    const tokenless = await cli(['sync', 'gh']);
    expect(tokenless.code).toBe(6);
    expect(tokenless.stderr).toContain('asked for input the command line cannot give, so it was cancelled: Connector gh needs a token');
    expect(tokenless.stderr).toContain(
      'Store a token with carrel connectors set-token gh --token-env VARIABLE, then run carrel sync gh again.',
    );

    const set = await cli(['connectors', 'set-token', 'gh', '--token-env', 'GH_TOKEN'], { GH_TOKEN: TOKEN });
    expect(set.stdout).toBe('Stored a new token for connector gh (****nt01); sync it with: carrel sync gh\n');
    const synced = await cli(['sync', 'gh']);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toBe('connector gh → widgets: 2 created; 2 chunks\n');
  });
});
