import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { tempDir } from '../support/temp-dir.js';

// Fusion must hold up when one list is weak. A generated labelled corpus of 80 documents, each
// with a unique two-word title, a unique "concept" word, and a body of words shared across the
// corpus; the embedder is an OpenAI-compatible endpoint on 127.0.0.1 whose quality the test
// chooses:
// - noise: a pseudo-random vector per text (a deliberately useless model), so the vector list is
//   noise and hybrid may lose almost nothing against BM25;
// - concepts: a text's vector points at the concepts it names, by their word or by a synonym that
//   no document contains (a model that knows the synonyms), plus some noise. Queries that name a
//   document only by its synonym are found by the vector side alone; hybrid must then beat BM25.

const DOCS = 80;
const DIMS = 96;
const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'te', 'su', 'no', 'vi', 'den', 'tor', 'qua', 'plex'];
/** A distinct pseudo-word for (kind, i), e.g. the i-th title word. */
const word = (kind: number, i: number) => {
  let n = i * 7 + kind * 1000 + 1;
  let w = '';
  while (n > 0) {
    w += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return `${w}${['x', 'z', 'q', 'j'][kind]}`;
};
const title = (i: number) => `${word(0, i)} ${word(0, i + DOCS)}`;
const concept = (i: number) => word(1, i);
const synonym = (i: number) => word(2, i);
const common = (i: number) => word(3, i % 25);

function documentText(i: number): string {
  const body = Array.from({ length: 60 }, (_, j) => common(i * 13 + j * 7)).join(' ');
  return `# ${title(i)}\n\nThis page explains ${concept(i)}. ${body}.\n`;
}

/** A deterministic pseudo-random vector for `text` (FNV-1a seeded xorshift). */
function noise(text: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return Array.from({ length: DIMS }, () => {
    h ^= h << 13;
    h ^= h >>> 17;
    h ^= h << 5;
    return ((h >>> 0) / 2 ** 32) * 2 - 1;
  });
}

const conceptOf = new Map<string, number>();
for (let i = 0; i < DOCS; i++) conceptOf.set(concept(i), i).set(synonym(i), i);

type Model = 'noise' | 'concepts';
function embed(model: Model, text: string): number[] {
  const v = noise(text).map((x) => x * (model === 'noise' ? 1 : 0.15));
  if (model === 'concepts') for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) if (conceptOf.has(w)) v[conceptOf.get(w)!]! += 1;
  return v;
}

async function serve(model: Model): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const { input } = JSON.parse(raw) as { input: string[] };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: input.map((t, index) => ({ index, embedding: embed(model, t) })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

interface Store {
  hybrid: KnowledgeBase;
  bm25: KnowledgeBase;
  ids: Map<number, number>;
  server: Server;
}

async function build(model: Model): Promise<Store> {
  const { server, url } = await serve(model);
  const dataDir = tempDir();
  const hybrid = await KnowledgeBase.open({ dataDir, embedder: { kind: 'openai', baseUrl: url, model } });
  const ids = new Map<number, number>();
  for (let i = 0; i < DOCS; i++) {
    const r = await hybrid.ingestContent({ library: 'gen', content: documentText(i), source: `doc-${i}` });
    ids.set(r.documents[0]!.documentId!, i);
  }
  return { hybrid, bm25: await KnowledgeBase.open({ dataDir, embedder: { kind: 'none' } }), ids, server };
}

async function mrr(kb: KnowledgeBase, ids: Map<number, number>, queries: { q: string; doc: number }[]): Promise<number> {
  let sum = 0;
  for (const { q, doc } of queries) {
    const { results } = await kb.search({ query: q, limit: 10 });
    const at = results.findIndex((r) => ids.get(r.documentId) === doc);
    if (at >= 0) sum += 1 / (at + 1);
  }
  return sum / queries.length;
}

// Known-item queries by title (what BM25 answers) and, for the semantic case, by synonym plus a
// common word (what only a model that knows the synonym answers).
const byTitle = Array.from({ length: DOCS }, (_, i) => ({ q: title(i), doc: i }));
const bySynonym = Array.from({ length: DOCS }, (_, i) => ({ q: `${synonym(i)} ${common(i)}`, doc: i }));

describe('hybrid fusion on a labelled generated corpus', () => {
  const stores: Store[] = [];
  let noisy: Store;
  let good: Store;
  beforeAll(async () => {
    [noisy, good] = await Promise.all([build('noise'), build('concepts')]);
    stores.push(noisy, good);
  });
  afterAll(async () => {
    for (const s of stores) {
      await Promise.all([s.hybrid.close(), s.bm25.close()]);
      await new Promise((resolve) => s.server.close(resolve));
    }
  });

  it('with a noise embedder, hybrid keeps BM25’s ranking (MRR@10 within 0.02 of BM25 alone)', async () => {
    const bm25 = await mrr(noisy.bm25, noisy.ids, byTitle);
    const hybrid = await mrr(noisy.hybrid, noisy.ids, byTitle);
    console.log(`noise embedder, title queries: BM25 MRR@10 ${bm25.toFixed(3)}, hybrid ${hybrid.toFixed(3)}`);
    expect(bm25).toBeGreaterThan(0.9);
    expect(hybrid).toBeGreaterThanOrEqual(bm25 - 0.02);
  });

  it('with an embedder that knows the synonyms, hybrid finds what BM25 cannot and keeps what it can', async () => {
    const queries = [...byTitle, ...bySynonym];
    const bm25 = await mrr(good.bm25, good.ids, queries);
    const hybrid = await mrr(good.hybrid, good.ids, queries);
    const hybridTitles = await mrr(good.hybrid, good.ids, byTitle);
    const bm25Titles = await mrr(good.bm25, good.ids, byTitle);
    console.log(`concept embedder, title + synonym queries: BM25 MRR@10 ${bm25.toFixed(3)}, hybrid ${hybrid.toFixed(3)}`);
    expect(hybrid).toBeGreaterThanOrEqual(bm25 + 0.2);
    expect(hybridTitles).toBeGreaterThanOrEqual(bm25Titles - 0.02);
  });
});
