/**
 * Installing knowledge packs from files through the KnowledgeBase: the documents land once however
 * often the pack is installed, an upgrade replaces, removes and keeps, remove_pack takes back what
 * the pack brought, a pack's vectors are used only when made as this library would make them, and
 * a bad pack (wrong checksum, malformed, a gzip bomb) changes nothing.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidPackError, KnowledgeBase, NotFoundError } from 'carrel';
import { makePack, packDocuments, writePack } from '../support/packs.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function kbIn(dataDir: string, roots: string[], options: Parameters<typeof KnowledgeBase.open>[0] = {}): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: roots, ...options });
  open.push(kb);
  return kb;
}

/** Live documents by source, with their content hash and tags. */
function liveDocuments(dataDir: string): Record<string, { hash: string; updatedAt: number }> {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  try {
    const rows = db
      .prepare<[], { source: string; hash: string; updatedAt: number }>(
        'SELECT source, content_hash AS hash, updated_at AS updatedAt FROM documents WHERE live_version > 0 ORDER BY source',
      )
      .all();
    return Object.fromEntries(rows.map((r) => [r.source, { hash: r.hash, updatedAt: r.updatedAt }]));
  } finally {
    db.close();
  }
}

/** The stored vectors of a document's live chunks in `library`, in order. */
function storedVectors(dataDir: string, library: string, source: string): number[][] {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  sqliteVec.load(db);
  try {
    return db
      .prepare<[string, string], { embedding: Buffer }>(
        `SELECT v.embedding FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version
         JOIN libraries l ON l.id = d.library_id JOIN vec_chunks_64 v ON v.chunk_id = c.id WHERE l.name = ? AND d.source = ? ORDER BY c.ord`,
      )
      .all(library, source)
      .map((r) => [...new Int8Array(r.embedding.buffer, r.embedding.byteOffset, r.embedding.byteLength)]);
  } finally {
    db.close();
  }
}

