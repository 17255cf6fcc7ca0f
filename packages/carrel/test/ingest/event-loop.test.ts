import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { writeDocs } from '../support/corpus.js';
import { tempDir } from '../support/temp-dir.js';

describe('ingest off the event loop', () => {
  it('keeps answering searches quickly while a large directory ingest runs in the same process', async () => {
    const root = tempDir();
    const docs = writeDocs(join(root, 'docs'), 3000, 1500);
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, allowedRoots: [root] });
    try {
      await kb.ingestContent({ library: 'seed', content: '# Seed\n\nalready searchable before the big ingest', source: 'seed' });
      let maxLag = 0;
      let last = performance.now();
      const monitor = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last - 10);
        last = now;
      }, 10);
      let running = true;
      const ingest = kb.ingestDirectory(docs, { library: 'big' }).finally(() => (running = false));
      const latencies: number[] = [];
      while (running) {
        const t = performance.now();
        const r = await kb.search({ query: 'searchable seed' });
        latencies.push(performance.now() - t);
        expect(r.results[0]!.library).toBe('seed');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      clearInterval(monitor);
      expect((await ingest).created).toBe(3000);
      latencies.sort((a, b) => a - b);
      const worst = latencies[latencies.length - 1]!;
      console.log(
        `searches during ingest: ${latencies.length}, p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, max ${worst.toFixed(1)} ms, max event-loop lag ${maxLag.toFixed(1)} ms`,
      );
      expect(latencies.length).toBeGreaterThan(10);
      expect(worst).toBeLessThan(500);
      expect(maxLag).toBeLessThan(500);
    } finally {
      await kb.close();
    }
  }, 120_000);
});
