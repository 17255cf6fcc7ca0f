/** The two retrievers: keyword ranking and filters, vector KNN with library and chunk filters, hydration. */
import { describe, expect, it } from 'vitest';
import { publishDocuments, staged, type RepositoryFixture, type TestDocument } from './fixture.js';

/** A deterministic int8 vector of 8 dimensions for chunk `i`. */
const vectorOf = (i: number): number[] => Array.from({ length: 8 }, (_, j) => ((i * 37 + j * 11) % 200) - 100);

function cosineDistance(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

export function searchContract(f: RepositoryFixture): void {
  describe('keyword search', () => {
    it('ranks chunks sharing more of the query words first, and says which hold every word', async () => {
      const repo = await (await f.store()).open();
      await publishDocuments(repo, 'lib', [
        { source: 'both', chunks: ['the queue worker retries failed jobs'] },
        { source: 'one', chunks: ['the queue is long'] },
        { source: 'none', chunks: ['nothing to see here'] },
      ]);
      const result = await repo.keywordSearch('queue retries', {}, 10);
      expect(result.searched).toBe(true);
      const details = await repo.chunkDetails(result.hits.map((h) => h.chunkId));
      expect(result.hits.map((h) => details.get(h.chunkId)!.source)).toEqual(['both', 'one']);
      // Lower is better; scores compare within one query.
      expect(result.hits[0]!.score).toBeLessThan(result.hits[1]!.score);
      expect([...result.allWords].map((id) => details.get(id)!.source)).toEqual(['both']);
    });

    it('says a chunk holds every word when they are split between heading and text, or inflected', async () => {
      const repo = await (await f.store()).open();
      await publishDocuments(repo, 'lib', [
        { source: 'split', chunks: [{ heading: 'Queues', text: 'the worker retried the job' }] },
        { source: 'half', chunks: [{ heading: 'Other', text: 'the worker retried the job' }] },
      ]);
      const result = await repo.keywordSearch('queue retries', {}, 10);
      const details = await repo.chunkDetails(result.hits.map((h) => h.chunkId));
      expect(result.hits.map((h) => details.get(h.chunkId)!.source).sort()).toEqual(['half', 'split']);
      expect([...result.allWords].map((id) => details.get(id)!.source)).toEqual(['split']);
    });

    it('ranks a heading match above the same word in the text', async () => {
      const repo = await (await f.store()).open();
      await publishDocuments(repo, 'lib', [
        { source: 'in-text', chunks: [{ heading: 'Other', text: 'about caching and more words here' }] },
        { source: 'in-heading', chunks: [{ heading: 'Caching', text: 'about it and more words here' }] },
      ]);
      const { hits } = await repo.keywordSearch('caching', {}, 10);
      const details = await repo.chunkDetails(hits.map((h) => h.chunkId));
      expect(hits.map((h) => details.get(h.chunkId)!.source)).toEqual(['in-heading', 'in-text']);
    });

    it('applies library, version, tag, source and kind filters before the cut', async () => {
      const repo = await (await f.store()).open();
      const many: TestDocument[] = Array.from({ length: 30 }, (_, i) => ({ source: `bulk/${i}`, chunks: [`shared word number ${i}`] }));
      await publishDocuments(repo, 'a', [...many, { source: 'rare/one', tags: ['rare', 'x'], chunks: ['shared word, but rare'] }], {
        version: '1',
      });
      await publishDocuments(repo, 'b', [{ source: 'other', tags: ['rare'], chunks: ['shared word elsewhere'] }]);
      const sources = async (filters: Parameters<typeof repo.keywordSearch>[1]) => {
        const { hits } = await repo.keywordSearch('shared word', filters, 5);
        const details = await repo.chunkDetails(hits.map((h) => h.chunkId));
        return hits.map((h) => `${details.get(h.chunkId)!.library}:${details.get(h.chunkId)!.source}`).sort();
      };
      expect(await sources({ tags: ['rare'] })).toEqual(['a:rare/one', 'b:other']);
      expect(await sources({ tags: ['rare', 'x'] })).toEqual(['a:rare/one']);
      expect(await sources({ library: 'b' })).toEqual(['b:other']);
      expect(await sources({ library: 'a', version: '2' })).toEqual([]);
      expect(await sources({ source: 'rare/' })).toEqual(['a:rare/one']);
      expect(await sources({ kind: 'url' })).toEqual([]);
      expect(await sources({})).toHaveLength(5);
    });

    it('skips staged, retired and replaced versions however well they rank, and fills the limit from live chunks', async () => {
      const repo = await (await f.store()).open();
      const { libraryId, documentIds } = await publishDocuments(repo, 'lib', [
        { source: 'retired', chunks: [{ heading: 'needle', text: 'needle needle needle' }] },
        { source: 'replaced', chunks: [{ heading: 'needle', text: 'needle needle needle' }] },
        ...[0, 1, 2].map((i) => ({ source: `live${i}`, chunks: [{ text: `one needle in ${'many other words '.repeat(i + 1)}` }] })),
      ]);
      await repo.retireDocument(documentIds[0]!);
      const replaced = (await repo.findLiveDocument(libraryId, 'replaced'))!;
      const { run } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.stageDocuments(run.id, null, [
        staged(libraryId, { source: 'replaced', chunks: [{ text: 'a weak needle now' }] }, replaced.liveVersion),
      ]);
      await repo.publishRun(run.id);
      const { run: staging } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.stageDocuments(staging.id, null, [
        staged(libraryId, { source: 'staged', chunks: [{ heading: 'needle', text: 'needle needle' }] }),
      ]);
      const { hits } = await repo.keywordSearch('needle', {}, 3);
      const details = await repo.chunkDetails(hits.map((h) => h.chunkId));
      // chunkDetails reads live chunks only: a hit of another version would have no source.
      expect(hits).toHaveLength(3);
      for (const hit of hits) expect(details.get(hit.chunkId)?.source).toMatch(/^(live\d|replaced)$/);
    });

    it('finds nothing for a query without words, and does not fail on FTS syntax in it', async () => {
      const repo = await (await f.store()).open();
      await publishDocuments(repo, 'lib', [{ source: 's', chunks: ['plain "quoted" AND text'] }]);
      expect(await repo.keywordSearch('!!! ---', {}, 10)).toEqual({ hits: [], allWords: new Set(), searched: false });
      expect((await repo.keywordSearch('"quoted" AND NEAR(', {}, 10)).hits).toHaveLength(1);
    });
  });

  describe('vector search', () => {
    it('returns the k nearest chunks of a library, nearest first, with the cosine distance', async () => {
      const repo = await (await f.store()).open();
      const docs = Array.from({ length: 40 }, (_, i) => ({ source: `d${i}`, chunks: [{ text: `chunk ${i}`, vector: vectorOf(i) }] }));
      const { libraryId } = await publishDocuments(repo, 'lib', docs, { dims: 8 });
      await publishDocuments(repo, 'other', [{ source: 'x', chunks: [{ text: 'x', vector: vectorOf(3) }] }], { dims: 8 });
      expect(await repo.hasVectors(8)).toBe(true);
      expect(await repo.hasVectors(9)).toBe(false);
      const query = Int8Array.from(vectorOf(3).map((x) => Math.max(-128, x - 5)));
      const hits = await repo.nearestChunks(8, libraryId, query, 5);
      const details = await repo.chunkDetails(hits.map((h) => h.chunkId));
      const expected = docs
        .map((d, i) => ({ source: d.source, distance: cosineDistance([...query], vectorOf(i)) }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, 5);
      expect(hits.map((h) => details.get(h.chunkId)!.source)).toEqual(expected.map((e) => e.source));
      hits.forEach((h, i) => expect(h.distance).toBeCloseTo(expected[i]!.distance, 4));
      expect(new Set(hits.map((h) => details.get(h.chunkId)!.library))).toEqual(new Set(['lib']));
    });

    it('returns k hits from the allowed chunks only, however far they rank overall', async () => {
      const repo = await (await f.store()).open();
      const docs = Array.from({ length: 60 }, (_, i) => ({
        source: `d${i}`,
        ...(i % 10 === 0 && { tags: ['rare'] }),
        chunks: [{ text: `chunk ${i}`, vector: vectorOf(i) }],
      }));
      const { libraryId } = await publishDocuments(repo, 'lib', docs, { dims: 8 });
      const [lib] = await repo.searchableLibraries({ library: 'lib' });
      expect(lib).toMatchObject({ id: libraryId, name: 'lib', embedder: 'test:embedder', dims: 8, pending: 0 });
      expect(await repo.allowedChunks([libraryId], { library: 'lib' })).toBeUndefined();
      const allowed = (await repo.allowedChunks([libraryId], { library: 'lib', tags: ['rare'] }))!.get(libraryId)!;
      expect(allowed).toHaveLength(6);
      const hits = await repo.nearestChunks(8, libraryId, Int8Array.from(vectorOf(7)), 4, allowed);
      expect(hits).toHaveLength(4);
      expect(hits.every((h) => allowed.includes(h.chunkId))).toBe(true);
      const distances = hits.map((h) => h.distance);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
    });

    it('sees what another repository on the same store published, replaced or deleted since its last search', async () => {
      const store = await f.store();
      const writer = await store.open();
      const reader = await store.open();
      const { libraryId } = await publishDocuments(
        writer,
        'lib',
        [0, 1].map((i) => ({ source: `d${i}`, chunks: [{ text: `c${i}`, vector: vectorOf(i) }] })),
        { dims: 8 },
      );
      const near5 = async () => {
        const hits = await reader.nearestChunks(8, libraryId, Int8Array.from(vectorOf(5)), 10);
        const details = await reader.chunkDetails(hits.map((h) => h.chunkId));
        return hits.map((h) => details.get(h.chunkId)?.source ?? 'not live');
      };
      // The reader has searched (and so holds whatever it keeps of the library) before each write.
      expect((await near5()).sort()).toEqual(['d0', 'd1']);
      const added = await publishDocuments(writer, 'lib', [{ source: 'd5', chunks: [{ text: 'c5', vector: vectorOf(5) }] }], { dims: 8 });
      expect(await near5()).toEqual(['d5', expect.any(String), expect.any(String)]);
      await writer.retireDocument(added.documentIds[0]!);
      expect((await near5()).sort()).toEqual(['d0', 'd1']);
      const live = (await writer.findLiveDocument(libraryId, 'd1'))!;
      const { run } = await writer.openRun({ taskId: null, library: 'lib', version: '' });
      await writer.setRunBinding(run.id, 'test:embedder', 8, false);
      await writer.stageDocuments(run.id, 8, [
        staged(libraryId, { source: 'd1', chunks: [{ text: 'c1 again', vector: vectorOf(5) }] }, live.liveVersion),
      ]);
      await writer.publishRun(run.id);
      const hits = await reader.nearestChunks(8, libraryId, Int8Array.from(vectorOf(5)), 1);
      expect((await reader.chunkDetails(hits.map((h) => h.chunkId))).get(hits[0]!.chunkId)).toMatchObject({
        source: 'd1',
        text: 'c1 again',
      });
      expect(hits[0]!.distance).toBeCloseTo(0, 5);
    });

    it('never returns chunks of staged or deleted versions', async () => {
      const repo = await (await f.store()).open();
      const { libraryId, documentIds } = await publishDocuments(
        repo,
        'lib',
        [0, 1, 2].map((i) => ({ source: `d${i}`, chunks: [{ text: `c${i}`, vector: vectorOf(i) }] })),
        { dims: 8 },
      );
      await repo.retireDocument(documentIds[0]!);
      const { run } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.setRunBinding(run.id, 'test:embedder', 8, false);
      await repo.stageDocuments(run.id, 8, [staged(libraryId, { source: 'new', chunks: [{ text: 'n', vector: vectorOf(0) }] })]);
      const hits = await repo.nearestChunks(8, libraryId, Int8Array.from(vectorOf(0)), 10);
      const details = await repo.chunkDetails(hits.map((h) => h.chunkId));
      expect(hits.map((h) => details.get(h.chunkId)?.source).sort()).toEqual(['d1', 'd2']);
    });
  });
}
