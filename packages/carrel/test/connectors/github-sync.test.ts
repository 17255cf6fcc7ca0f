/**
 * The `github` connector through the knowledge base, against a fake GitHub on 127.0.0.1
 * (test/support/fake-github.ts): a first sync lists the tree at the default branch; later syncs
 * follow GitHub's compare, every page of it (edits, an addition, a rename, a deletion) and leave
 * the other documents untouched; a force-push falls back to a complete listing; a truncated tree
 * is walked folder by folder; globs pick the files. Refusals end the sync with the library and the
 * cursor as they were: a repository GitHub does not show (404), a revoked token (401), a 403
 * without a rate limit; rate limits and 5xx are SourceUnavailableErrors carrying how long to wait.
 * The token travels in the Authorization header only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import type { InvalidInputError } from '../../src/errors.js';
import { AddressBlockedError, CredentialsRejectedError, FetchFailedError, SourceUnavailableError } from '../../src/errors.js';
import { FakeGitHub } from '../support/fake-github.js';
import { liveVersions } from '../support/live-versions.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = 'ghp_fakeTokenForTheTests0123456789';
const REPO = 'acme/widgets';

const open: KnowledgeBase[] = [];
const servers: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function github(): Promise<FakeGitHub> {
  const server = await new FakeGitHub(REPO, TOKEN).start();
  servers.push(server);
  server.commit({
    'README.md': '# Widgets\n\nWhat they do.\n',
    'docs/install.md': '# Install\n\nHow to install.\n',
    'docs/usage.md': '# Usage\n\nHow to use.\n',
    'docs/old-name.md': '# Moved page\n\nThis page moves.\n',
    'src/main.c': 'int main() { return 0; }\n',
  });
  return server;
}

/** A knowledge base with connector `gh` on the fake's repository. */
async function connected(
  server: FakeGitHub,
  options: Record<string, unknown> = {},
  { allowPrivate = true, secret = TOKEN }: { allowPrivate?: boolean; secret?: string | null } = {},
): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({
    dataDir: tempDir(),
    embedder: { kind: 'offline' },
    ...(allowPrivate && { fetch: { allowPrivateAddresses: true } }),
  });
  open.push(kb);
  await kb.addConnector({
    name: 'gh',
    kind: 'github',
    library: 'widgets',
    options: { repository: REPO, apiUrl: server.url, ...options },
    ...(secret !== null && { secret }),
  });
  return kb;
}

/** Live documents by path in the repository. */
function live(kb: KnowledgeBase): Map<string, number> {
  const prefix = `github:${REPO}:`;
  return new Map([...liveVersions(kb)].map(([source, v]) => [source.startsWith(prefix) ? source.slice(prefix.length) : source, v]));
}

