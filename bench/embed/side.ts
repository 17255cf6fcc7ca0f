/**
 * One side of the embedding benchmark in its own process (so its peak RSS is its own): loads the
 * model, embeds a warm-up batch, then times embedding every text. Prints one JSON line.
 *
 * Usage: node --conditions=carrel-source --import tsx bench/embed/side.ts <baseline|bucketed|pool> <model dir> <texts.json>
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { LocalEmbedder } from '../../packages/carrel/src/embedders/local-embedder.js';
import { LocalEmbedderPool } from '../../packages/carrel/src/embedders/local-pool.js';

const [side, model, textsFile] = process.argv.slice(2) as [string, string, string];
const texts = JSON.parse(readFileSync(textsFile, 'utf8')) as string[];

type Embed = (texts: readonly string[]) => Promise<Float32Array[]>;

/** The local embedder before this change: one session, batches of 32 in input order. */
async function baseline(): Promise<Embed> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const extractor = (await pipeline('feature-extraction', model, { dtype: 'q8' })) as unknown as (
    texts: string[],
    options: { pooling: 'mean'; normalize: boolean },
  ) => Promise<{ data: Float32Array; dims: number[] }>;
  return async (all) => {
    const out: Float32Array[] = [];
    for (let i = 0; i < all.length; i += 32) {
      const batch = all.slice(i, i + 32);
      const tensor = await extractor([...batch], { pooling: 'mean', normalize: true });
      const dims = tensor.dims.at(-1)!;
      for (let j = 0; j < batch.length; j++) out.push(tensor.data.slice(j * dims, (j + 1) * dims));
    }
    return out;
  };
}

async function embedder(): Promise<Embed> {
  if (side === 'baseline') return baseline();
  const config = { kind: 'local' as const, model, allowDownload: false };
  const e = side === 'pool' ? new LocalEmbedderPool(config, 2) : new LocalEmbedder(config);
  await e.load();
  return (t) => e.embed(t);
}

const embed = await embedder();
await embed(texts.slice(0, 32));
const started = performance.now();
const vectors = await embed(texts);
const ms = performance.now() - started;
if (vectors.length !== texts.length || vectors.some((v) => !v))
  throw new Error(`${side}: ${vectors.length} vectors for ${texts.length} texts`);
process.stdout.write(
  `${JSON.stringify({ side, texts: texts.length, ms, textsPerSec: texts.length / (ms / 1000), peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
process.exit(0);
