import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbedderUnavailableError } from 'carrel';
import { createEmbedder } from '../../src/embedders/create-embedder.js';
import { LocalEmbedder } from '../../src/embedders/local-embedder.js';
import { LocalEmbedderPool } from '../../src/embedders/local-pool.js';
import { writeBertModel } from '../support/bert-model.js';
import { tempDir } from '../support/temp-dir.js';

// Lengths far apart and out of order, so batching by length reorders them and must put them back.
const TEXTS = [
  'install the package '.repeat(30),
  'search',
  'a query with filters '.repeat(8),
  'install',
  'package search install '.repeat(20),
];

/** A tiny full-precision model in a fresh cache: fp32 vectors do not depend on what a text is batched with. */
function tinyModel(): { cacheDir: string; model: string } {
  const cacheDir = tempDir();
  writeBertModel(join(cacheDir, 'test', 'tiny'), { words: ['install', 'package', 'search', 'query'], files: ['model.onnx'] });
  return { cacheDir, model: 'test/tiny' };
}

const norm = (v: Float32Array) => Math.hypot(...v);

describe('LocalEmbedder', () => {
  it('loads @huggingface/transformers and fails clearly when the model is neither cached nor downloadable', async () => {
    const cacheDir = tempDir();
    const embedder = new LocalEmbedder({ kind: 'local', cacheDir, allowDownload: false });
    expect(embedder.id).toBe('local:Xenova/all-MiniLM-L6-v2');
    const err = (await embedder.load().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(EmbedderUnavailableError);
    expect(err.message).toContain(`not in the cache ${cacheDir} and downloads are off`);
    expect(embedder.dims).toBeUndefined();
  }, 60_000);

  it('embeds offline from its cache, batching by length yet answering in input order', async () => {
    const embedder = new LocalEmbedder({ kind: 'local', ...tinyModel(), allowDownload: false, batchSize: 2 });
    await embedder.load();
    expect(embedder.dims).toBe(32);
    const together = await embedder.embed(TEXTS);
    for (const [i, text] of TEXTS.entries()) {
      const [alone] = await embedder.embed([text]);
      expect(norm(together[i]!)).toBeCloseTo(1, 5);
      expect(Array.from(together[i]!).map((x) => x.toFixed(4))).toEqual(Array.from(alone!).map((x) => x.toFixed(4)));
    }
  }, 60_000);
});

describe('LocalEmbedderPool', () => {
  it('spreads batches over its threads and answers exactly what one session does, in order', async () => {
    const config = { kind: 'local' as const, ...tinyModel(), allowDownload: false, batchSize: 1 };
    const single = new LocalEmbedder(config);
    const pool = new LocalEmbedderPool(config, 2);
    try {
      await pool.load();
      expect(pool.dims).toBe(32);
      const expected = await single.embed(TEXTS);
      const got = await pool.embed(TEXTS);
      expect(got.map((v) => Array.from(v).map((x) => x.toFixed(4)))).toEqual(expected.map((v) => Array.from(v).map((x) => x.toFixed(4))));
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('is what a local config with more than one worker builds', () => {
    expect(createEmbedder({ kind: 'local', workers: 2 })).toBeInstanceOf(LocalEmbedderPool);
    expect(createEmbedder({ kind: 'local' })).toBeInstanceOf(LocalEmbedder);
  });

  it('fails to load with the same clear error as one session', async () => {
    const cacheDir = tempDir();
    const pool = new LocalEmbedderPool({ kind: 'local', cacheDir, allowDownload: false }, 2);
    const err = (await pool.load().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(EmbedderUnavailableError);
    expect(err.message).toContain(`not in the cache ${cacheDir} and downloads are off`);
  }, 60_000);
});
