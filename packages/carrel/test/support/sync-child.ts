/**
 * Child process for the sync crash test: syncs the git repository `<repo>` (added as connector
 * `repo` on first use) into a data dir, printing one `progress <current> <total>` line per staged
 * batch, then `done <json>`. With a job id the sync's writes are kept under it, so a second run
 * with the same id resumes a killed first one, as a task's re-run would.
 *
 *   node --conditions=carrel-source --import tsx sync-child.ts <dataDir> <repo> <batchChunks> [jobId]
 *
 * @module
 */
import { KnowledgeBase } from 'carrel';

const [dataDir, repo, batch, jobId] = process.argv.slice(2);
const kb = await KnowledgeBase.open({
  dataDir: dataDir!,
  embedder: { kind: 'offline' },
  allowedRoots: [repo!],
  batchChunks: Number(batch),
});
if ((await kb.listConnectors()).length === 0)
  await kb.addConnector({ name: 'repo', kind: 'git', library: 'repo', options: { repository: repo! } });
const result = await kb.syncConnector('repo', {
  onProgress: (current, total) => console.log(`progress ${current} ${total}`),
  ...(jobId && { task: { id: jobId } }),
});
const { created, updated, unchanged, failed, resumed, sync } = result;
console.log(`done ${JSON.stringify({ created, updated, unchanged, failed, resumed, cursor: sync?.cursor })}`);
await kb.close();
