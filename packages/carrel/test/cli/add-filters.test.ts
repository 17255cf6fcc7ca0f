/**
 * `carrel add <folder>` picking files: repeatable `--include`/`--exclude` globs relative to the
 * folder, the folder's .gitignore honoured, bad globs refused with exit 2 and nothing stored; and
 * non-content pages skipped with their count printed, or kept with `--keep-all-pages`. Real CLI
 * processes on real data dirs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../mcp/support/carrel-process.js';
import { tempDir } from '../support/temp-dir.js';

const output = (run: CliRun) => {
  if (run.code !== 0) throw new Error(`carrel exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

/** guide/a.md, guide/b.md, api/c.md, drafts/d.md, and a .gitignore that leaves out drafts/. */
function docsFolder(): string {
  const docs = tempDir();
  for (const dir of ['guide', 'api', 'drafts']) mkdirSync(join(docs, dir));
  for (const name of ['guide/a', 'guide/b', 'api/c', 'drafts/d'])
    writeFileSync(join(docs, `${name}.md`), `# ${name}\n\nText about ${name}.\n`);
  writeFileSync(join(docs, '.gitignore'), 'drafts/\n');
  return docs;
}

async function storedSources(data: string, docs: string): Promise<string[]> {
  const listed = output(await runCli(data, ['--json', 'docs', 'list'])).documents as { source: string }[];
  return listed.map((d) => relative(docs, d.source)).sort();
}

describe('carrel add: which files of a folder', { timeout: 120_000 }, () => {
  it('honours the folder .gitignore', async () => {
    const data = tempDir();
    const docs = docsFolder();
    expect(output(await runCli(data, ['--json', 'add', docs, '--library', 'f']))).toMatchObject({ created: 3 });
    expect(await storedSources(data, docs)).toEqual([join('api', 'c.md'), join('guide', 'a.md'), join('guide', 'b.md')]);
  });

  it('takes repeatable --include and --exclude globs relative to the folder', async () => {
    const data = tempDir();
    const docs = docsFolder();
    const added = await runCli(data, [
      '--json',
      'add',
      docs,
      '--library',
      'f',
      '--include',
      'guide/**',
      '--include',
      'api/*.md',
      '--exclude',
      '**/b.md',
    ]);
    expect(output(added)).toMatchObject({ created: 2 });
    expect(await storedSources(data, docs)).toEqual([join('api', 'c.md'), join('guide', 'a.md')]);
  });

  it('refuses a bad glob, or globs with a single file, with exit 2 and stores nothing', async () => {
    const data = tempDir();
    const docs = docsFolder();
    const empty = await runCli(data, ['add', docs, '--library', 'f', '--include', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^carrel: Invalid arguments: include\.0: .*>=1 characters/m);
    const extglob = await runCli(data, ['add', docs, '--library', 'f', '--exclude', '+(a|b)']);
    expect(extglob.code).toBe(2);
    expect(extglob.stderr).toMatch(/^carrel: Invalid exclude: expected a glob without extglobs such as \+\(a\|b\) \(got "\+\(a\|b\)"\)$/m);
    const file = await runCli(data, ['add', join(docs, 'guide', 'a.md'), '--library', 'f', '--include', '*.md']);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/^carrel: Invalid include: expected a folder path to pick files in$/m);
    expect(output(await runCli(data, ['--json', 'libraries']))).toEqual({ libraries: [] });
  });

  it('says how many pages it skipped and of which kind; --keep-all-pages stores them', async () => {
    const docs = tempDir();
    mkdirSync(join(docs, '_sources'));
    const body = (text: string) => `<html><head><title>T</title></head><body><div role="main">${text}</div></body></html>`;
    writeFileSync(join(docs, 'intro.html'), body('<h1>Intro</h1><p>How to install the package and what it needs first.</p>'));
    writeFileSync(join(docs, '_sources', 'intro.rst.txt'), 'Intro\n=====\n\nHow to install the package.\n');
    writeFileSync(join(docs, '404.html'), body('<h1>404</h1><p><strong>Page not found</strong></p>'));
    const skipping = await runCli(tempDir(), ['add', docs, '--library', 'site']);
    expect(skipping.stdout).toMatch(/^site: 1 created, 2 skipped \(1 404 page, 1 source of a built page\); 1 chunks/);
    const keeping = await runCli(tempDir(), ['--json', 'add', docs, '--library', 'site', '--keep-all-pages']);
    expect(output(keeping)).toMatchObject({ created: 3, skipped: 0 });
  });
});
