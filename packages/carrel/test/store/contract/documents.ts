/** Documents: written through runs, read back, replaced, deleted; publishes that fail leave the old state. */
import { describe, expect, it } from 'vitest';
import { IngestCancelledError, NotFoundError } from '../../../src/errors.js';
import { collectAll, liveSources, publishDocuments, staged, textOf, type RepositoryFixture, type TestDocument } from './fixture.js';

const guide: TestDocument = { source: 'docs/guide.md', title: 'Guide', tags: ['b', 'a'], chunks: ['# Guide', 'Install it.', 'Run it.'] };
const api: TestDocument = { source: 'ref/api.md', title: 'API', chunks: ['# API', 'Calls.'] };

export function documentsContract(f: RepositoryFixture): void {
  describe('documents', () => {
    it('stores documents with their chunks and tags and reads them back exactly', async () => {
      const repo = await (await f.store()).open();
      const { documentIds } = await publishDocuments(repo, 'lib', [guide, api], { version: '1' });
      const [guideId, apiId] = documentIds as [number, number];
      expect(await repo.getDocumentSummary(guideId)).toMatchObject({
        id: guideId,
        library: 'lib',
        version: '1',
        title: 'Guide',
        source: 'docs/guide.md',
        kind: 'raw',
        tags: ['a', 'b'],
        chunkCount: 3,
      });
      expect(await repo.documentText(guideId)).toBe(textOf(guide));
      expect(await repo.documentText(apiId)).toBe(textOf(api));
      const page = await repo.listDocuments({ library: 'lib' }, 1, 0);
      expect(page).toMatchObject({ hasMore: true, documents: [{ source: 'docs/guide.md' }] });
      expect(await repo.listDocuments({ library: 'lib', source: 'ref/' }, 10, 0)).toMatchObject({
        hasMore: false,
        documents: [{ source: 'ref/api.md' }],
      });
      expect((await repo.listDocuments({ title: 'gui' }, 10, 0)).documents.map((d) => d.id)).toEqual([guideId]);
      expect(await repo.listLibraries()).toMatchObject([{ name: 'lib', version: '1' }]);
      expect(await repo.libraryExists('lib', undefined)).toBe(true);
      expect(await repo.libraryExists('lib', '2')).toBe(false);
    });

    it('finds documents by text in their title, in any case beyond ASCII too, taking the text literally', async () => {
      const repo = await (await f.store()).open();
      const titled = (source: string, title: string): TestDocument => ({ source, title, chunks: [title] });
      await publishDocuments(repo, 'lib', [
        titled('de.md', 'Über die Installation'),
        titled('el.md', 'ΣΟΦΊΑ und ÉTÉ'),
        titled('pct.md', '100% _coverage_'),
        titled('plain.md', '100 percent coverage'),
        guide,
      ]);
      const sourcesTitled = async (title: string) => (await repo.listDocuments({ title }, 10, 0)).documents.map((d) => d.source);
      expect(await sourcesTitled('über')).toEqual(['de.md']);
      expect(await sourcesTitled('ÜBER DIE')).toEqual(['de.md']);
      expect(await sourcesTitled('σοφία')).toEqual(['el.md']);
      expect(await sourcesTitled('été')).toEqual(['el.md']);
      expect(await sourcesTitled('GUI')).toEqual(['docs/guide.md']);
      // LIKE's wildcards and its escape are plain characters here.
      expect(await sourcesTitled('0%')).toEqual(['pct.md']);
      expect(await sourcesTitled('_c')).toEqual(['pct.md']);
      expect(await sourcesTitled('\\')).toEqual([]);
      expect(await sourcesTitled('')).toHaveLength(5);
    });

    it('keeps the links of a version and gives those of the live one', async () => {
      const repo = await (await f.store()).open();
      const { run, library } = await repo.openRun({ taskId: null, library: 'web', version: '' });
      const links = [
        { text: 'Home', href: 'https://example.com/' },
        { text: 'API', href: 'https://example.com/api' },
      ];
      const [v] = await repo.stageDocuments(run.id, null, [{ ...staged(library.id, api), links }]);
      await repo.publishRun(run.id);
      expect(await repo.liveLinks(v!.documentId)).toEqual(links);
    });

    it('shows nothing a run staged until it publishes, then all of it at once', async () => {
      const repo = await (await f.store()).open();
      const { run, library } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.stageDocuments(run.id, null, [staged(library.id, guide)]);
      await repo.stageDocuments(run.id, null, [staged(library.id, api)]);
      // A library a run creates is not listed before the run publishes.
      expect(await repo.listLibraries()).toEqual([]);
      expect(await liveSources(repo)).toEqual([]);
      expect(await repo.publishRun(run.id)).toEqual({ published: true, documents: 2, skipped: 0, retired: 0 });
      expect(await liveSources(repo)).toEqual(['lib:docs/guide.md', 'lib:ref/api.md']);
    });

    it('replaces a document by publishing a new version, keeping its id', async () => {
      const repo = await (await f.store()).open();
      const { libraryId, documentIds } = await publishDocuments(repo, 'lib', [guide]);
      const live = await repo.findLiveDocument(libraryId, guide.source);
      expect(live?.id).toBe(documentIds[0]);
      const changed = { ...guide, chunks: ['# Guide', 'Install it differently.'] };
      const { run } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.stageDocuments(run.id, null, [staged(libraryId, changed, live!.liveVersion)]);
      await repo.publishRun(run.id);
      expect(await repo.documentText(documentIds[0]!)).toBe(textOf(changed));
      await collectAll(repo);
      expect(await repo.documentText(documentIds[0]!)).toBe(textOf(changed));
      expect(await repo.getDocumentSummary(documentIds[0]!)).toMatchObject({ chunkCount: 2 });
    });

    it('a discarded run publishes nothing and leaves the library as it was', async () => {
      const repo = await (await f.store()).open();
      const { libraryId } = await publishDocuments(repo, 'lib', [guide]);
      const { run } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      const live = await repo.findLiveDocument(libraryId, guide.source);
      await repo.stageDocuments(run.id, null, [
        staged(libraryId, { ...guide, chunks: ['replaced'] }, live!.liveVersion),
        staged(libraryId, api),
      ]);
      expect(await repo.discardRun(run.id)).toBe(true);
      expect(await repo.publishRun(run.id)).toEqual({ published: false, reason: 'cancelled' });
      await expect(repo.stageDocuments(run.id, null, [staged(libraryId, api)])).rejects.toThrow(IngestCancelledError);
      await collectAll(repo);
      expect(await liveSources(repo)).toEqual(['lib:docs/guide.md']);
      expect(await repo.documentText(live!.id)).toBe(textOf(guide));
    });

    it('a run binding another embedder publishes nothing (conflict) and leaves the library as it was', async () => {
      const repo = await (await f.store()).open();
      await publishDocuments(repo, 'lib', [{ source: 'a', chunks: [{ text: 'one', vector: [1, 2, 3] }] }], {
        dims: 3,
        embedder: 'model:a',
      });
      const { run, library } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.setRunBinding(run.id, 'model:b', 3, false);
      await repo.stageDocuments(run.id, 3, [staged(library.id, { source: 'b', chunks: [{ text: 'two', vector: [3, 2, 1] }] })]);
      expect(await repo.publishRun(run.id)).toEqual({ published: false, reason: 'conflict', bound: { embedder: 'model:a', dims: 3 } });
      expect(await liveSources(repo)).toEqual(['lib:a']);
      expect(await repo.listLibraries()).toMatchObject([{ embedder: 'model:a', dims: 3 }]);
    });

    it('stages a batch atomically: a document that cannot be stored leaves none of the batch', async () => {
      const repo = await (await f.store()).open();
      const { run, library } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      // A vector with no dimension bound cannot be stored.
      const bad = staged(library.id, { source: 'bad', chunks: [{ text: 'x', vector: [1] }] });
      await expect(repo.stageDocuments(run.id, null, [staged(library.id, guide), bad])).rejects.toThrow();
      expect(await repo.findStage(run.id, library.id, guide.source)).toBeUndefined();
      await repo.publishRun(run.id);
      expect(await liveSources(repo)).toEqual([]);
    });

    it('publishes a streamed version only once it is finished', async () => {
      const repo = await (await f.store()).open();
      const { run, library } = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      const { header } = staged(library.id, guide);
      const begun = await repo.beginStage(run.id, { header, status: 'created', baseVersion: 0 });
      const at = { ...begun, libraryId: library.id };
      const next = await repo.appendStage(run.id, at, null, 0, staged(library.id, { ...guide, chunks: guide.chunks.slice(0, 2) }).chunks);
      const unfinished = await repo.beginStage(run.id, {
        header: { ...header, source: 'never-finished' },
        status: 'created',
        baseVersion: 0,
      });
      await repo.appendStage(run.id, { ...unfinished, libraryId: library.id }, null, 0, staged(library.id, api).chunks);
      await repo.appendStage(run.id, at, null, next, [{ heading: '', text: 'Run it.', overlap: 0, lead: '\n\n', trail: '', vector: null }]);
      await repo.finishStage(run.id, begun.version);
      expect(await repo.publishRun(run.id)).toMatchObject({ published: true, documents: 1, skipped: 1 });
      expect(await liveSources(repo)).toEqual(['lib:docs/guide.md']);
      expect(await repo.documentText(begun.documentId)).toBe(textOf(guide));
    });

    it('resumes the staging run of a task instead of starting over', async () => {
      const repo = await (await f.store()).open();
      const first = await repo.openRun({ taskId: 'task-1', library: 'lib', version: '' });
      await repo.stageDocuments(first.run.id, null, [staged(first.library.id, guide)]);
      const again = await repo.openRun({ taskId: 'task-1', library: 'lib', version: '' });
      expect(again).toMatchObject({ resumed: true, run: { id: first.run.id } });
      expect(await repo.findStage(first.run.id, first.library.id, guide.source)).toMatchObject({
        status: 'created',
        complete: true,
        chunkCount: 3,
      });
      expect((await repo.stagingRunOfTask('task-1'))?.id).toBe(first.run.id);
      expect((await repo.stagingRuns()).map((r) => r.id)).toEqual([first.run.id]);
    });

    it('discards the runs without a task that went silent, and keeps the others', async () => {
      const repo = await (await f.store()).open();
      const lone = await repo.openRun({ taskId: null, library: 'lib', version: '' });
      await repo.stageDocuments(lone.run.id, null, [staged(lone.library.id, guide)]);
      const tasked = await repo.openRun({ taskId: 'task-1', library: 'lib', version: '' });
      const heartbeat = (await repo.getRun(lone.run.id))!.heartbeatAt;
      // Held by this live process and not silent before its last write: kept.
      expect(await repo.discardAbandonedRuns(heartbeat)).toBe(0);
      expect(await repo.discardAbandonedRuns(heartbeat + 1)).toBe(1);
      expect((await repo.stagingRuns()).map((r) => r.id)).toEqual([tasked.run.id]);
      expect(await repo.getRun(lone.run.id)).toMatchObject({ state: 'discarded' });
      expect(await repo.publishRun(lone.run.id)).toEqual({ published: false, reason: 'cancelled' });
    });

    it('deletes a document: gone from every read at once, its chunks collected later', async () => {
      const repo = await (await f.store()).open();
      const { documentIds } = await publishDocuments(repo, 'lib', [guide, api]);
      expect(await repo.retireDocument(documentIds[0]!)).toBe(true);
      expect(await repo.retireDocument(documentIds[0]!)).toBe(false);
      expect(await repo.getDocumentSummary(documentIds[0]!)).toBeUndefined();
      expect(await liveSources(repo)).toEqual(['lib:ref/api.md']);
      expect((await repo.keywordSearch('install', {}, 10)).hits).toEqual([]);
      expect(await repo.hasGarbage()).toBe(true);
      await collectAll(repo);
      expect(await repo.hasGarbage()).toBe(false);
      expect(await repo.libraryStatus()).toMatchObject([{ name: 'lib', documents: 1, chunks: 2 }]);
    });

    it('rates live documents and their live chunks only', async () => {
      const repo = await (await f.store()).open();
      const { documentIds } = await publishDocuments(repo, 'lib', [guide]);
      const [hit] = (await repo.keywordSearch('install', {}, 1)).hits;
      expect(await repo.addRating(documentIds[0]!, 5, { chunkId: hit!.chunkId, comment: 'clear' })).toEqual(expect.any(Number));
      await expect(repo.addRating(documentIds[0]! + 100, 5, {})).rejects.toThrow(NotFoundError);
      await expect(repo.addRating(documentIds[0]!, 5, { chunkId: hit!.chunkId + 100 })).rejects.toThrow(NotFoundError);
      expect((await repo.chunkDetails([hit!.chunkId])).get(hit!.chunkId)).toMatchObject({ ratingAvg: 5, ratingCount: 1 });
    });

    it('walks the live documents of a library in id order for a reindex, with the chunks and links of a version', async () => {
      const repo = await (await f.store()).open();
      const docs = [
        {
          source: 'v',
          chunks: [
            { text: 'one', vector: [1, 0] },
            { text: 'two', vector: [0, 1] },
          ],
        },
        { source: 'w', chunks: [{ text: 'three', vector: [1, 1] }, 'four without vector'] },
        { source: 'x', tags: ['t'], chunks: [{ text: 'five', vector: [1, 2] }] },
      ];
      const { libraryId, documentIds } = await publishDocuments(repo, 'lib', docs, { dims: 2 });
      const first = await repo.liveDocuments(libraryId, 0, 2, false);
      expect(first.map((d) => d.id)).toEqual(documentIds.slice(0, 2));
      expect(first[0]).toMatchObject({ libraryId, source: 'v', kind: 'raw', title: 'v', chunkCount: 2, pageKind: 'content', tags: [] });
      expect((await repo.liveDocuments(libraryId, first[1]!.id, 2, false)).map((d) => d.tags)).toEqual([['t']]);
      expect((await repo.liveDocuments(libraryId, 0, 10, true)).map((d) => d.source)).toEqual(['w']);

      const w = first[1]!;
      const chunks = await repo.versionChunks(w.id, w.liveVersion, 1, 10);
      expect(chunks).toMatchObject([{ ord: 1, text: 'four without vector', overlap: 0, lead: '\n\n', trail: '', embedded: false }]);
      expect((await repo.versionChunks(w.id, w.liveVersion, 0, 1)).map((c) => c.embedded)).toEqual([true]);
      expect(await repo.versionLinks(w.id, w.liveVersion)).toEqual([]);
    });

    it('counts what readers see per library for status', async () => {
      const repo = await (await f.store()).open();
      await publishDocuments(repo, 'a', [guide, api]);
      await publishDocuments(repo, 'b', [{ source: 'v', chunks: [{ text: 'one', vector: [1, 0] }, 'two'] }], { dims: 2 });
      expect(await repo.libraryStatus()).toEqual([
        { name: 'a', version: '', embedder: null, dims: null, chunking: null, documents: 2, chunks: 5, chunksWithoutVectors: 5 },
        { name: 'b', version: '', embedder: 'test:embedder', dims: 2, chunking: null, documents: 1, chunks: 2, chunksWithoutVectors: 1 },
      ]);
    });
  });
}
