import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkDirectory } from '../../src/sources/directory-source.js';
import { tempDir } from '../support/temp-dir.js';

function tree(files: Record<string, string>): string {
  const root = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function list(root: string, filter = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const p of walkDirectory(root, filter)) out.push(relative(root, p));
  return out;
}

describe('walkDirectory', () => {
  it('picks documentation files by default and skips node_modules and dot-folders', async () => {
    const root = tree({
      'a.md': '',
      'b.txt': '',
      'c.png': '',
      'docs/d.html': '',
      'docs/e.pdf': '',
      'node_modules/x/r.md': '',
      '.git/f.md': '',
    });
    expect(await list(root)).toEqual(['a.md', 'b.txt', 'docs/d.html', 'docs/e.pdf']);
  });

  it('honours .gitignore files at every level, relative to their folder', async () => {
    const root = tree({
      '.gitignore': 'build/\n*.draft.md\n',
      'keep.md': '',
      'note.draft.md': '',
      'build/out.md': '',
      'docs/.gitignore': 'private.md\n!important.draft.md\n',
      'docs/private.md': '',
      'docs/public.md': '',
      'docs/important.draft.md': '',
      'other/private.md': '',
    });
    expect(await list(root)).toEqual(['docs/important.draft.md', 'docs/public.md', 'keep.md', 'other/private.md']);
    expect(await list(root, { gitignore: false })).toContain('build/out.md');
  });

  it('applies include and exclude globs to paths relative to the root', async () => {
    const root = tree({ 'guide/a.md': '', 'guide/b.md': '', 'api/c.md': '', 'api/old/d.md': '' });
    expect(await list(root, { include: ['api/**/*.md'] })).toEqual(['api/c.md', 'api/old/d.md']);
    expect(await list(root, { exclude: ['**/old/**'] })).toEqual(['api/c.md', 'guide/a.md', 'guide/b.md']);
  });

  it("narrows the files it reads with include, and keeps its own excludes beside the caller's", async () => {
    const root = tree({ 'api/c.md': '', 'api/logo.png': '', 'api/node_modules/x.md': '', 'api/old/d.md': '' });
    expect(await list(root, { include: ['api/**'] })).toEqual(['api/c.md', 'api/old/d.md']);
    expect(await list(root, { include: ['api/**'], exclude: ['api/old/'] })).toEqual(['api/c.md']);
  });

  it('refuses globs that are empty, too long, hold NUL or come too many, naming the argument', async () => {
    const root = tree({ 'a.md': '' });
    await expect(list(root, { include: [''] })).rejects.toThrow(
      'Invalid include: expected globs of 1 to 1000 characters without NUL (got "")',
    );
    await expect(list(root, { exclude: ['a\0b'] })).rejects.toThrow(/^Invalid exclude: expected globs of 1 to 1000 characters without NUL/);
    await expect(list(root, { exclude: ['x'.repeat(1001)] })).rejects.toThrow(/^Invalid exclude: expected globs of 1 to 1000/);
    await expect(list(root, { include: Array.from({ length: 101 }, () => '*.md') })).rejects.toThrow(
      'Invalid include: expected a list of at most 100 globs',
    );
  });
});
