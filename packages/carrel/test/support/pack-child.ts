/**
 * Child process for the pack crash test: installs a pack file into library `shared` of a data dir,
 * printing `progress <current> <total>` per staged batch, then `done <json>`. The install's writes
 * are kept under the job id, so a second run with the same id resumes a killed first one.
 *
 *   node --conditions=carrel-source --import tsx pack-child.ts <dataDir> <packPath> <batchChunks> <jobId>
 *
 * @module
 */
import { dirname } from 'node:path';
import { KnowledgeBase } from 'carrel';

const [dataDir, packPath, batch, jobId] = process.argv.slice(2);
const kb = await KnowledgeBase.open({
  dataDir: dataDir!,
  embedder: { kind: 'offline' },
  allowedRoots: [dirname(packPath!)],
  batchChunks: Number(batch),
});
const result = await kb.installPack(
  { path: packPath! },
  { library: 'shared' },
  { onProgress: (current, total) => console.log(`progress ${current} ${total}`), task: { id: jobId! } },
);
const { created, unchanged, resumed } = result;
console.log(`done ${JSON.stringify({ created, unchanged, resumed })}`);
await kb.close();
