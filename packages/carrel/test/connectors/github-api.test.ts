/**
 * The GitHub API client on its own, against the fake GitHub: with plenty of the rate-limit window
 * left it never pauses; with little left it spreads the next requests until the window resets
 * (the pauses are recorded, not waited).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubApi } from '../../src/connectors/github-api.js';
import { DEFAULT_FETCH_LIMITS } from '../../src/sources/url-source.js';
import { FakeGitHub } from '../support/fake-github.js';

const TOKEN = 'ghp_apiClientTestToken000000001';
const servers: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function client(rateLimit: { remaining: number; reset: number }): Promise<{ api: GitHubApi; pauses: number[] }> {
  const server = await new FakeGitHub('acme/widgets', TOKEN).start();
  servers.push(server);
  server.commit({ 'README.md': '# Widgets\n' });
  server.rateLimit = rateLimit;
  const pauses: number[] = [];
  const api = new GitHubApi({
    apiUrl: server.url,
    repository: 'acme/widgets',
    token: TOKEN,
    limits: { ...DEFAULT_FETCH_LIMITS, allowPrivateAddresses: true },
    signal: new AbortController().signal,
    sleep: async (ms) => void pauses.push(ms),
  });
  return { api, pauses };
}

describe('GitHub API client', () => {
  it('paces its requests only when the rate-limit window runs low', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    const plenty = await client({ remaining: 4000, reset });
    const tree = (await plenty.api.commit(await plenty.api.defaultBranch())).tree;
    await plenty.api.tree(tree);
    expect(plenty.pauses).toEqual([]);

    const low = await client({ remaining: 20, reset });
    const lowTree = (await low.api.commit(await low.api.defaultBranch())).tree;
    await low.api.tree(lowTree);
    // The first request had nothing to go by; each later one waits a share of what is left of the window.
    expect(low.pauses).toHaveLength(2);
    for (const ms of low.pauses) {
      expect(ms).toBeGreaterThan(20_000);
      expect(ms).toBeLessThanOrEqual(30_000);
    }
  });
});