describe('github connector', { timeout: 60_000 }, () => {
  it('syncs the tree, then only what each compare lists, page by page: edits, an addition, a rename, a deletion', async () => {
    const server = await github();
    const kb = await connected(server);
    const first = await kb.syncConnector('gh');
    const head = server.head();
    expect(first).toMatchObject({ created: 4, failed: 0, sync: { complete: true, deleted: 0, cursor: head } });
    const before = live(kb);
    expect([...before.keys()].sort()).toEqual(['README.md', 'docs/install.md', 'docs/old-name.md', 'docs/usage.md']);

    server.comparePageSize = 2;
    server.commit({
      'docs/usage.md': '# Usage\n\nHow to use it, better.\n',
      'docs/new.md': '# New\n\nNew page.\n',
      'docs/install.md': null,
    });
    const second = server.rename('docs/old-name.md', 'docs/moved.md');
    const synced = await kb.syncConnector('gh');
    expect(synced).toMatchObject({ created: 2, updated: 1, failed: 0, sync: { cursor: second, complete: false, deleted: 2 } });
    const after = live(kb);
    expect([...after.keys()].sort()).toEqual(['README.md', 'docs/moved.md', 'docs/new.md', 'docs/usage.md']);
    expect(after.get('README.md')).toBe(before.get('README.md'));
    expect(after.get('docs/usage.md')).toBeGreaterThan(before.get('docs/usage.md')!);
    // Four changed files at two a page: the compare was read in two pages.
    expect(
      server.requests.filter((r) => r.url.includes('/compare/')).map((r) => new URL(r.url, server.url).searchParams.get('page')),
    ).toEqual([null, '2']);

    const requests = server.requests.length;
    expect(await kb.syncConnector('gh')).toMatchObject({ created: 0, updated: 0, sync: { cursor: second } });
    // Nothing changed: the repository and the ref were asked, no tree, compare or blob.
    expect(server.requests.slice(requests).map((r) => r.url)).toEqual([`/repos/${REPO}`, `/repos/${REPO}/commits/main`]);

    for (const r of server.requests) {
      expect(r.url).not.toContain(TOKEN);
      expect(r.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.apiVersion).toBe('2022-11-28');
    }
    expect(JSON.stringify(await kb.showConnector('gh'))).not.toContain(TOKEN);
  });

  it('lists the whole tree after a force-push and deletes what is gone; an unchanged blob keeps its document', async () => {
    const server = await github();
    const kb = await connected(server);
    await kb.syncConnector('gh');
    const before = live(kb);

    const pushed = server.forcePush({ 'README.md': '# Widgets\n\nWhat they do.\n', 'docs/rewritten.md': '# Rewritten\n\nAll new.\n' });
    const synced = await kb.syncConnector('gh');
    expect(synced).toMatchObject({ created: 1, sync: { cursor: pushed, complete: true, deleted: 3 } });
    const after = live(kb);
    expect([...after.keys()].sort()).toEqual(['README.md', 'docs/rewritten.md']);
    expect(after.get('README.md')).toBe(before.get('README.md'));
  });

  it('walks a truncated tree folder by folder, and picks files with include and exclude globs at a ref', async () => {
    const server = await github();
    server.commit({ 'docs/internal/notes.md': '# Notes\n\nInternal.\n' }, 'release');
    server.truncateRecursiveTrees = true;
    const kb = await connected(server, { ref: 'release', include: ['docs/**'], exclude: ['docs/internal/**'] });
    await kb.syncConnector('gh');
    const prefix = `github:${REPO}@release:`;
    expect([...liveVersions(kb).keys()].sort()).toEqual([
      `${prefix}docs/install.md`,
      `${prefix}docs/old-name.md`,
      `${prefix}docs/usage.md`,
    ]);
    expect(server.requests.some((r) => r.url.endsWith('?recursive=1'))).toBe(true);
    expect(server.requests.filter((r) => /\/git\/trees\/[0-9a-f]+$/.test(r.url)).length).toBeGreaterThan(1);
  });

  it('ends with a clear error and an unchanged library when the repository is not found, the token is revoked or refused', async () => {
    const server = await github();
    const kb = await connected(server);
    await kb.syncConnector('gh');
    const before = live(kb);
    const cursor = (await kb.showConnector('gh')).cursor;
    server.commit({ 'docs/usage.md': '# Usage\n\nChanged.\n' });

    server.script.push({ path: new RegExp(`^/repos/${REPO}$`), status: 404 });
    const missing = await kb.syncConnector('gh').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FetchFailedError);
    expect((missing as Error).message).toContain(`the repository ${REPO} was not found, or the token cannot see it`);

    server.token = 'ghp_theNewTokenThatReplacedIt000';
    const revoked = await kb.syncConnector('gh').catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(CredentialsRejectedError);
    expect((revoked as Error).message).toContain('GitHub refused the token (HTTP 401)');
    server.token = TOKEN;

    // A 403 that is no rate limit: the token lacks a permission, waiting will not help.
    server.script.push({ path: /\/git\/blobs\//, status: 403 });
    const forbidden = await kb.syncConnector('gh').catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(CredentialsRejectedError);
    expect((forbidden as Error).message).toContain('HTTP 403');

    for (const error of [missing, revoked, forbidden]) expect(JSON.stringify(error) + (error as Error).message).not.toContain(TOKEN);
    expect(live(kb)).toEqual(before);
    expect(await kb.showConnector('gh')).toMatchObject({ cursor, lastOutcome: expect.stringContaining('failed:') as unknown });
    // And once the source answers again, the sync goes on from the same cursor.
    expect(await kb.syncConnector('gh')).toMatchObject({ updated: 1, sync: { complete: false } });
  });

  it('reports a spent rate limit, a secondary limit and a 5xx as unavailable for a while, with how long to wait', async () => {
    const server = await github();
    const kb = await connected(server);
    const reset = Math.floor(Date.now() / 1000) + 120;
    server.script.push({
      path: /\/commits\//,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': String(reset) },
    });
    const spent = await kb.syncConnector('gh').catch((e: unknown) => e);
    expect(spent).toBeInstanceOf(SourceUnavailableError);
    expect((spent as SourceUnavailableError).data!.retryAfterMs).toBeGreaterThan(60_000);
    expect((spent as Error).message).toContain('rate limit is spent');

    server.script.push({ path: /\/git\/trees\//, status: 403, headers: { 'retry-after': '7' } });
    const secondary = await kb.syncConnector('gh').catch((e: unknown) => e);
    expect(secondary).toBeInstanceOf(SourceUnavailableError);
    expect((secondary as SourceUnavailableError).data!.retryAfterMs).toBe(7000);

    // Neither header, only the body saying so: still a rate limit, not a refused token.
    server.script.push({
      path: /\/git\/trees\//,
      status: 403,
      body: JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }),
    });
    const quiet = await kb.syncConnector('gh').catch((e: unknown) => e);
    expect(quiet).toBeInstanceOf(SourceUnavailableError);
    expect((quiet as SourceUnavailableError).data!.retryAfterMs).toBe(60_000);

    server.script.push({ path: /\/git\/blobs\//, status: 502 });
    expect(await kb.syncConnector('gh').catch((e: unknown) => e)).toBeInstanceOf(SourceUnavailableError);
    expect(live(kb).size).toBe(0);
    expect(await kb.syncConnector('gh')).toMatchObject({ created: 4 });
  });

  it('asks for a token it does not have, keeps the private-address guard, and names bad options', async () => {
    const server = await github();
    const tokenless = await connected(server, {}, { secret: null });
    const missing = await tokenless.syncConnector('gh').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CredentialsRejectedError);
    expect((missing as Error).message).toContain('the connector has no token');
    expect(server.requests).toHaveLength(0);

    const guarded = await connected(server, {}, { allowPrivate: false });
    expect(await guarded.syncConnector('gh').catch((e: unknown) => e)).toBeInstanceOf(AddressBlockedError);

    const bad = async (options: Record<string, unknown>) =>
      guarded.addConnector({ name: 'bad', kind: 'github', library: 'x', options }).then(
        () => expect.fail('the options were taken'),
        (e: unknown) => e as InvalidInputError,
      );
    expect((await bad({ repository: 'acme' })).message).toBe('Invalid options.repository: expected a GitHub repository as owner/name');
    expect((await bad({ repository: REPO, apiUrl: 'http://example.com' })).message).toContain(
      'Invalid options.apiUrl: expected an https:// URL of a GitHub API (http:// only on a loopback address)',
    );
    expect((await bad({ repository: REPO, ref: '--upload-pack=x' })).argument).toBe('options.ref');
    expect((await bad({ repository: REPO, branch: 'main' })).argument).toBe('options.branch');
  });
});
