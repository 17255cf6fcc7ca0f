/**
 * Copies every listed library of one knowledge-base repository into another through the
 * repository contract (one run per library, 50 documents per staging call), chunks, tags, links
 * and vectors as stored: so a retrieval comparison runs both stores over exactly the same chunks.
 *
 * @module
 */
import type { KnowledgeRepository, StagedDocument } from '../../packages/carrel/src/store/repository.js';

const BATCH = 50;

export async function copyStore(from: KnowledgeRepository, to: KnowledgeRepository): Promise<void> {
  for (const lib of await from.listLibraries()) {
    const { run, library } = await to.openRun({ taskId: null, library: lib.name, version: lib.version });
    if (lib.embedder !== null && lib.dims !== null) await to.setRunBinding(run.id, lib.embedder, lib.dims, false);
    for (let after = 0; ;) {
      const docs = await from.liveDocuments(lib.id, after, BATCH, false);
      if (docs.length === 0) break;
      const staged: StagedDocument[] = [];
      for (const d of docs) {
        const chunks = await from.versionChunks(d.id, d.liveVersion, 0, 100_000);
        const vectors =
          lib.dims === null
            ? new Map<number, Int8Array>()
            : await from.readVectors(
                lib.dims,
                chunks.map((c) => c.id),
              );
        staged.push({
          header: { ...d, libraryId: library.id },
          status: 'created',
          baseVersion: 0,
          links: await from.versionLinks(d.id, d.liveVersion),
          chunks: chunks.map((c) => ({ ...c, vector: vectors.get(c.id) ?? null })),
        });
      }
      await to.stageDocuments(run.id, lib.dims, staged);
      after = docs.at(-1)!.id;
    }
    const outcome = await to.publishRun(run.id);
    if (!outcome.published) throw new Error(`copying ${lib.name}: ${outcome.reason}`);
  }
}
