/** A publish that completes its run's task: both commit together, or neither when a cancel came first. */
import { describe, expect, it } from 'vitest';
import { TaskEngine, type TaskContext } from '@carrel/tasks';
import type { PublishOutcome } from '../../../src/store/repository.js';
import { liveSources, staged, type ContractStore, type RepositoryFixture } from './fixture.js';

/** An engine on the store's tasks whose one handler stages a document, waits for `proceed`, then publishes with its completion. */
async function publishingEngine(store: ContractStore) {
  const repo = await store.open();
  let proceed!: () => void;
  const released = new Promise<void>((resolve) => (proceed = resolve));
  let stagedIt!: () => void;
  const wasStaged = new Promise<void>((resolve) => (stagedIt = resolve));
  let published!: (outcome: PublishOutcome) => void;
  const outcome = new Promise<PublishOutcome>((resolve) => (published = resolve));
  const engine = new TaskEngine({
    store: await store.tasks(),
    concurrency: 1,
    handlers: {
      ingest: async (_: null, ctx: TaskContext) => {
        const { run, library } = await repo.openRun({ taskId: ctx.taskId, library: 'lib', version: '' });
        await repo.stageDocuments(run.id, null, [staged(library.id, { source: 'doc', chunks: ['staged text'] })]);
        stagedIt();
        await released;
        published(await repo.publishRun(run.id, { completeTask: ctx.completion({ documents: 1 }) }));
        return { documents: 0 };
      },
    },
  });
  await engine.start();
  const { task } = await engine.create({ handler: 'ingest', input: null, owner: 'alice' });
  await wasStaged;
  return { repo, engine, task, proceed, outcome };
}

export function publishWithTaskContract(f: RepositoryFixture): void {
  describe('publishing with the task', () => {
    it('commits the documents and the task completion together', async () => {
      const { repo, engine, task, proceed, outcome } = await publishingEngine(await f.store());
      try {
        proceed();
        expect(await outcome).toMatchObject({ published: true, documents: 1 });
        await expect.poll(async () => (await engine.get(task.id, 'alice')).status).toBe('completed');
        // The result is the completion's, not what the handler returned afterwards.
        expect((await engine.get(task.id, 'alice')).outcome).toEqual({ result: { documents: 1 } });
        expect(await liveSources(repo)).toEqual(['lib:doc']);
      } finally {
        await engine.stop();
      }
    });

    it('publishes nothing when the task was cancelled before the publish', async () => {
      const { repo, engine, task, proceed, outcome } = await publishingEngine(await f.store());
      try {
        await engine.cancel(task.id, 'alice');
        proceed();
        expect(await outcome).toEqual({ published: false, reason: 'cancelled' });
        expect(await liveSources(repo)).toEqual([]);
        expect(await repo.listLibraries()).toEqual([]);
        expect((await engine.get(task.id, 'alice')).status).toBe('cancelled');
      } finally {
        await engine.stop();
      }
    });
  });
}
