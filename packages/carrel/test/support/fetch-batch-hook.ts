/**
 * Preloaded (`--import`) into a `carrel` process by the sync workflow crash test: prints
 * `fetch-start <from>` and `fetch-done <from>` on stderr around every fetch batch of a connector
 * sync this process runs, so the test can count which batches each process ran.
 *
 * @module
 */
import { KnowledgeBase } from '../../src/knowledge-base.js';

const fetchSync = KnowledgeBase.prototype.fetchSync;
KnowledgeBase.prototype.fetchSync = async function (this: KnowledgeBase, ...args: Parameters<typeof fetchSync>) {
  process.stderr.write(`fetch-start ${args[1].from}\n`);
  const result = await fetchSync.apply(this, args);
  process.stderr.write(`fetch-done ${args[1].from}\n`);
  return result;
};
