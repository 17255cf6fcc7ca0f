/**
 * `carrel models` through the real CLI: listing the cache, verifying model folders (layout, a real
 * load, a probe), installing one and then indexing and searching with it offline, and the exit
 * codes of each refusal. The model is a tiny random BERT written by the test (support/bert-model.ts).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../mcp/support/carrel-process.js';
import { writeBertModel } from '../support/bert-model.js';
import { tempDir } from '../support/temp-dir.js';

const output = (run: CliRun) => {
  if (run.code !== 0) throw new Error(`carrel exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

describe('carrel models', { timeout: 300_000 }, () => {
  it('installs a complete model folder, lists it, and indexes and searches with it offline', async () => {
    const data = tempDir();
    // Only the full-precision file, as a hand-exported model often has: the local embedder must pick it.
    const folder = writeBertModel(join(tempDir(), 'tiny-bert'), { words: ['install', 'package', 'search'], files: ['model.onnx'] });

    expect(output(await runCli(data, ['--json', '--embedder', 'local', 'models']))).toEqual({
      configured: { embedder: 'local', model: 'Xenova/all-MiniLM-L6-v2', installed: false },
      cacheDir: join(data, 'models'),
      installed: [],
    });

    const installed = output(await runCli(data, ['--json', 'models', 'install', folder, '--name', 'test/tiny-bert']));
    expect(installed).toEqual({
      id: 'test/tiny-bert',
      path: join(data, 'models', 'test', 'tiny-bert'),
      onnx: ['onnx/model.onnx'],
      dims: 32,
      maxTokens: 128,
      use: '--embedder local --model test/tiny-bert',
    });
    const listed = output(await runCli(data, ['--json', '--embedder', 'local', '--model', 'test/tiny-bert', 'models']));
    expect(listed).toMatchObject({
      configured: { embedder: 'local', model: 'test/tiny-bert', installed: true },
      installed: [{ id: 'test/tiny-bert', missing: [] }],
    });
    expect(output(await runCli(data, ['--json', 'models', 'verify', 'test/tiny-bert']))).toMatchObject({ dims: 32 });

    const docs = tempDir();
    writeFileSync(
      join(docs, 'guide.md'),
      '# Guide\n\n## Install\n\nRun the install of the package.\n\n## Search\n\nSearch with a query.\n',
    );
    const local = ['--embedder', 'local', '--model', 'test/tiny-bert'];
    expect(output(await runCli(data, ['--json', ...local, 'add', docs, '-l', 'guide']))).toMatchObject({
      created: 1,
      chunksWithoutVectors: 0,
    });
    expect(output(await runCli(data, ['--json', 'libraries']))).toMatchObject({
      libraries: [{ name: 'guide', embedder: 'local:test/tiny-bert', dims: 32 }],
    });
    expect(output(await runCli(data, ['--json', ...local, 'search', 'install', 'package']))).toMatchObject({ mode: 'hybrid' });

    const again = await runCli(data, ['models', 'install', folder, '--name', 'test/tiny-bert']);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('A model test/tiny-bert is already installed');
  });

  it('embeds on two threads with CARREL_LOCAL_WORKERS=2, and the command still exits when done', async () => {
    const data = tempDir();
    const folder = writeBertModel(join(tempDir(), 'tiny-bert'), { words: ['install', 'package'] });
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), '# Guide\n\nRun the install of the package.\n');
    const pooled = await runCli(data, ['--json', '--embedder', 'local', '--model', folder, 'add', docs, '-l', 'pooled'], {
      env: { CARREL_LOCAL_WORKERS: '2' },
    });
    expect(output(pooled)).toMatchObject({ created: 1, chunksWithoutVectors: 0 });
  });

  it('refuses an incomplete folder, naming what is missing, and installs nothing', async () => {
    const data = tempDir();
    const folder = writeBertModel(join(tempDir(), 'half'), { files: [] });
    rmSync(join(folder, 'tokenizer.json'));
    for (const args of [
      ['models', 'verify', folder],
      ['models', 'install', folder],
    ]) {
      const run = await runCli(data, args);
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(
        `carrel: ${folder} is not a complete model folder: missing tokenizer.json, onnx/model_quantized.onnx or onnx/model.onnx (see "Models on a machine without network" in the README)\n`,
      );
    }
    expect(existsSync(join(data, 'models', 'half'))).toBe(false);
  });

  it('says so when the model does not load (exit 5), is not there (3) or the name is bad (2)', async () => {
    const data = tempDir();
    const folder = writeBertModel(join(tempDir(), 'corrupt'), { files: [] });
    mkdirSync(join(folder, 'onnx'), { recursive: true });
    writeFileSync(join(folder, 'onnx', 'model_quantized.onnx'), 'not a protobuf');
    const corrupt = await runCli(data, ['models', 'verify', folder]);
    expect(corrupt.code).toBe(5);
    expect(corrupt.stderr).toContain(`model ${folder}: the folder could not be loaded`);

    const missing = await runCli(data, ['models', 'verify', 'nobody/nothing']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`no model nobody/nothing installed in ${join(data, 'models')}`);

    const badName = await runCli(data, ['models', 'install', folder, '--name', '../escape']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('Invalid --name ../escape');
  });
});
