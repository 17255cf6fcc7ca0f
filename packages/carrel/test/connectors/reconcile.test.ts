/**
 * Reconciling the connectors with a declared list through a real knowledge base: new ones added,
 * those whose options, schedule or secret differ changed, equal ones left alone, others pruned
 * only when asked (their documents only with `deleteDocuments`); a list that would change a
 * connector's kind or library, or that names a connector twice, is refused naming the entry and
 * field, and nothing is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import type { ConnectorInput } from '../../src/connectors/configs.js';
import { GitRepo } from '../support/git-repo.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function setup(): Promise<{ kb: KnowledgeBase; root: string }> {
  const root = tempDir();
  for (const name of ['guide', 'api', 'old']) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'a.md'), `# ${name}\n\nAbout ${name}.\n`);
  }
  const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, allowedRoots: [root] });
  open.push(kb);
  return { kb, root };
}

describe('reconciling connectors with a declared list', { timeout: 60_000 }, () => {
  it('adds, changes, leaves and prunes', async () => {
    const { kb, root } = await setup();
    await kb.addConnector({ name: 'old', kind: 'directory', library: 'old', options: { path: join(root, 'old') } });
    await kb.syncConnector('old');
    const declared: ConnectorInput[] = [
      { name: 'guide', kind: 'directory', library: 'guide@2', options: { path: join(root, 'guide') }, schedule: '0 3 * * *' },
      { name: 'api', kind: 'directory', library: 'api', options: { path: join(root, 'api') } },
    ];
    expect(await kb.reconcileConnectors(declared)).toEqual([
      { connector: 'guide', action: 'added', changes: [] },
      { connector: 'api', action: 'added', changes: [] },
    ]);
    expect(await kb.showConnector('guide')).toMatchObject({ schedule: { cron: '0 3 * * *', timezone: null }, nextRun: expect.any(String) });
    await kb.syncConnector('api');
    expect((await kb.showConnector('api')).documents).toBe(1);

    // Equal options in another key order are the same options.
    const again: ConnectorInput[] = [
      { ...declared[0]!, schedule: '0 4 * * *', timezone: 'Europe/Paris' },
      { ...declared[1]!, options: { exclude: ['drafts/**'], path: join(root, 'api') } },
    ];
    expect(await kb.reconcileConnectors([again[0]!, declared[1]!])).toEqual([
      { connector: 'guide', action: 'changed', changes: ['schedule'] },
      { connector: 'api', action: 'unchanged', changes: [] },
    ]);
    expect(await kb.reconcileConnectors(again, { prune: true })).toEqual([
      { connector: 'guide', action: 'unchanged', changes: [] },
      { connector: 'api', action: 'changed', changes: ['options'] },
      { connector: 'old', action: 'pruned', changes: [], deletedDocuments: 0 },
    ]);
    expect(await kb.showConnector('api')).toMatchObject({ options: { path: join(root, 'api'), exclude: ['drafts/**'] }, documents: 1 });
    expect((await kb.listConnectors()).map((c) => c.name)).toEqual(['api', 'guide']);
    // The pruned connector's documents stay in their library.
    expect((await kb.status()).libraries.find((l) => l.name === 'old')?.documents).toBe(1);

    expect(await kb.reconcileConnectors([again[0]!], { prune: true, deleteDocuments: true })).toEqual([
      { connector: 'guide', action: 'unchanged', changes: [] },
      { connector: 'api', action: 'pruned', changes: [], deletedDocuments: 1 },
    ]);
  });

  it('clears the cursor of a connector whose options change', async () => {
    const root = tempDir();
    const repo = new GitRepo(root).write({ 'docs/a.md': '# A\n\nAlpha.\n', 'api/b.md': '# B\n\nBeta.\n' });
    const head = repo.commit('docs');
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, allowedRoots: [root] });
    open.push(kb);
    const entry: ConnectorInput = { name: 'repo', kind: 'git', library: 'repo', options: { repository: root, include: ['docs/**'] } };
    await kb.reconcileConnectors([entry]);
    await kb.syncConnector('repo');
    expect(await kb.showConnector('repo')).toMatchObject({ cursor: head, documents: 1 });

    expect(await kb.reconcileConnectors([{ ...entry, options: { repository: root } }])).toEqual([
      { connector: 'repo', action: 'changed', changes: ['options'] },
    ]);
    expect((await kb.showConnector('repo')).cursor).toBeNull();
    // The next sync lists the tree in full: the file the old globs left out comes in; the other, its marker equal, is not touched.
    expect(await kb.syncConnector('repo')).toMatchObject({ created: 1, updated: 0, sync: { deleted: 0 } });
    expect(await kb.showConnector('repo')).toMatchObject({ cursor: head, documents: 2 });
  });

  it('refuses a changed kind or library, a name given twice or a bad entry, and writes nothing', async () => {
    const { kb, root } = await setup();
    await kb.addConnector({ name: 'guide', kind: 'directory', library: 'guide', options: { path: join(root, 'guide') } });
    const before = await kb.listConnectors();
    const fresh: ConnectorInput = { name: 'api', kind: 'directory', library: 'api', options: { path: join(root, 'api') } };
    const cases: [ConnectorInput[], RegExp][] = [
      [
        [fresh, { name: 'guide', kind: 'web', library: 'guide', options: { url: 'https://example.com/' } }],
        /^Invalid connectors\[1\]\.kind: expected directory as connector guide has \(not web\)/,
      ],
      [
        [fresh, { name: 'guide', kind: 'directory', library: 'guide@2', options: { path: join(root, 'guide') } }],
        /^Invalid connectors\[1\]\.library: expected guide as connector guide has \(not guide@2\)/,
      ],
      [[fresh, fresh], /^Invalid connectors\[1\]\.name: expected a name no other entry has \(connectors\[0\] is api too\)/],
      [[fresh, { ...fresh, name: 'x', schedule: 'hourly' }], /^Invalid connectors\[1\]\.schedule: expected five cron fields/],
      [[fresh, { ...fresh, name: 'x', options: { path: join(root, 'api'), depth: 3 } }], /^Invalid connectors\[1\]\.options\.depth: /],
    ];
    for (const [declared, message] of cases) {
      await expect(kb.reconcileConnectors(declared, { prune: true }), String(message)).rejects.toThrow(message);
      expect(await kb.listConnectors()).toEqual(before);
    }
  });
});
