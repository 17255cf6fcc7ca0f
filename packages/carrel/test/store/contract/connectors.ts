/** Connectors, their schedules (one claim per slot across instances), sync plans, and syncs published with their run. */
import { describe, expect, it } from 'vitest';
import { IngestCancelledError } from '../../../src/errors.js';
import type { NewConnector } from '../../../src/store/repository.js';
import { liveSources, publishDocuments, staged, type RepositoryFixture } from './fixture.js';

const hourly = { cron: '0 * * * *', timezone: null };
const connector = (name: string, extra: Partial<NewConnector> = {}): NewConnector => ({
  name,
  kind: 'directory',
  library: 'docs',
  version: '',
  options: { path: `/srv/${name}` },
  schedule: null,
  nextRunAt: null,
  ...extra,
});

/** Stand-in sealed bytes for connector `id` (the stores keep them as they are; sealing is not theirs). */
const sealed = (id: number): Uint8Array => Uint8Array.from(`sealed:${id}`, (ch) => ch.charCodeAt(0));
/** Bytes as a plain array, to compare whatever Uint8Array subclass a store returns. */
const bytes = (value: Uint8Array | undefined): number[] | undefined => value && [...value];

export function connectorsContract(f: RepositoryFixture): void {
  describe('connectors', () => {
    it('adds connectors with unique names, sealing a secret only for one added, for its id', async () => {
      const repo = await (await f.store()).open();
      const seen: number[] = [];
      const sealSecret = (id: number) => (seen.push(id), sealed(id));
      const added = await repo.addConnector(connector('docs', { schedule: hourly, nextRunAt: 3_600_000, sealSecret }));
      expect(added).toMatchObject({ name: 'docs', options: { path: '/srv/docs' }, cursor: null, schedule: hourly, nextRunAt: 3_600_000 });
      expect(seen).toEqual([added!.id]);
      expect(await repo.addConnector(connector('docs', { sealSecret }))).toBeUndefined();
      expect(seen).toHaveLength(1);
      expect(bytes(await repo.connectorSecret(added!.id))).toEqual(bytes(sealed(added!.id)));
      await repo.addConnector(connector('api'));
      expect((await repo.listConnectors()).map((c) => c.name)).toEqual(['api', 'docs']);
      expect(await repo.findConnector('docs')).toEqual(added);
      expect(await repo.getConnector(added!.id)).toEqual(added);
      expect(await repo.getConnector(added!.id + 100)).toBeUndefined();
      expect(await repo.findConnector('nope')).toBeUndefined();
    });

    it('rolls the add back when sealing its secret throws', async () => {
      const repo = await (await f.store()).open();
      const sealSecret = () => {
        throw new Error('no key to seal with');
      };
      await expect(repo.addConnector(connector('docs', { sealSecret }))).rejects.toThrow('no key to seal with');
      expect(await repo.listConnectors()).toEqual([]);
    });

    it('keeps a sealed secret byte for byte, replaces it, and deletes it with its connector', async () => {
      const store = await f.store();
      const repo = await store.open();
      const c = (await repo.addConnector(connector('docs')))!;
      expect(await repo.connectorSecret(c.id)).toBeUndefined();
      // Every byte value, zeros included: the stores keep bytes, not text.
      const first = Uint8Array.from({ length: 256 }, (_, i) => i);
      expect(await repo.setConnectorSecret(c.id, first)).toBe(true);
      expect(bytes(await (await store.open()).connectorSecret(c.id))).toEqual(bytes(first));
      expect(await repo.setConnectorSecret(c.id, sealed(c.id))).toBe(true);
      expect(bytes(await repo.connectorSecret(c.id))).toEqual(bytes(sealed(c.id)));
      expect(await repo.setConnectorSecret(c.id + 100, first)).toBe(false);
      expect(await repo.connectorSecret(c.id + 100)).toBeUndefined();

      await repo.removeConnector(c, false);
      expect(await repo.connectorSecret(c.id)).toBeUndefined();
      const again = (await repo.addConnector(connector('docs')))!;
      expect(again.id).not.toBe(c.id);
      expect(await repo.connectorSecret(again.id)).toBeUndefined();
    });

    it('commits a sync with its run: documents, markers, cursor and deletions together', async () => {
      const repo = await (await f.store()).open();
      const c = (await repo.addConnector(connector('docs')))!;
      const { run, library } = await repo.openRun({ taskId: null, library: 'docs', version: '' });
      await repo.stageDocuments(run.id, null, [
        staged(library.id, { source: 'a.md', chunks: ['A'] }),
        staged(library.id, { source: 'b.md', chunks: ['B'] }),
      ]);
      const sync = {
        connectorId: c.id,
        cursor: 'rev-1',
        markers: [
          ['a.md', 'm1'],
          ['b.md', 'm1'],
        ] as [string, string][],
        deletions: [],
        outcome: 'synced 2',
      };
      await repo.publishRun(run.id, { sync });
      expect(await repo.findConnector('docs')).toMatchObject({ cursor: 'rev-1', lastOutcome: 'synced 2', lastSyncAt: expect.any(Number) });
      expect(await repo.connectorMarkers(c.id)).toEqual(
        new Map([
          ['a.md', 'm1'],
          ['b.md', 'm1'],
        ]),
      );
      expect(await repo.connectorItemCount(c.id)).toBe(2);

      // The next sync deletes b.md: the document goes with its marker. A document the connector did not bring stays.
      await publishDocuments(repo, 'docs', [{ source: 'mine.md', chunks: ['mine'] }]);
      const next = await repo.openRun({ taskId: null, library: 'docs', version: '' });
      await repo.publishRun(next.run.id, {
        sync: { ...sync, cursor: 'rev-2', markers: [], deletions: ['b.md', 'mine.md'], outcome: 'synced' },
      });
      expect(await liveSources(repo)).toEqual(['docs:a.md', 'docs:mine.md']);
      expect(await repo.connectorMarkers(c.id)).toEqual(new Map([['a.md', 'm1']]));
      expect(await repo.findConnector('docs')).toMatchObject({ cursor: 'rev-2' });

      await repo.recordSyncFailure(c.id, 'failed: boom');
      expect(await repo.findConnector('docs')).toMatchObject({ cursor: 'rev-2', lastOutcome: 'failed: boom' });
    });

    it('removes a connector, with its documents when asked', async () => {
      const repo = await (await f.store()).open();
      const c = (await repo.addConnector(connector('docs')))!;
      const { run, library } = await repo.openRun({ taskId: null, library: 'docs', version: '' });
      await repo.stageDocuments(run.id, null, [staged(library.id, { source: 'a.md', chunks: ['A'] })]);
      await repo.publishRun(run.id, { sync: { connectorId: c.id, cursor: null, markers: [['a.md', 'm']], deletions: [], outcome: 'ok' } });
      expect(await repo.removeConnector(c, true)).toBe(1);
      expect(await repo.listConnectors()).toEqual([]);
      expect(await liveSources(repo)).toEqual([]);
    });

    it('reconciles against the connectors it reads, writing every change or none', async () => {
      const repo = await (await f.store()).open();
      const keep = (await repo.addConnector(connector('keep', { sealSecret: sealed })))!;
      const drop = (await repo.addConnector(connector('drop', { sealSecret: sealed })))!;
      const { plan, results } = await repo.reconcileConnectors((stored, secrets) => ({
        plan: { names: stored.map((c) => c.name), secrets: [...secrets].map(([id, s]) => [id, bytes(s)]) },
        changes: [
          { kind: 'add', connector: connector('new', { sealSecret: sealed }) },
          {
            kind: 'update',
            connectorId: keep.id,
            options: { path: '/elsewhere' },
            schedule: { schedule: hourly, nextRunAt: 7_200_000 },
            sealedSecret: sealed(-keep.id),
          },
          { kind: 'remove', connector: drop, withDocuments: false },
        ],
      }));
      expect(plan.names).toEqual(['drop', 'keep']);
      expect(plan.secrets.sort(([a], [b]) => Number(a) - Number(b))).toEqual([
        [keep.id, bytes(sealed(keep.id))],
        [drop.id, bytes(sealed(drop.id))],
      ]);
      expect(results).toEqual([{ added: expect.objectContaining({ name: 'new' }) }, {}, { deletedDocuments: 0 }]);
      expect(await repo.findConnector('keep')).toMatchObject({ options: { path: '/elsewhere' }, schedule: hourly, nextRunAt: 7_200_000 });
      expect(bytes(await repo.connectorSecret(keep.id))).toEqual(bytes(sealed(-keep.id)));
      const added = (await repo.findConnector('new'))!;
      expect(bytes(await repo.connectorSecret(added.id))).toEqual(bytes(sealed(added.id)));
      expect(await repo.connectorSecret(drop.id)).toBeUndefined();
      expect((await repo.listConnectors()).map((c) => c.name)).toEqual(['keep', 'new']);

      const before = await repo.listConnectors();
      const sealSecret = () => {
        throw new Error('no key to seal with');
      };
      await expect(
        repo.reconcileConnectors(() => ({
          plan: null,
          changes: [
            { kind: 'remove', connector: added, withDocuments: false },
            { kind: 'add', connector: connector('another', { sealSecret }) },
          ],
        })),
      ).rejects.toThrow('no key to seal with');
      expect(await repo.listConnectors()).toEqual(before);
      expect(bytes(await repo.connectorSecret(added.id))).toEqual(bytes(sealed(added.id)));
    });
  });

  describe('schedules', () => {
    it('gives a due slot to exactly one of two repositories on the same store', async () => {
      const store = await f.store();
      const a = await store.open();
      const b = await store.open();
      const c = (await a.addConnector(connector('docs', { schedule: hourly, nextRunAt: 3_600_000 })))!;
      expect((await a.dueConnectors(3_599_999)).map((d) => d.name)).toEqual([]);
      expect((await b.dueConnectors(3_600_000)).map((d) => d.nextRunAt)).toEqual([3_600_000]);
      const claims = await Promise.all([a.claimScheduleSlot(c.id, 3_600_000, 7_200_000), b.claimScheduleSlot(c.id, 3_600_000, 7_200_000)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await a.claimScheduleSlot(c.id, 3_600_000, 7_200_000)).toBe(false);
      await b.recordSlotTask(c.id, 3_600_000, 'task-9');
      expect(await a.findConnector('docs')).toMatchObject({ nextRunAt: 7_200_000, lastSlotAt: 3_600_000, lastSlotTask: 'task-9' });
      expect(await a.dueConnectors(7_199_999)).toEqual([]);
      await b.setConnectorSchedule(c.id, null, null);
      expect(await a.findConnector('docs')).toMatchObject({ schedule: null, nextRunAt: null });
      expect(await a.dueConnectors(Number.MAX_SAFE_INTEGER)).toEqual([]);
    });
  });

  describe('sync plans', () => {
    it('keeps a plan with its run, settles items, and drops it when the run publishes', async () => {
      const repo = await (await f.store()).open();
      const c = (await repo.addConnector(connector('docs')))!;
      const { run } = await repo.openRun({ taskId: null, library: 'docs', version: '' });
      const header = { connectorId: c.id, cursor: 'rev-1', complete: true, unchanged: 4, reads: 2 };
      await repo.writeSyncPlan(run.id, { ...header, reads: 9 }, [{ source: 'old', version: '0', state: 'pending' }]);
      await repo.writeSyncPlan(run.id, header, [
        { source: 'a', version: '1', state: 'pending' },
        { source: 'b', version: '1', state: 'pending' },
        { source: 'gone', version: null, state: 'gone' },
      ]);
      expect(await repo.syncPlanHeader(run.id)).toEqual(header);
      await repo.settleSyncPlanItems(run.id, [{ ord: 1, state: 'failed' }]);
      expect(await repo.syncPlanItems(run.id, 0, 2)).toEqual([
        { ord: 0, source: 'a', version: '1', state: 'pending' },
        { ord: 1, source: 'b', version: '1', state: 'failed' },
      ]);
      // Any safe integer bounds the range: a reader asking for "everything" need not know the column's type.
      expect((await repo.syncPlanItems(run.id, 1, Number.MAX_SAFE_INTEGER)).map((item) => item.source)).toEqual(['b', 'gone']);
      await repo.publishRun(run.id);
      expect(await repo.syncPlanHeader(run.id)).toBeUndefined();
      expect(await repo.syncPlanItems(run.id, 0, 10)).toEqual([]);
    });

    it('refuses plan writes of a run no longer staging', async () => {
      const repo = await (await f.store()).open();
      const c = (await repo.addConnector(connector('docs')))!;
      const { run } = await repo.openRun({ taskId: null, library: 'docs', version: '' });
      await repo.discardRun(run.id);
      await expect(
        repo.writeSyncPlan(run.id, { connectorId: c.id, cursor: null, complete: true, unchanged: 0, reads: 0 }, []),
      ).rejects.toThrow(IngestCancelledError);
      await expect(repo.settleSyncPlanItems(run.id, [])).rejects.toThrow(IngestCancelledError);
    });
  });

  describe('packs', () => {
    it('records a pack with the publish of its run, and removes it with its documents', async () => {
      const repo = await (await f.store()).open();
      const { run, library } = await repo.openRun({ taskId: null, library: 'docs', version: '2' });
      await repo.setRunBinding(run.id, 'test:embedder', 2, false);
      await repo.stageDocuments(run.id, 2, [
        staged(library.id, { source: 'p/1', chunks: [{ text: 'one', vector: [1, -1] }] }),
        staged(library.id, { source: 'p/2', chunks: ['two'] }),
      ]);
      await repo.stagePack(run.id, { name: 'guide', version: '1.0.0', sha256: 'abc', sources: ['p/1', 'p/2'] });
      expect(await repo.listPacks()).toEqual([]);
      await repo.publishRun(run.id);
      expect(await repo.listPacks()).toEqual([
        {
          library: 'docs',
          libraryVersion: '2',
          name: 'guide',
          version: '1.0.0',
          sha256: 'abc',
          documents: 2,
          installedAt: expect.any(Number),
        },
      ]);
      expect(await repo.listPacks(library.id + 1)).toEqual([]);
      expect(await repo.packSources(library.id, 'guide')).toEqual(['p/1', 'p/2']);
      expect(await repo.packSources(library.id, 'other')).toEqual([]);
      const packable = await repo.packableDocuments(library.id);
      expect(packable.map((d) => d.source)).toEqual(['p/1', 'p/2']);
      const chunkIds = packable.flatMap((d) => d.chunkIds);
      // Only chunks that have a vector give one.
      expect(await repo.readVectors(2, chunkIds)).toEqual(new Map([[chunkIds[0], Int8Array.from([1, -1])]]));
      expect(await repo.removePack(library.id, 'guide')).toBe(2);
      expect(await repo.removePack(library.id, 'guide')).toBeUndefined();
      expect(await liveSources(repo)).toEqual([]);
    });
  });
}