describe('pack install', () => {
  it('installs a pack once however often it is installed, and records it', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const { path, sha256 } = writePack(dir, 'docs.json.gz', makePack('docs', '1.0.0', packDocuments(12)));
    const kb = await kbIn(dataDir, [dir]);
    const first = await kb.installPack({ path }, { library: 'docs', sha256 });
    expect(first).toMatchObject({ created: 12, unchanged: 0, removed: 0, pack: { name: 'docs', version: '1.0.0', sha256 } });
    const again = await kb.installPack({ path }, { library: 'docs' });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 12, removed: 0 });
    expect(Object.keys(liveDocuments(dataDir))).toHaveLength(12);
    expect(await kb.listPacks()).toEqual([
      { library: 'docs', libraryVersion: '', name: 'docs', version: '1.0.0', sha256, documents: 12, installedAt: expect.any(Number) },
    ]);
    const hits = await kb.search({ query: 'topic of document 7', library: 'docs' });
    expect(hits.results[0]).toMatchObject({ title: 'Document 7' });
    expect((await kb.listDocuments({ library: 'docs', limit: 1 })).documents[0]!.tags).toEqual(['generated']);
  });

  it('upgrades: replaces changed documents, removes dropped ones, leaves unchanged ones untouched', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const kb = await kbIn(dataDir, [dir]);
    const v1 = packDocuments(5);
    await kb.installPack({ path: writePack(dir, 'v1.json', makePack('docs', '1', v1)).path }, { library: 'docs' });
    const before = liveDocuments(dataDir);
    // v2: doc-0 changed, doc-4 dropped, doc-5 new, the rest as they were.
    const v2 = [{ ...v1[0]!, content: '# Document 0\n\nRewritten for version two.\n' }, ...v1.slice(1, 4), ...packDocuments(1, 5)];
    const upgraded = await kb.installPack({ path: writePack(dir, 'v2.json', makePack('docs', '2', v2)).path }, { library: 'docs' });
    expect(upgraded).toMatchObject({ created: 1, updated: 1, unchanged: 3, removed: 1 });
    const after = liveDocuments(dataDir);
    expect(Object.keys(after)).toEqual(
      ['https://docs.example.com/doc-0', 1, 2, 3, 5].map((n) => (typeof n === 'number' ? `https://docs.example.com/doc-${n}` : n)),
    );
    expect(after['https://docs.example.com/doc-0']!.hash).not.toBe(before['https://docs.example.com/doc-0']!.hash);
    for (const n of [1, 2, 3]) expect(after[`https://docs.example.com/doc-${n}`]).toEqual(before[`https://docs.example.com/doc-${n}`]);
    expect(await kb.listPacks({ library: 'docs' })).toMatchObject([{ name: 'docs', version: '2', documents: 5 }]);
  });

  it('removes a pack: its documents and its record, leaving other documents of the library', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const kb = await kbIn(dataDir, [dir]);
    await kb.ingestContent({ library: 'docs', content: '# Mine\n\nNot from a pack.\n', title: 'Mine' });
    await kb.installPack({ path: writePack(dir, 'p.json', makePack('docs', '1', packDocuments(3))).path }, { library: 'docs' });
    expect(await kb.removePack('docs', { library: 'docs' })).toEqual({ removed: 3 });
    expect(Object.keys(liveDocuments(dataDir))).toEqual(['raw:Mine']);
    expect(await kb.listPacks()).toEqual([]);
    await expect(kb.removePack('docs', { library: 'docs' })).rejects.toThrow(NotFoundError);
  });

  it("uses a pack's vectors when they were made as this library makes them, and embeds otherwise", async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const kb = await kbIn(dataDir, [dir]);
    // A library built here, packed with its vectors: its chunking and embedder are what this install uses.
    await kb.installPack({ path: writePack(dir, 'src.json', makePack('src', '1', packDocuments(3))).path }, { library: 'src' });
    const pack = await kb.createPack({ library: 'src' }, { name: 'docs', version: '1', license: 'MIT', withVectors: true });
    expect(pack.embedding).toEqual({ model: 'offline:hash-v2', dims: 64, chunking: expect.any(String) });
    // Vectors no embedder would make, so that their use shows.
    const marked = Buffer.alloc(64, 5).toString('base64');
    const withVectors = { ...pack, documents: pack.documents.map((d) => ({ ...d, vectors: d.vectors!.map(() => marked) })) };
    const used = await kb.installPack({ path: writePack(dir, 'vec.json', withVectors).path }, { library: 'fits' });
    expect(used).toMatchObject({ created: 3, precomputedVectors: 3, warnings: [] });
    expect(storedVectors(dataDir, 'fits', 'https://docs.example.com/doc-1')).toEqual([Array(64).fill(5)]);

    const otherModel = { ...withVectors, embedding: { ...withVectors.embedding!, model: 'some-other-model' } };
    const ignored = await kb.installPack({ path: writePack(dir, 'other.json', otherModel).path }, { library: 'other' });
    expect(ignored.precomputedVectors).toBeUndefined();
    expect(ignored.warnings[0]!.message).toMatch(
      /^The pack's vectors \(some-other-model, 64 dims, .*\) do not match this library's embedder \(offline:hash-v2, 64 dims/,
    );
    expect(storedVectors(dataDir, 'other', 'https://docs.example.com/doc-1')).toEqual(
      storedVectors(dataDir, 'src', 'https://docs.example.com/doc-1'),
    );
  });

  it('refuses a wrong checksum, a malformed pack and a gzip bomb, naming the problem, and changes nothing', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const kb = await kbIn(dataDir, [dir], { maxFileBytes: 1024 * 1024 });
    await kb.installPack({ path: writePack(dir, 'ok.json', makePack('docs', '1', packDocuments(2))).path }, { library: 'docs' });
    const before = liveDocuments(dataDir);
    const v2 = writePack(dir, 'v2.json', makePack('docs', '2', packDocuments(4)));
    await expect(kb.installPack({ path: v2.path }, { library: 'docs', sha256: '0'.repeat(64) })).rejects.toThrow(
      new RegExp(`^Cannot install the pack .*v2\\.json: its sha256 is ${v2.sha256}, not the expected 0{64}; nothing was installed$`),
    );
    const malformed = writePack(dir, 'bad.json', {
      ...makePack('docs', '3', packDocuments(2)),
      documents: [{ source: 's', title: '', content: 1 }],
    });
    await expect(kb.installPack({ path: malformed.path }, { library: 'docs' })).rejects.toThrow(
      /: documents\.0\.title: Too small: expected string to have >=1 characters; documents\.0\.content: Invalid input: expected string, received number; nothing was installed$/,
    );
    await expect(kb.installPack({ path: writePack(dir, 'text.json', 'not json {').path }, { library: 'docs' })).rejects.toThrow(
      /: it is not JSON \(/,
    );
    // 64 MB of zeros in ~64 KB: far past the 1 MB cap once inflated.
    const bomb = join(dir, 'bomb.json.gz');
    writePack(dir, 'bomb.json.gz', '');
    (await import('node:fs')).writeFileSync(bomb, gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)));
    const refused = await kb.installPack({ path: bomb }, { library: 'docs' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidPackError);
    expect((refused as Error).message).toMatch(/bomb\.json\.gz: it decompresses to more than 1048576 bytes; nothing was installed$/);
    expect(liveDocuments(dataDir)).toEqual(before);
    expect(await kb.listPacks()).toMatchObject([{ version: '1' }]);
  });

  it('builds a pack from a library that installs the same documents elsewhere', async () => {
    const dir = tempDir();
    const dataDir = tempDir();
    const kb = await kbIn(dataDir, [dir]);
    await kb.ingestContent({ library: 'mine', content: '# Title\n\nSome *text* here.\n\n## Part\n\nMore.\n', title: 'Mine', tags: ['t'] });
    const pack = await kb.createPack({ library: 'mine' }, { name: 'mine', version: '0.1.0', license: 'MIT', description: 'Mine' });
    expect(pack).toEqual({
      format: 1,
      name: 'mine',
      version: '0.1.0',
      description: 'Mine',
      license: 'MIT',
      documents: [{ source: 'raw:Mine', title: 'Mine', content: '# Title\n\nSome *text* here.\n\n## Part\n\nMore.\n', tags: ['t'] }],
    });
    const installed = await kb.installPack({ path: writePack(dir, 'mine.json', pack).path }, { library: 'copy' });
    expect(installed).toMatchObject({ created: 1 });
    expect((await kb.getDocument((await kb.listDocuments({ library: 'copy' })).documents[0]!.id)).content).toBe(pack.documents[0]!.content);
  });
});
