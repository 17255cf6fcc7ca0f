/**
 * Child process for the scheduler test: opens a carrel runtime on `<dataDir>` (running no tasks),
 * waits for the line `tick` on stdin so that every child ticks at once, ticks its scheduler at
 * `<now>`, and prints `claimed <json>` with the syncs it started or joined.
 *
 *   node --conditions=carrel-source --import tsx schedule-child.ts <dataDir> <root> <now>
 *
 * @module
 */
import { createInterface } from 'node:readline';
import { openRuntime } from '../../src/app/runtime.js';
import { resolveSettings } from '../../src/app/settings.js';

const [dataDir, root, now] = process.argv.slice(2);
const runtime = await openRuntime(resolveSettings({ dataDir: dataDir!, embedder: 'offline', allow: [root!] }, {}), { concurrency: 0 });
await runtime.kb.get();
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) if (line === 'tick') break;
const syncs = await runtime.scheduler.tick(Number(now));
console.log(`claimed ${JSON.stringify(syncs)}`);
await runtime.close();
