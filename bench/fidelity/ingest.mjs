/**
 * One set's timed ingest, in a process of its own shaped like a user's `carrel add`: the built
 * package (`npm run build` first), plain JavaScript, no TypeScript loader. So the peak RSS it reports,
 * the kernel's high-water mark for the whole process (`maxRSS`: every thread, native memory too,
 * nothing missed between samples), is Carrel's own and not the harness's. Run by run.ts:
 *
 *   node bench/fidelity/ingest.mjs <pages folder> <data dir> <library>
 *
 * Prints `{ seconds, peakRssMb, result }` as one JSON line.
 */
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KnowledgeBase } from 'carrel';

const [pages, dataDir, library] = process.argv.slice(2);
const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [dirname(pages)] });
const start = performance.now();
const result = await kb.ingestDirectory(pages, { library });
const seconds = (performance.now() - start) / 1000;
await kb.close();
process.stdout.write(`${JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, result })}\n`);
