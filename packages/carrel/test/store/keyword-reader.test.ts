/**
 * The SQLite keyword reader thread (src/store/sqlite/keyword-reader.ts): which searches go to it,
 * and what a search sees when the thread cannot serve.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeywordReader } from '../../src/store/sqlite/keyword-reader.js';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';
import { spawnChild } from '../support/child.js';
import { tempDir } from '../support/temp-dir.js';
import { publishDocuments } from './contract/fixture.js';

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of closing.splice(0)) await c.close();
});

describe('KeywordReader', () => {
  it('sends keyword searches to the thread once the store has issued keywordThreadFrom chunk ids, with the same answer', async () => {
    const path = join(tempDir(), 'kb.db');
    const repo = SqliteRepository.open(path, { keywordThreadFrom: 3 });
    const inline = SqliteRepository.open(path, { keywordThreadFrom: Infinity });
    closing.push(repo, inline);
    const onThread = vi.spyOn(KeywordReader.prototype, 'search');
    await publishDocuments(repo, 'lib', [{ source: 'a', chunks: ['queue worker retries', 'the queue is long'] }]);
    expect((await repo.keywordSearch('queue retries', {}, 10)).hits).toHaveLength(2);
    expect(onThread).not.toHaveBeenCalled();

    await publishDocuments(repo, 'lib', [{ source: 'b', chunks: ['a queue retries nothing'] }]);
    const threaded = await repo.keywordSearch('queue retries', {}, 10);
    expect(onThread).toHaveBeenCalledTimes(1);
    expect(threaded.hits).toHaveLength(3);
    expect(threaded).toEqual(await inline.keywordSearch('queue retries', {}, 10));
    expect(onThread).toHaveBeenCalledTimes(1);
  });

  it('fails the searches of a thread that could not start with its error, and starts another for the next search', async () => {
    const path = join(tempDir(), 'kb.db');
    const reader = new KeywordReader(path);
    closing.push(reader);
    // No database there yet: the thread's read-only open fails.
    await expect(reader.search('queue', {}, 10)).rejects.toThrow(/unable to open database file/);

    const repo = SqliteRepository.open(path, { keywordThreadFrom: Infinity });
    closing.push(repo);
    await publishDocuments(repo, 'lib', [{ source: 'a', chunks: ['the queue is long'] }]);
    expect((await reader.search('queue', {}, 10)).hits).toHaveLength(1);
  });

  it('keeps a process awaiting a search alive until the thread answers', async () => {
    const path = join(tempDir(), 'kb.db');
    const repo = SqliteRepository.open(path, { keywordThreadFrom: Infinity });
    closing.push(repo);
    await publishDocuments(repo, 'lib', [{ source: 'a', chunks: ['the queue is long', 'a queue again'] }]);
    const child = spawnChild('keyword-search-child.ts', [path, 'queue']);
    // Unreferenced while awaited, the thread let the process end at once (exit code 13, a top-level await unsettled).
    expect(await child.exited).toBe(0);
    await child.waitFor(/^hits 2$/);
  });
});
