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
    for (let i = 0; i < 50; i++) writeFileSync(join(root, 'docs', `f${String(i).padStart(2, '0')}.md`), `# File ${i}\n\nplain text`);
    const kb = KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, allowedRoots: [root], batchChunks: 1 });
    try {
      // The folder is listed before the worker reads a file; the first progress report comes after
      // a few files: every file not read yet is swapped for a link to the secret right then.
      let swapped = false;
      const onProgress = () => {
        if (swapped) return;
        swapped = true;
        for (let i = 20; i < 50; i++) {
          const path = join(root, 'docs', `f${String(i).padStart(2, '0')}.md`);
          renameSync(path, `${path}.old`);
          symlinkSync(join(outside, 'secret.md'), path);
        }
      };
      const result = await kb.ingestDirectory(root, { library: 'l' }, { onProgress });
      expect(swapped).toBe(true);
      expect(result).toMatchObject({ created: 21, failed: 30 });
      const { results } = await kb.search({ query: 'private key material' });
      expect(results.filter((r) => /Secret|private/.test(r.heading + r.snippet))).toEqual([]);
      for (const failure of result.documents.filter((d) => d.status === 'failed'))
        expect(failure.error).toMatch(/outside the allowed roots/);
    } finally {
      await kb.close();
    }
  });
});
