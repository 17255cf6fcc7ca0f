/**
 * `carrel pack` end to end through the real CLI: create a pack from a library (with its vectors),
 * install it into another data dir without embedding anything, list it, install it again (nothing
 * changes), remove it; a malformed pack exits 4 with a sentence naming the bad field.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePack } from '../support/packs.js';
import { tempDir } from '../support/temp-dir.js';
import { runCli } from '../mcp/support/carrel-process.js';

describe('carrel pack', { timeout: 180_000 }, () => {
  it('creates, installs, lists, re-installs and removes a pack', async () => {
    const docs = join(tempDir(), 'guide');
    mkdirSync(docs);
    for (const n of [1, 2, 3]) writeFileSync(join(docs, `page-${n}.md`), `# Page ${n}\n\nAbout topic ${n}.\n`);
    const source = tempDir();
    expect((await runCli(source, ['add', docs, '-l', 'guide@2.0'])).code).toBe(0);

    const out = join(tempDir(), 'guide.json.gz');
    const created = await runCli(source, ['pack', 'create', 'guide@2.0', '--out', out, '--with-vectors', '--license', 'MIT']);
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/^Wrote pack guide@2\.0 \(3 documents, with vectors\) to .*guide\.json\.gz; sha256 [0-9a-f]{64}\n$/);
    const sha256 = /sha256 ([0-9a-f]{64})/.exec(created.stderr)![1]!;

    const target = tempDir();
    const installed = await runCli(target, ['--allow', join(out, '..'), '--json', 'pack', 'install', out, '--sha256', sha256]);
    expect(installed.code).toBe(0);
    expect(JSON.parse(installed.stdout)).toMatchObject({
      library: 'guide',
      created: 3,
      precomputedVectors: 3,
      pack: { name: 'guide', version: '2.0', sha256 },
    });
    const listed = await runCli(target, ['pack', 'list']);
    expect(listed.stdout).toBe(`guide@2.0  in guide, 3 documents, sha256 ${sha256}\n`);
    const again = await runCli(target, ['--allow', join(out, '..'), 'pack', 'install', out]);
    expect(again.stdout).toBe('pack guide@2.0 in guide: 3 unchanged; 0 chunks\n');
    const removed = await runCli(target, ['pack', 'remove', 'guide', '-l', 'guide']);
    expect(removed.stdout).toBe('Removed pack guide from guide: 3 documents\n');
    expect((await runCli(target, ['pack', 'list'])).stdout).toBe('No packs installed: install one with carrel pack install <file|url>.\n');
  });

  it('refuses a malformed pack with exit code 4, naming the bad field', async () => {
    const dir = tempDir();
    const { path } = writePack(dir, 'bad.json', {
      format: 1,
      name: 'bad',
      version: '1',
      license: 'MIT',
      documents: [{ source: 's', title: 't' }],
    });
    const run = await runCli(tempDir(), ['--allow', dir, 'pack', 'install', path]);
    expect(run.code).toBe(4);
    expect(run.stderr.split('\n').at(-2)).toBe(
      `carrel: Cannot install the pack ${path}: documents.0.content: Invalid input: expected string, received undefined; nothing was installed`,
    );
  });
});
