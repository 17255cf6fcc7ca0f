/**
 * Connector tokens sealed into the knowledge-base database: on PostgreSQL a token given through
 * one node (data dir A) is sent by a sync run from another node (data dir B) with the same
 * CARREL_SECRETS_KEY, as the fake GitHub on 127.0.0.1 sees in its Authorization header; the
 * database never holds the token in plain text; a node with another key, or none, gets a clear
 * error naming the key and nothing is altered, yet lists the connectors, saying the token is sealed; a sealed token copied onto another connector does
 * not open; removing a connector removes its token. On SQLite the key is a 0600 file of the data
 * dir, and a secrets.json of earlier versions is imported once and deleted.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase, type KnowledgeBaseOptions } from 'carrel';
import { InsecureSecretsError, SecretsKeyError } from '../../src/errors.js';
import { FakeGitHub } from '../support/fake-github.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = 'ghp_sealedTokenForTheClusterTests01';
const REPO = 'acme/widgets';
const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('hex');

const open: KnowledgeBase[] = [];
const servers: FakeGitHub[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(clients.splice(0).map((c) => c.end()));
});

async function github(): Promise<FakeGitHub> {
  const server = await new FakeGitHub(REPO, TOKEN).start();
  servers.push(server);
  server.commit({ 'README.md': '# Widgets\n\nWhat they do.\n', 'docs/usage.md': '# Usage\n\nHow to use.\n' });
  return server;
}

/** A node: a knowledge base with a data dir of its own. */
async function node(options: KnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({
    dataDir: tempDir(),
    embedder: { kind: 'offline' },
    fetch: { allowPrivateAddresses: true },
    ...options,
  });
  open.push(kb);
  return kb;
}

const ghConnector = (server: FakeGitHub, name = 'gh') => ({
  name,
  kind: 'github',
  library: name === 'gh' ? 'widgets' : name,
  options: { repository: REPO, apiUrl: server.url },
});

async function sql(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  clients.push(client);
  return client;
}

/** The sealed tokens as stored, by connector id. */
async function sealedRows(client: pg.Client): Promise<Map<number, Buffer>> {
  const { rows } = await client.query<{ id: string; sealed: Buffer }>(
    'SELECT connector_id AS id, sealed FROM carrel_kb.connector_secrets ORDER BY connector_id',
  );
  return new Map(rows.map((r) => [Number(r.id), r.sealed]));
}

