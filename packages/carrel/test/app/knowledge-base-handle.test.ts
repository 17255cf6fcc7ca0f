/**
 * The knowledge base opened on first use: an opening that failed is not kept (the next call tries
 * again, as after a PostgreSQL server that was away), and a knowledge base whose `onOpen` failed is
 * closed rather than left open.
 */
import { expect, it } from 'vitest';
import { KnowledgeBaseHandle } from '../../src/app/knowledge-base-handle.js';
import type { KnowledgeBase } from '../../src/knowledge-base.js';
import { tempDir } from '../support/temp-dir.js';

it('tries again after a failed opening, and closes what that opening had opened', async () => {
  const opened: KnowledgeBase[] = [];
  const handle = new KnowledgeBaseHandle({ dataDir: tempDir(), embedder: { kind: 'none' } }, async (kb) => {
    opened.push(kb);
    if (opened.length === 1) throw new Error('first opening fails');
  });
  await expect(handle.get()).rejects.toThrow('first opening fails');
  expect(handle.ifOpen()).toBeUndefined();
  // The first knowledge base was closed: its store refuses reads.
  await expect(opened[0]!.listLibraries()).rejects.toThrow();
  const kb = await handle.get();
  expect(kb).toBe(opened[1]);
  expect(await kb.listLibraries()).toEqual([]);
  await handle.close();
});
