/**
 * The `git` connector through the knowledge base, on real repositories made by the test: a first
 * sync lists the whole tree; later syncs follow `git diff` from the synced commit (changes, a
 * rename, a deletion) and leave other documents untouched; a force-push is followed; a cache that
 * lost the synced commit falls back to a complete listing that deletes what is gone; and
 * repositories that are not https/ssh URLs or local paths inside the allowed roots — `ext::`
 * first of all — are refused before git runs.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { createServer } from 'node:net';
import { runGit } from '../../src/connectors/git-command.js';
import { FetchFailedError, SourceUnavailableError } from '../../src/errors.js';
import { GitRepo } from '../support/git-repo.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function knowledgeBase(root: string, dataDir = tempDir()): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [root] });
  open.push(kb);
  return kb;
}

/** Live documents: path in the repository → [live version, title]. */
function live(kb: KnowledgeBase, repo: GitRepo): Map<string, [number, string]> {
  const db = new Database(kb.databasePath!, { readonly: true });
  try {
    const prefix = `${repo.dir}@main:`;
    const rows = db
      .prepare<[], { source: string; v: number; title: string }>(
        'SELECT source, live_version AS v, title FROM documents WHERE live_version > 0',
      )
      .all();
    return new Map(rows.map((r) => [r.source.startsWith(prefix) ? r.source.slice(prefix.length) : r.source, [r.v, r.title]]));
  } finally {
    db.close();
  }
}

function repository(): { root: string; repo: GitRepo } {
  const root = tempDir();
  const repo = new GitRepo(root);
  repo.write({
    'README.md': '# Project\n\nWhat it does.\n',
    'docs/install.md': '# Install\n\nHow to install.\n',
    'docs/usage.md': '# Usage\n\nHow to use.\n',
    'docs/old-name.md': '# Moved page\n\nThis page moves.\n',
    'src/main.c': 'int main() { return 0; }\n',
  });
  repo.commit('first');
  return { root, repo };
}

