/**
 * A sync killed by SIGKILL mid-way leaves the library and the connector's cursor as they were;
 * the re-run of the same task resumes from what its run had staged (each document staged once)
 * and ends in the same state as a sync that never crashed, its cursor advanced once.
 */
import { describe, expect, it } from 'vitest';
import { spawnChild } from '../support/child.js';
import { writeDocs } from '../support/corpus.js';
import { GitRepo } from '../support/git-repo.js';
import { syncState } from '../support/sync-state.js';
import { tempDir } from '../support/temp-dir.js';

describe('sync crash recovery', () => {
  it('resumes a sync killed mid-way and ends as a sync that never crashed', async () => {
    const root = tempDir();
    const repo = new GitRepo(writeDocs(root, 600));
    const head = repo.commit('600 documents');

    const crashed = tempDir();
    const child = spawnChild('sync-child.ts', [crashed, root, '16', 'sync-1']);
    await child.waitFor(/^progress (1\d\d|[2-5]\d\d) /);
    child.process.kill('SIGKILL');
    expect(await child.exited).toBe(null);
    const killed = syncState(crashed);
    expect(killed).toMatchObject({ documents: [], items: [], cursor: null });
    expect(killed.staged).toBeGreaterThanOrEqual(100);
    expect(killed.staged).toBeLessThan(600);

    const again = spawnChild('sync-child.ts', [crashed, root, '16', 'sync-1']);
    const done = JSON.parse((await again.waitFor(/^done /)).slice(5)) as Record<string, unknown>;
    expect(done).toEqual({ created: 600, updated: 0, unchanged: 0, failed: 0, resumed: killed.staged, cursor: head });
    expect(await again.exited).toBe(0);

    const clean = tempDir();
    const uninterrupted = spawnChild('sync-child.ts', [clean, root, '16']);
    await uninterrupted.waitFor(/^done /);
    expect(await uninterrupted.exited).toBe(0);
    const expected = syncState(clean);
    expect(expected.documents).toHaveLength(600);
    expect(syncState(crashed)).toEqual({ ...expected, staged: 0 });
  }, 180_000);
});