describe('connector secrets on PostgreSQL', { timeout: 120_000 }, () => {
  it('seals a token given through one node so that a sync on another node sends it; the database holds no plain text', async () => {
    const server = await github();
    const databaseUrl = await freshDatabase();
    const a = await node({ databaseUrl, secretsKey: KEY });
    const b = await node({ databaseUrl, secretsKey: KEY });
    expect(a.dataDir).not.toBe(b.dataDir);

    expect(await a.addConnector({ ...ghConnector(server), secret: TOKEN })).toMatchObject({ secret: '****ts01' });
    expect(await b.showConnector('gh')).toMatchObject({ secret: '****ts01' });
    expect(await b.syncConnector('gh')).toMatchObject({ created: 2 });
    expect(server.requests.length).toBeGreaterThan(0);
    for (const r of server.requests) expect(r.authorization).toBe(`Bearer ${TOKEN}`);

    // Every byte of every connector table, as PostgreSQL returns it: sealed, never the token.
    const client = await sql(databaseUrl);
    const stored = await sealedRows(client);
    expect(stored.size).toBe(1);
    for (const table of ['connectors', 'connector_items', 'connector_secrets']) {
      const { rows } = await client.query(`SELECT * FROM carrel_kb.${table}`);
      expect(JSON.stringify(rows), table).not.toContain(TOKEN);
      for (const row of rows) for (const value of Object.values(row)) if (Buffer.isBuffer(value)) expect(value.includes(TOKEN)).toBe(false);
    }

    // A new token through B is the one A's next sync sends.
    const replacement = 'ghp_replacementTokenThroughNodeB02';
    server.token = replacement;
    server.commit({ 'docs/usage.md': '# Usage\n\nChanged.\n' });
    await b.setConnectorSecret('gh', replacement);
    server.requests.length = 0;
    expect(await a.syncConnector('gh')).toMatchObject({ updated: 1 });
    for (const r of server.requests) expect(r.authorization).toBe(`Bearer ${replacement}`);
  });

  it('refuses a token without CARREL_SECRETS_KEY, and a key that did not seal it, naming the key and altering nothing', async () => {
    const server = await github();
    const databaseUrl = await freshDatabase();
    const keyless = await node({ databaseUrl });
    const refused = keyless.addConnector({ ...ghConnector(server), secret: TOKEN });
    await expect(refused).rejects.toThrow(SecretsKeyError);
    await expect(refused).rejects.toThrow(/sealed with CARREL_SECRETS_KEY, which is not set: .*openssl rand -base64 32/);
    expect(await keyless.listConnectors()).toEqual([]);

    const a = await node({ databaseUrl, secretsKey: KEY });
    await a.addConnector({ ...ghConnector(server), secret: TOKEN });
    expect(await a.syncConnector('gh')).toMatchObject({ created: 2 });
    const client = await sql(databaseUrl);
    const before = await sealedRows(client);
    const documents = (await a.listDocuments({ library: 'widgets' })).documents;

    const other = await node({ databaseUrl, secretsKey: OTHER_KEY });
    server.commit({ 'docs/usage.md': '# Usage\n\nChanged.\n' });
    server.requests.length = 0;
    for (const attempt of [() => other.syncConnector('gh'), () => keyless.syncConnector('gh')]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SecretsKeyError);
      const message = (error as Error).message;
      expect(message).toMatch(/CARREL_SECRETS_KEY/);
      for (const secret of [TOKEN, KEY, OTHER_KEY]) expect(message).not.toContain(secret);
    }
    await expect(other.syncConnector('gh')).rejects.toThrow(
      /^Connector gh's token was sealed with another key \(key id [0-9a-f]{8}\) than CARREL_SECRETS_KEY \(key id [0-9a-f]{8}\): give this node the key it was sealed with, or store the token again; setConnectorSecret\("gh", token\) stores a new one$/,
    );
    expect(server.requests).toEqual([]);
    // Listing needs no key: a node without the right one says so in place of the masked token.
    expect((await other.showConnector('gh')).secret).toBe('sealed; CARREL_SECRETS_KEY on this node does not open it');
    expect((await keyless.listConnectors()).map((c) => [c.name, c.secret])).toEqual([
      ['gh', 'sealed; CARREL_SECRETS_KEY is not set on this node'],
    ]);
    expect((await a.showConnector('gh')).secret).toBe(`****${TOKEN.slice(-4)}`);
    expect(await sealedRows(client)).toEqual(before);
    expect((await a.listDocuments({ library: 'widgets' })).documents).toEqual(documents);
    const { rows } = await client.query<{ outcome: string }>("SELECT last_outcome AS outcome FROM carrel_kb.connectors WHERE name = 'gh'");
    expect(rows[0]!.outcome).toMatch(/^failed: Connector gh's token was sealed with another key/);
  });

  it('does not open a sealed token copied onto another connector, and removes a token with its connector', async () => {
    const server = await github();
    const databaseUrl = await freshDatabase();
    const kb = await node({ databaseUrl, secretsKey: KEY });
    await kb.addConnector({ ...ghConnector(server), secret: TOKEN });
    const spare = await kb.addConnector({ ...ghConnector(server, 'spare'), secret: 'ghp_theSpareConnectorsOwnToken03' });
    expect(spare.secret).toBe('****en03');
    const client = await sql(databaseUrl);
    const [ghId, spareId] = [...(await sealedRows(client)).keys()] as [number, number];
    const ghSealed = (await sealedRows(client)).get(ghId);
    await client.query('UPDATE carrel_kb.connector_secrets SET sealed = $1 WHERE connector_id = $2', [ghSealed, spareId]);
    await expect(kb.syncConnector('spare')).rejects.toThrow(
      /^Connector spare's stored token does not open with CARREL_SECRETS_KEY \(key id [0-9a-f]{8}\): it was altered, or copied from another connector; store the token again/,
    );

    await kb.removeConnector('gh');
    expect([...(await sealedRows(client)).keys()]).toEqual([spareId]);
    expect(ghId).not.toBe(spareId);
  });

  it('reconciles a declared list against the stored tokens: the same token unchanged, a new one sealed in its place', async () => {
    const server = await github();
    const databaseUrl = await freshDatabase();
    const a = await node({ databaseUrl, secretsKey: KEY });
    const b = await node({ databaseUrl, secretsKey: KEY });
    const declared = { ...ghConnector(server), secret: TOKEN };
    expect(await a.reconcileConnectors([declared])).toEqual([{ connector: 'gh', action: 'added', changes: [] }]);
    expect(await b.reconcileConnectors([declared])).toEqual([{ connector: 'gh', action: 'unchanged', changes: [] }]);
    const replacement = 'ghp_declaredReplacementToken0006';
    expect(await b.reconcileConnectors([{ ...declared, secret: replacement }])).toEqual([
      { connector: 'gh', action: 'changed', changes: ['secret'] },
    ]);
    server.token = replacement;
    expect(await a.syncConnector('gh')).toMatchObject({ created: 2 });
    for (const r of server.requests) expect(r.authorization).toBe(`Bearer ${replacement}`);

    // A node without the key cannot tell whether the token changed: it says so and writes nothing.
    const client = await sql(databaseUrl);
    const before = await sealedRows(client);
    const keyless = await node({ databaseUrl });
    await expect(keyless.reconcileConnectors([{ ...declared, secret: TOKEN }])).rejects.toThrow(SecretsKeyError);
    expect(await sealedRows(client)).toEqual(before);
  });
});

