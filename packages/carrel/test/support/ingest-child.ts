/**
 * Child process for crash and multi-process tests: ingests a directory into a data dir and prints
 * one `progress <current> <total>` line per committed batch, then `done <json>`.
 *
 *   node --conditions=carrel-source --import tsx ingest-child.ts <dataDir> <dir> [batchChunks]
 *
 * @module
 */
import { KnowledgeBase } from 'carrel';

const [dataDir, dir, batch] = process.argv.slice(2);
const kb = KnowledgeBase.open({
  dataDir: dataDir!,
  embedder: { kind: 'offline' },
  allowedRoots: [dir!],
  batchChunks: Number(batch ?? 256),
});
const result = await kb.ingestDirectory(
  dir!,
  { library: 'shared' },
  { onProgress: (current, total) => console.log(`progress ${current} ${total}`) },
);
console.log(`done ${JSON.stringify({ created: result.created, unchanged: result.unchanged, failed: result.failed })}`);
await kb.close();
