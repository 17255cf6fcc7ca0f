import { describe, expect, it } from 'vitest';
import { EmbedderUnavailableError } from 'carrel';
import { LocalEmbedder } from '../../src/embedders/local-embedder.js';
import { tempDir } from '../support/temp-dir.js';

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
});
