import { closeSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeBase, PathNotAllowedError } from 'carrel';
import { openAllowedFile, realRoots } from '../../src/sources/file-source.js';
import { tempDir } from '../support/temp-dir.js';

/** A root with one allowed file, and a secret outside it. */
function layout() {
  const root = tempDir();
  const outside = tempDir();
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'a.md'), '# Allowed\n\ninside the root');
  writeFileSync(join(outside, 'secret.md'), '# Secret\n\nprivate key material');
  return { root, outside };
}

describe('openAllowedFile', () => {
  it('opens a regular file inside a root and reads from the descriptor', async () => {
    const { root } = layout();
    const { fd, size } = openAllowedFile(join(root, 'docs', 'a.md'), await realRoots([root]));
    expect(readFileSync(fd, 'utf8')).toBe('# Allowed\n\ninside the root');
    expect(size).toBe(26);
    closeSync(fd);
  });

  it('refuses a file swapped for a link to a file outside the roots after it was listed', async () => {
    const { root, outside } = layout();
    const path = join(root, 'docs', 'a.md');
    renameSync(path, join(root, 'docs', 'a.md.old'));
    symlinkSync(join(outside, 'secret.md'), path);
    expect(() => openAllowedFile(path, [root])).toThrow(PathNotAllowedError);
  });

  it('refuses a file whose folder was swapped for a link to a folder outside the roots', async () => {
    const { root, outside } = layout();
    renameSync(join(root, 'docs'), join(root, 'docs.old'));
    symlinkSync(outside, join(root, 'docs'));
    writeFileSync(join(outside, 'a.md'), '# Secret too');
    expect(() => openAllowedFile(join(root, 'docs', 'a.md'), [root])).toThrow(PathNotAllowedError);
  });

  it('a folder whose files are swapped for links while it is ingested indexes none of what they point to', async () => {
    const { root, outside } = layout();
    const FILES = 1000;
    const name = (i: number) => join(root, 'docs', `f${String(i).padStart(4, '0')}.md`);
    for (let i = 0; i < FILES; i++) writeFileSync(name(i), `# File ${i}\n\nplain text`);
    // The folder is listed before the worker reads a file. The first embedding request (after the
    // first few files are read: the worker waits for its answer) swaps every file for a link to the
    // secret: those already read stay as they were read, all the others must be refused.
    let swapped = false;
    const swapAll = () => {
      swapped = true;
      for (let i = 0; i < FILES; i++) {
        renameSync(name(i), `${name(i)}.old`);
        symlinkSync(join(outside, 'secret.md'), name(i));
      }
    };
    const embedder = {
      name: 'swap-on-first-call',
      dims: 4,
      embed: async (texts: readonly string[]) => {
        if (!swapped) swapAll();
        return texts.map(() => [1, 0, 0, 0]);
      },
    };
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder, allowedRoots: [root], batchChunks: 1 });
    try {
      const result = await kb.ingestDirectory(root, { library: 'l' });
      expect(swapped).toBe(true);
      expect(result.created + result.failed).toBe(FILES + 1);
      expect(result.failed).toBeGreaterThan(0);
      const { results } = await kb.search({ query: 'private key material' });
      expect(results.filter((r) => /Secret|private/.test(r.heading + r.snippet))).toEqual([]);
      for (const failure of result.documents.filter((d) => d.status === 'failed'))
        expect(failure.error).toMatch(/outside the allowed roots/);
    } finally {
      await kb.close();
    }
  });
});
