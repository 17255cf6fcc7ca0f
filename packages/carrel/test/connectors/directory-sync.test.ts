/**
 * The `directory` connector through the knowledge base, on real folders: a first sync indexes the
 * folder; after files are added, changed, touched and deleted, a re-sync creates, updates and
 * deletes exactly those and leaves every other document untouched (same live version); globs and
 * .gitignore narrow it as they do `carrel add`; the folder must lie inside the allowed roots; and
 * a connector removed with its documents takes them along.
 */
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { writeDocs } from '../support/corpus.js';
import { liveVersions } from '../support/live-versions.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function knowledgeBase(root: string, databaseUrl?: string): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({
    dataDir: tempDir(),
    ...(databaseUrl !== undefined && { databaseUrl }),
    embedder: { kind: 'offline' },
    allowedRoots: [root],
  });
  open.push(kb);
  return kb;
}

function folder(): string {
  const root = tempDir();
  mkdirSync(join(root, 'guide'));
  for (const name of ['a', 'b', 'c']) writeFileSync(join(root, 'guide', `${name}.md`), `# ${name}\n\nAbout ${name}.\n`);
  writeFileSync(join(root, 'notes.txt'), 'plain notes\n');
  return root;
}

describe('directory connector', { timeout: 60_000 }, () => {
  it('syncs on a PostgreSQL knowledge base too', async () => {
    const root = folder();
    const kb = await knowledgeBase(root, await freshDatabase());
    await kb.addConnector({ name: 'docs', kind: 'directory', library: 'guide@1', options: { path: root } });
    expect(await kb.syncConnector('docs')).toMatchObject({ created: 4, sync: { connector: 'docs', deleted: 0, complete: true } });
    rmSync(join(root, 'guide', 'b.md'));
    expect(await kb.syncConnector('docs')).toMatchObject({ created: 0, updated: 0, failed: 0, sync: { deleted: 1 } });
  });

  it('propagates additions, changes and deletions, and leaves unchanged files untouched', async () => {
    const root = folder();
    const kb = await knowledgeBase(root);
    await kb.addConnector({ name: 'docs', kind: 'directory', library: 'guide@1', options: { path: root } });

    const first = await kb.syncConnector('docs');
    expect(first).toMatchObject({ library: 'guide', version: '1', created: 4, sync: { connector: 'docs', deleted: 0, complete: true } });
    const before = liveVersions(kb);
    expect(before.size).toBe(4);

    writeFileSync(join(root, 'guide', 'a.md'), '# a\n\nChanged text about a.\n');
    writeFileSync(join(root, 'guide', 'd.md'), '# d\n\nA new page.\n');
    rmSync(join(root, 'guide', 'b.md'));
    // Touched: a new mtime, the same content.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'notes.txt'), later, later);

    const second = await kb.syncConnector('docs');
    expect(second).toMatchObject({ created: 1, updated: 1, unchanged: 1, failed: 0, sync: { deleted: 1 } });
    const after = liveVersions(kb);
    expect([...after.keys()].sort()).toEqual(
      [join(root, 'guide', 'a.md'), join(root, 'guide', 'c.md'), join(root, 'guide', 'd.md'), join(root, 'notes.txt')].sort(),
    );
    expect(after.get(join(root, 'guide', 'c.md'))).toBe(before.get(join(root, 'guide', 'c.md')));
    expect(after.get(join(root, 'notes.txt'))).toBe(before.get(join(root, 'notes.txt')));
    expect(after.get(join(root, 'guide', 'a.md'))).not.toBe(before.get(join(root, 'guide', 'a.md')));

    // Nothing changed: nothing read, nothing written.
    const third = await kb.syncConnector('docs');
    expect(third).toMatchObject({ created: 0, updated: 0, unchanged: 0, sync: { deleted: 0 } });
    expect(liveVersions(kb)).toEqual(after);
    const shown = await kb.showConnector('docs');
    expect(shown).toMatchObject({ documents: 4, cursor: null, secret: null });
    expect(shown.lastOutcome).toBe('synced: 0 created, 0 updated, 4 unchanged, 0 deleted, 0 failed');
  });

  it('follows include/exclude globs and .gitignore', async () => {
    const root = folder();
    writeFileSync(join(root, '.gitignore'), 'guide/c.md\n');
    const kb = await knowledgeBase(root);
    await kb.addConnector({
      name: 'docs',
      kind: 'directory',
      library: 'g',
      options: { path: root, include: ['guide/**'], exclude: ['**/a.md'] },
    });
    await kb.syncConnector('docs');
    expect([...liveVersions(kb).keys()]).toEqual([join(root, 'guide', 'b.md')]);
  });

  it('refuses bad options naming them, and a folder outside the allowed roots', async () => {
    const root = folder();
    const kb = await knowledgeBase(join(root, 'guide'));
    await expect(kb.addConnector({ name: 'x', kind: 'directory', library: 'g', options: { path: root } })).rejects.toThrow(
      /^Path .* is outside the allowed roots/,
    );
    await expect(kb.addConnector({ name: 'x', kind: 'directory', library: 'g', options: {} })).rejects.toThrow(
      'Invalid options.path: expected a folder path inside the allowed roots',
    );
    await expect(
      kb.addConnector({ name: 'x', kind: 'directory', library: 'g', options: { path: join(root, 'guide'), depth: 2 } }),
    ).rejects.toThrow('Invalid options.depth: expected one of the options a directory connector takes (path, include, exclude)');
    await expect(
      kb.addConnector({ name: 'x', kind: 'directory', library: 'g', options: { path: join(root, 'guide'), exclude: ['+(a|b)'] } }),
    ).rejects.toThrow(/^Invalid options\.exclude: expected a glob without extglobs/);
    await expect(kb.addConnector({ name: 'x y', kind: 'directory', library: 'g', options: { path: join(root, 'guide') } })).rejects.toThrow(
      /^Invalid name: /,
    );
    await expect(kb.addConnector({ name: 'x', kind: 'ftp', library: 'g' })).rejects.toThrow('Invalid kind: expected one of directory, git');
    await expect(
      kb.addConnector({ name: 'x', kind: 'directory', library: 'g', options: { path: join(root, 'guide') }, secret: 'token-1234567890' }),
    ).rejects.toThrow('Invalid secret: expected nothing: a directory connector takes no secret');
    await kb.addConnector({ name: 'x', kind: 'directory', library: 'g', options: { path: join(root, 'guide') } });
    await expect(kb.addConnector({ name: 'x', kind: 'directory', library: 'h', options: { path: join(root, 'guide') } })).rejects.toThrow(
      'Invalid name: expected a name no other connector has (x exists)',
    );
    expect((await kb.listConnectors()).map((c) => c.name)).toEqual(['x']);
    await expect(kb.syncConnector('nope')).rejects.toThrow('Connector not found: nope; listConnectors() lists them');
  });

  it('removes a connector, keeping its documents or deleting them', async () => {
    const root = folder();
    const kb = await knowledgeBase(root);
    await kb.addConnector({ name: 'keep', kind: 'directory', library: 'k', options: { path: join(root, 'guide') } });
    await kb.addConnector({ name: 'drop', kind: 'directory', library: 'd', options: { path: join(root, 'guide') } });
    await kb.syncConnector('keep');
    await kb.syncConnector('drop');
    expect(liveVersions(kb).size).toBe(3); // the same sources in two libraries share the map's keys
    expect(await kb.removeConnector('keep')).toEqual({ removed: 'keep', deletedDocuments: 0 });
    expect(await kb.removeConnector('drop', { deleteDocuments: true })).toEqual({ removed: 'drop', deletedDocuments: 3 });
    expect((await kb.listDocuments({ library: 'k' })).documents).toHaveLength(3);
    expect((await kb.listDocuments()).documents.filter((d) => d.library === 'd')).toHaveLength(0);
    expect(await kb.listConnectors()).toEqual([]);
  });

  it('leaves the library and the connector as they were when a sync is cancelled mid-way', async () => {
    const root = tempDir();
    writeDocs(join(root, 'docs'), 300);
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, allowedRoots: [root], batchChunks: 16 });
    open.push(kb);
    await kb.addConnector({ name: 'docs', kind: 'directory', library: 'd', options: { path: root } });
    const controller = new AbortController();
    let staged = 0;
    const cancelled = kb.syncConnector('docs', {
      signal: controller.signal,
      onProgress: (current) => {
        // The first batch is staged: cancel between batches.
        if (current > 0 && staged++ === 0) controller.abort();
      },
    });
    await expect(cancelled).rejects.toThrow('The operation was cancelled');
    expect(liveVersions(kb).size).toBe(0);
    expect(await kb.showConnector('docs')).toMatchObject({ documents: 0, lastOutcome: 'cancelled' });
    expect(await kb.syncConnector('docs')).toMatchObject({ created: 300, resumed: 0 });
  });
});
