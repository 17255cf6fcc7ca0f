import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { createEmbedder } from '../../src/embedders/create-embedder.js';
import type { IngestJob, IngestResult, SyncStepBase } from '../../src/ingest/jobs.js';
import { IngestPipeline, type JobControl, type PipelineSettings } from '../../src/ingest/pipeline.js';
import { DEFAULT_FETCH_LIMITS } from '../../src/sources/url-source.js';
import type { KnowledgeRepository } from '../../src/store/repository.js';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';
import { tempDir } from '../support/temp-dir.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const settings: PipelineSettings = {
  chunker: {},
  maxFileBytes: 1 << 20,
  streamThresholdBytes: 1 << 20,
  batchChunks: 16,
  converterThreadPages: 100,
};
const control = (): JobControl => ({
  cancelled: () => false,
  progress: () => undefined,
  signal: new AbortController().signal,
  opened: () => undefined,
  staged: async () => null,
});

/** `store` with the name of every method called on it recorded, in order. */
function recording(store: KnowledgeRepository): { store: KnowledgeRepository; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe('the ingest worker on the repository contract', () => {
  it('adds a folder, reindexes it and syncs it through nothing but the KnowledgeRepository it is given', async () => {
    const dir = tempDir();
    const docs = realpathSync(dir);
    mkdirSync(join(docs, 'guide'));
    const paths = ['alpha', 'beta', 'gamma'].map((name) => {
      const path = join(docs, 'guide', `${name}.md`);
      writeFileSync(path, `# ${name}\n\nThe ${name} page explains ${name}wort configuration.\n`);
      return path;
    });
    // The pipeline never sees this file, only the repository: it cannot have read or written it any other way.
    const { store, calls } = recording(SqliteRepository.open(join(dir, 'kb.sqlite')));
    const pipeline = new IngestPipeline(store, createEmbedder({ kind: 'offline' }), settings);
    const target = { library: 'docs', version: '', tags: [] };
    try {
      const added = await pipeline.run(
        { kind: 'files', target, paths, roots: [docs], failFast: false, keepAllPages: false, taskId: null },
        control(),
      );
      expect(added).toMatchObject({ created: 3, failed: 0 });
      expect(calls).toEqual(
        expect.arrayContaining(['openRun', 'setRunBinding', 'findLiveDocument', 'findStage', 'stageDocuments', 'publishRun']),
      );

      calls.length = 0;
      const reindexed = await pipeline.run({ kind: 'reindex', library: 'docs', version: '', taskId: null }, control());
      expect(reindexed.warnings).toEqual([]);
      expect(calls).toEqual(expect.arrayContaining(['libraryExists', 'openRun', 'libraryStatus', 'liveDocuments', 'publishRun']));

      // A sync of the folder after one file changed: discovery, one fetch batch, apply.
      writeFileSync(paths[0]!, '# alpha\n\nThe alpha page now explains alphawort tuning.\n');
      const connector = (await store.addConnector({
        name: 'guide',
        kind: 'directory',
        library: 'docs',
        version: '',
        options: { path: docs },
        schedule: null,
        nextRunAt: null,
      }))!;
      const step: SyncStepBase = {
        target,
        connector: { id: connector.id, name: connector.name, kind: connector.kind, options: connector.options },
        env: { roots: [docs], cacheDir: join(dir, 'cache'), secret: undefined, maxItemBytes: 1 << 20, fetchLimits: DEFAULT_FETCH_LIMITS },
        runId: null,
      };
      calls.length = 0;
      const discovered = await pipeline.run({ ...step, kind: 'sync-discover', taskId: null } as IngestJob, control());
      const runId = discovered.plan!.runId;
      const fetched = await pipeline.run(
        { ...step, runId, kind: 'sync-fetch', from: 0, to: discovered.plan!.reads, taskId: null },
        control(),
      );
      const merged: IngestResult = {
        ...fetched,
        created: discovered.created + fetched.created,
        updated: discovered.updated + fetched.updated,
      };
      await pipeline.run({ ...step, runId, kind: 'sync-apply', result: merged, taskId: null }, control());
      expect(calls).toEqual(
        expect.arrayContaining([
          'getConnector',
          'connectorMarkers',
          'writeSyncPlan',
          'syncPlanHeader',
          'syncPlanItems',
          'settleSyncPlanItems',
          'publishRun',
        ]),
      );

      const hits = await store.keywordSearch('alphawort tuning', {}, 5);
      expect(hits.hits.length).toBeGreaterThan(0);
      expect(await store.findConnector('guide')).toMatchObject({ cursor: null });
    } finally {
      await store.close();
    }
  });

  it('fails lint when code under src/ingest/ reaches SQLite itself, statically or by a dynamic import', async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const code = [
      "import Database from 'better-sqlite3';",
      "import { openRun } from '../store/sqlite/runs.js';",
      "const { openDatabase } = await import('../store/sqlite/database.js');",
      'export const touched = [Database, openRun, openDatabase];',
      '',
    ].join('\n');
    const ruleIds = async (filePath: string) =>
      (await eslint.lintText(code, { filePath: join(REPO_ROOT, filePath) }))[0]!.messages.map((m) => m.ruleId);
    expect(await ruleIds('packages/carrel/src/ingest/probe.ts')).toEqual([
      'no-restricted-imports',
      'no-restricted-imports',
      'no-restricted-syntax',
    ]);
    // The SQLite implementation itself is where such imports belong.
    expect(await ruleIds('packages/carrel/src/store/sqlite/probe.ts')).toEqual([]);
  });
});
