/**
 * Child process for crash and multi-process tests: ingests a directory into a data dir and prints
 * one `progress <current> <total>` line per staged batch, then `done <json>`. With a job id, the
 * ingest's writes are kept under it, so a second run with the same id resumes a killed first one.
 *
 *   node --conditions=carrel-source --import tsx ingest-child.ts <dataDir> <dir> [batchChunks] [jobId]
 *
 * @module
 */
import { KnowledgeBase } from 'carrel';

const [dataDir, dir, batch, jobId] = process.argv.slice(2);
const kb = await KnowledgeBase.open({
  dataDir: dataDir!,
  embedder: { kind: 'offline' },
  allowedRoots: [dir!],
  batchChunks: Number(batch ?? 256),
});
const result = await kb.ingestDirectory(
  dir!,
  { library: 'shared' },
  { onProgress: (current, total) => console.log(`progress ${current} ${total}`), ...(jobId && { task: { id: jobId } }) },
);
const { created, unchanged, failed, resumed } = result;
console.log(`done ${JSON.stringify({ created, unchanged, failed, resumed })}`);
await kb.close();
