/** Saved approximate indexes shared by processes: what one process's save does to another's load. */
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ApproximateIndex } from '../../src/store/approximate-index.js';
import { digestOf, IndexFolder } from '../../src/store/approximate-index-files.js';
import type { Partition } from '../../src/store/vector-memory.js';
import { clusteredVectors } from '../support/clustered-vectors.js';
import { tempDir } from '../support/temp-dir.js';

const DIMS = 16;
const settings = { scalar: 'f16', expansionAdd: 128, expansionSearch: 256 } as const;

function indexed(count: number, draw: number) {
  const vectors = clusteredVectors(count, DIMS, { draw });
  const partition: Partition = {
    ids: Float64Array.from({ length: count }, (_, i) => i + 1),
    vectors: Int8Array.from(vectors.flatMap((v) => [...v])),
    offset: 0,
    norms: new Float32Array(count),
  };
  const index = ApproximateIndex.create(DIMS, settings);
  index.add(partition.ids, partition.vectors);
  return { partition, index };
}

describe('IndexFolder', () => {
  it('a digest tells one changed byte of a vector from none', async () => {
    const { partition } = indexed(50, 1);
    const before = await digestOf(partition, DIMS);
    partition.vectors[20 * DIMS + 3]! ^= 1;
    const after = await digestOf(partition, DIMS);
    const differing = [...Array(50).keys()].filter(
      (row) => before.hashes[row * 2] !== after.hashes[row * 2] || before.hashes[row * 2 + 1] !== after.hashes[row * 2 + 1],
    );
    expect(differing).toEqual([20]);
  });

  it("a load that finds its index replaced by another process's save leaves that save in place", async () => {
    const dir = tempDir();
    const folder = new IndexFolder(dir);
    const first = indexed(300, 2);
    await folder.save(DIMS, 1, first.index, await digestOf(first.partition, DIMS));
    const digestPath = join(dir, `${DIMS}d-1.digest`);
    const [firstIndex] = readdirSync(dir).filter((n) => n.endsWith('.usearch'));
    const firstFiles = { digest: readFileSync(digestPath), index: readFileSync(join(dir, firstIndex!)) };
    const second = indexed(400, 3);
    await folder.save(DIMS, 1, second.index, await digestOf(second.partition, DIMS));
    const secondDigest = readFileSync(digestPath);
    // Back to the first save, as a reader finds it; the second save lands while usearch opens the first's index.
    writeFileSync(digestPath, firstFiles.digest);
    writeFileSync(join(dir, firstIndex!), firstFiles.index);
    vi.spyOn(ApproximateIndex, 'load').mockImplementationOnce(() => {
      writeFileSync(digestPath, secondDigest);
      unlinkSync(join(dir, firstIndex!));
      throw new Error('no such file');
    });
    expect(await new IndexFolder(dir).load(DIMS, 1, settings)).toBeNull();
    vi.restoreAllMocks();
    const loaded = await new IndexFolder(dir).load(DIMS, 1, settings);
    expect(loaded?.index.size).toBe(400);
    expect(loaded?.digest.ids).toEqual(second.partition.ids);
  });

  it('a digest naming a file outside the folder is refused, and that file left alone', async () => {
    const root = tempDir();
    const dir = join(root, 'indexes');
    mkdirSync(dir);
    writeFileSync(join(root, 'precious.usearch'), 'not the folder’s');
    const header = Buffer.from(JSON.stringify({ token: 'x/../../precious', count: 0 }));
    const digest = Buffer.alloc(Math.ceil((4 + header.length) / 8) * 8);
    digest.writeUInt32LE(header.length, 0);
    header.copy(digest, 4);
    writeFileSync(join(dir, `${DIMS}d-1.digest`), digest);
    expect(await new IndexFolder(dir).load(DIMS, 1, settings)).toBeNull();
    expect(readFileSync(join(root, 'precious.usearch'), 'utf8')).toBe('not the folder’s');
  });

  it('a load called off leaves what is saved in place', async () => {
    const dir = tempDir();
    const { partition, index } = indexed(300, 4);
    await new IndexFolder(dir).save(DIMS, 1, index, await digestOf(partition, DIMS));
    const saved = readdirSync(dir).sort();
    const calledOff = new AbortController();
    calledOff.abort();
    expect(await new IndexFolder(dir).load(DIMS, 1, settings, calledOff.signal)).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(saved);
    expect((await new IndexFolder(dir).load(DIMS, 1, settings))?.index.size).toBe(300);
  });
});
