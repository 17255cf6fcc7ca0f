/**
 * A script that awaits one keyword search on the keyword reader thread and prints it, with
 * nothing else keeping the process alive: argv = SQLite file, query.
 */
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';

const [path, query] = process.argv.slice(2) as [string, string];
const repo = SqliteRepository.open(path, { keywordThreadFrom: 0 });
const { hits } = await repo.keywordSearch(query, {}, 10);
console.log(`hits ${hits.length}`);
await repo.close();
