/**
 * Daily-use CLI fixes (issue 7): `carrel status` says search is keyword-only and how to configure
 * a model, while `carrel search` does not repeat it every time; `reindex` reports the chunks it
 * embedded, never "nothing to do"; Ctrl-C during `reindex` exits 130 with "cancelled" and leaves
 * the library as it was. Real CLI processes on real data dirs.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GUIDE, runCli, spawnCli, writeCorpus, type CliRun } from '../mcp/support/carrel-process.js';
import { tempDir } from '../support/temp-dir.js';

const output = (run: CliRun) => {
  if (run.code !== 0) throw new Error(`carrel exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('carrel CLI daily use', { timeout: 300_000 }, () => {
  it('says keyword-only search in status, with the fix, and not with every search', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    expect((await runCli(data, ['--embedder', 'none', 'add', docs, '--library', 'guide'])).code).toBe(0);
    const status = await runCli(data, ['--embedder', 'none', 'status']);
    expect(status.stdout).toMatch(
      /^Search: keyword only \(BM25\): no embedder is configured; choose a model with --embedder local\|openai .*then run carrel reindex <library>/m,
    );
    for (let i = 0; i < 2; i++) {
      const found = await runCli(data, ['--embedder', 'none', 'search', 'install']);
      expect(found.stdout).toMatch(/^1\. Guide/);
      expect(found.stdout).not.toMatch(/BM25 only|Note:/);
    }
  });

  it('reports the chunks a reindex embedded, not "nothing to do"', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    expect(output(await runCli(data, ['--json', '--embedder', 'none', 'add', docs, '--library', 'guide']))).toMatchObject({
      chunks: 2,
      chunksWithoutVectors: 2,
    });
    const reindexed = await runCli(data, ['reindex', 'guide']);
    expect(reindexed.code).toBe(0);
    expect(reindexed.stdout).toMatch(/^guide: 1 updated; 2 chunks$/m);
    expect(reindexed.stdout).not.toContain('nothing to do');
    expect(output(await runCli(data, ['--json', 'status']))).toMatchObject({
      libraries: [expect.objectContaining({ chunksWithoutVectors: 0 })],
    });
  });

  it('cancels a running reindex on Ctrl-C: exit 130, "cancelled", the library as it was', async () => {
    const data = tempDir();
    // Stored without vectors, so the reindex has every chunk to embed.
    const docs = writeCorpus(join(tempDir(), 'docs'), 20, 30);
    expect((await runCli(data, ['--embedder', 'none', 'add', docs, '--library', 'big'])).code).toBe(0);
    const before = output(await runCli(data, ['--json', 'status'])).libraries;

    // An embedding endpoint that answers until it has embedded more than one batch of chunks (256,
    // the default batchChunks; the reindex reports its progress after each batch), then holds every
    // request: the reindex is interrupted in the middle, after progress, whatever the machine's speed.
    let answered = 0;
    let heldOne: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (heldOne = resolve));
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (answered > 256) return heldOne();
        const input = (JSON.parse(raw) as { input: string[] }).input;
        answered += input.length;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: input.map((t, index) => ({ index, embedding: [1, t.length % 5, 2, 3, 4, 5, 6, 7] })) }));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const env = { CARREL_OPENAI_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, CARREL_OPENAI_API_KEY: 'test' };

    const reindex = spawnCli(data, ['--embedder', 'openai', 'reindex', 'big'], { env });
    const exit = once(reindex, 'exit');
    let stderr = '';
    reindex.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await held;
    reindex.kill('SIGINT');
    const [code] = (await exit) as [number];
    expect(code).toBe(130);
    expect(stderr).toMatch(/^carrel: Task \S+ was cancelled/m);
    expect(output(await runCli(data, ['--json', 'status'])).libraries).toEqual(before);
  });
});