describe('git connector', { timeout: 60_000 }, () => {
  it('syncs the tree, then only what each commit changed: edits, a rename, a deletion', async () => {
    const { root, repo } = repository();
    const kb = await knowledgeBase(root);
    await kb.addConnector({ name: 'proj', kind: 'git', library: 'proj', options: { repository: root } });

    const first = await kb.syncConnector('proj');
    expect(first).toMatchObject({ created: 4, sync: { cursor: repo.head(), complete: true, deleted: 0 } });
    const before = live(kb, repo);
    expect([...before.keys()].sort()).toEqual(['README.md', 'docs/install.md', 'docs/old-name.md', 'docs/usage.md']);
    expect(before.get('docs/usage.md')![1]).toBe('Usage');

    repo.write({ 'docs/usage.md': '# Usage\n\nHow to use it, better.\n', 'docs/new.md': '# New\n\nNew page.\n' });
    repo.git('mv', 'docs/old-name.md', 'docs/moved.md');
    repo.remove('docs/install.md');
    const second = repo.commit('second');
    const synced = await kb.syncConnector('proj');
    expect(synced).toMatchObject({ created: 2, updated: 1, failed: 0, sync: { cursor: second, complete: false, deleted: 2 } });
    const after = live(kb, repo);
    expect([...after.keys()].sort()).toEqual(['README.md', 'docs/moved.md', 'docs/new.md', 'docs/usage.md']);
    expect(after.get('README.md')).toEqual(before.get('README.md'));

    // Nothing new: the cursor is the head, nothing is listed.
    expect(await kb.syncConnector('proj')).toMatchObject({ created: 0, updated: 0, unchanged: 0, sync: { cursor: second, deleted: 0 } });
    expect(await kb.showConnector('proj')).toMatchObject({ cursor: second, documents: 4 });
  });

  it('follows a force-push, and lists everything again when the cache lost the synced commit', async () => {
    const { root, repo } = repository();
    const dataDir = tempDir();
    const kb = await knowledgeBase(root, dataDir);
    await kb.addConnector({ name: 'proj', kind: 'git', library: 'proj', options: { repository: root, include: ['docs/**'] } });
    repo.write({ 'docs/extra.md': '# Extra\n\nSoon rewritten away.\n' });
    const extra = repo.commit('extra');
    expect((await kb.syncConnector('proj')).created).toBe(4);

    // History rewritten: the extra commit is replaced by another one.
    repo.git('reset', '--quiet', '--hard', 'HEAD~1');
    repo.write({ 'docs/other.md': '# Other\n\nWritten instead.\n' });
    const rewritten = repo.commit('rewritten');
    const pushed = await kb.syncConnector('proj');
    expect(pushed).toMatchObject({ created: 1, sync: { cursor: rewritten, deleted: 1 } });
    expect([...live(kb, repo).keys()].sort()).toEqual(['docs/install.md', 'docs/old-name.md', 'docs/other.md', 'docs/usage.md']);
    expect(extra).not.toBe(rewritten);

    // Rewritten again and the cache is gone: the synced commit is nowhere to be fetched, so the
    // tree is listed completely and compared blob by blob.
    rmSync(join(dataDir, 'connectors'), { recursive: true });
    repo.git('reset', '--quiet', '--hard', 'HEAD~1');
    repo.remove('docs/usage.md');
    const third = repo.commit('third');
    const before = live(kb, repo);
    const relisted = await kb.syncConnector('proj');
    expect(relisted).toMatchObject({ created: 0, updated: 0, sync: { cursor: third, complete: true, deleted: 2 } });
    const after = live(kb, repo);
    expect([...after.keys()].sort()).toEqual(['docs/install.md', 'docs/old-name.md']);
    for (const [path, version] of after) expect(version).toEqual(before.get(path));
  });

  it('refuses ext:: and other transports, file:// and paths outside the roots, before git runs', async () => {
    const { root } = repository();
    const outside = repository().root;
    const kb = await knowledgeBase(root);
    const marker = join(tempDir(), 'ran');
    const refused: [string, RegExp][] = [
      [`ext::sh -c touch% ${marker}`, /^Invalid options\.repository: .*\(the ext:: transport is never allowed\)$/],
      [`EXT::sh -c touch% ${marker}`, /the EXT:: transport is never allowed/],
      ['fd::17', /the fd:: transport is never allowed/],
      ['git://example.com/repo.git', /the git:\/\/ transport is not allowed/],
      ['http://example.com/repo.git', /the http:\/\/ transport is not allowed/],
      ['--upload-pack=touch /tmp/x', /got an option/],
      ['https://user:secret@example.com/repo.git', /got a password in the URL/],
      [pathToFileURL(outside).href, /^Path .* is outside the allowed roots/],
      [outside, /^Path .* is outside the allowed roots/],
    ];
    for (const [repository, message] of refused)
      await expect(kb.addConnector({ name: 'bad', kind: 'git', library: 'x', options: { repository } }), repository).rejects.toThrow(
        message,
      );
    await expect(
      kb.addConnector({ name: 'bad', kind: 'git', library: 'x', options: { repository: root, branch: '--force' } }),
    ).rejects.toThrow(/^Invalid options\.branch: /);
    expect(await kb.listConnectors()).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses at sync time a repository that would reach past the checks (ext:: stored by hand)', async () => {
    const { root } = repository();
    const kb = await knowledgeBase(root);
    await kb.addConnector({ name: 'proj', kind: 'git', library: 'proj', options: { repository: 'https://127.0.0.1:9/none.git' } });
    const marker = join(tempDir(), 'ran');
    const db = new Database(kb.databasePath!);
    db.prepare("UPDATE connectors SET options = json_set(options, '$.repository', ?) WHERE name = 'proj'").run(
      `ext::sh -c touch% ${marker}`,
    );
    db.close();
    await expect(kb.syncConnector('proj')).rejects.toThrow(/the ext:: transport is never allowed/);
    expect(existsSync(marker)).toBe(false);
    expect((await kb.showConnector('proj')).lastOutcome).toMatch(/^failed: Invalid options\.repository/);
  });

  it('runs git so that it refuses ext:: by itself too, were a URL ever to get past the checks', async () => {
    const marker = join(tempDir(), 'ran');
    const signal = new AbortController().signal;
    for (const protocols of ['https:ssh', 'file'] as const)
      await expect(
        runGit(['ls-remote', '--', `ext::sh -c touch% ${marker}`], { access: { protocols }, what: 'ext', signal }),
      ).rejects.toThrow(/transport 'ext' not allowed/);
    expect(existsSync(marker)).toBe(false);
  });

  it('tells a source unavailable for a while (retried) from one that refuses (not retried)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const signal = new AbortController().signal;
    const refused = runGit(['ls-remote', '--', `https://127.0.0.1:${port}/repo.git`], {
      access: { protocols: 'https:ssh' },
      what: 'remote',
      signal,
    });
    await expect(refused).rejects.toBeInstanceOf(SourceUnavailableError);
    await expect(refused).rejects.toThrow(/^remote is unavailable for now: .*Failed to connect/);
    const missing = runGit(['ls-remote', '--', join(tempDir(), 'none')], { access: { protocols: 'file' }, what: 'local', signal });
    await expect(missing).rejects.toBeInstanceOf(FetchFailedError);
    await expect(missing).rejects.not.toBeInstanceOf(SourceUnavailableError);
  });
});