describe('connector secrets on SQLite', { timeout: 60_000 }, () => {
  it('seals with a 0600 key file of the data dir, never in the database file', async () => {
    const server = await github();
    const kb = await node();
    const keyFile = join(kb.dataDir, 'secrets.key');
    expect(existsSync(keyFile)).toBe(false);
    await kb.addConnector({ ...ghConnector(server), secret: TOKEN });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile)).toHaveLength(32);
    expect(await kb.syncConnector('gh')).toMatchObject({ created: 2 });
    for (const r of server.requests) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    const path = kb.databasePath!;
    await kb.close();
    open.splice(open.indexOf(kb), 1);
    for (const file of [path, `${path}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(TOKEN), file).toBe(false);

    // A key file others can read is refused; one that is gone is named.
    chmodSync(keyFile, 0o644);
    const reopened = await node({ dataDir: kb.dataDir });
    await expect(reopened.showConnector('gh')).rejects.toThrow(InsecureSecretsError);
    chmodSync(keyFile, 0o600);
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    await expect(reopened.syncConnector('gh')).rejects.toThrow(/^Connector gh's token was sealed with another key .* than the key file /);
  });

  it('imports the secrets.json of earlier versions once, sealed, and deletes it', async () => {
    const server = await github();
    const first = await node();
    const { dataDir } = first;
    await first.addConnector(ghConnector(server));
    const other = await first.addConnector(ghConnector(server, 'other'));
    expect(other.secret).toBeNull();
    await first.close();
    open.splice(0);

    // Keyed by connector id, as earlier versions wrote it.
    const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
    const gh = db.prepare<[], { id: number }>("SELECT id FROM connectors WHERE name = 'gh'").get()!.id;
    db.close();
    const legacy = join(dataDir, 'secrets.json');
    writeFileSync(
      legacy,
      JSON.stringify({ connectors: { [gh]: TOKEN, 9999: 'ghp_aConnectorThatIsGoneNow04', 'not-an-id': 'ghp_underAKeyThatIsNoId000007' } }),
      { mode: 0o600 },
    );

    const kb = await node({ dataDir });
    expect(existsSync(legacy)).toBe(false);
    expect(await kb.showConnector('gh')).toMatchObject({ secret: '****ts01' });
    expect(await kb.showConnector('other')).toMatchObject({ secret: null });
    expect(await kb.syncConnector('gh')).toMatchObject({ created: 2 });
    for (const r of server.requests) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    await kb.close();
    open.splice(0);
    expect(readFileSync(join(dataDir, 'carrel.db')).includes(TOKEN)).toBe(false);

    // One others can read is refused, not imported.
    writeFileSync(legacy, JSON.stringify({ connectors: { [gh]: 'ghp_exposedTokenNotToImport005' } }), { mode: 0o644 });
    chmodSync(legacy, 0o644);
    await expect(node({ dataDir })).rejects.toThrow(/secrets\.json is readable by others \(mode 644\)/);
    expect(existsSync(legacy)).toBe(true);
  });
});
