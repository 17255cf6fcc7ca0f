import { describe, expect, it } from 'vitest';
import { IngestCancelledError } from '../../src/errors.js';
import type { JobSpec } from '../../src/ingest/jobs.js';
import { CANCEL_GRACE_MS, WorkerClient } from '../../src/ingest/worker-client.js';

const job = (source: string): JobSpec => ({
  kind: 'content',
  target: { library: 'l', version: '', tags: [] },
  source,
  sourceKind: 'raw',
  title: undefined,
  bytes: new Uint8Array(),
  keepAllPages: false,
  mediaType: 'markdown',
});

describe('WorkerClient', () => {
  it('stops a cancelled job stuck in its thread, discards its run, and runs the queued jobs in a fresh thread', async () => {
    const abandoned: number[] = [];
    const config = {
      store: { kind: 'sqlite' as const, path: '' },
      embedder: { kind: 'none' as const },
      settings: { chunker: {}, maxFileBytes: 1, streamThresholdBytes: 1, batchChunks: 1, converterThreadPages: 1 },
    };
    const client = new WorkerClient(config, (runId) => abandoned.push(runId), {
      entry: new URL('../support/stuck-worker.ts', import.meta.url),
    });
    const controller = new AbortController();
    const stuck = client.run(job('stuck'), { signal: controller.signal });
    const queued = client.run(job('next'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cancelledAt = Date.now();
    controller.abort();
    await expect(stuck).rejects.toThrow(IngestCancelledError);
    const tookMs = Date.now() - cancelledAt;
    expect(tookMs).toBeGreaterThanOrEqual(CANCEL_GRACE_MS - 50);
    expect(tookMs).toBeLessThan(CANCEL_GRACE_MS + 3_000);
    expect(abandoned).toEqual([100]);
    expect(await queued).toMatchObject({ created: 1 });
    await client.close();
  }, 30_000);
});
