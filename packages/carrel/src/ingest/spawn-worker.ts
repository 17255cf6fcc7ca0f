/**
 * Starts a worker thread from a module next to this one, from compiled JavaScript or, in tests
 * and benchmarks, from the TypeScript sources: Node 20 ignores `--import` in a worker's execArgv,
 * so a tiny bootstrap registers tsx and then imports the module.
 *
 * Compiled, the ingest threads start from their bundles (scripts/bundle.mjs writes one file per
 * thread): loading the ingest worker's ~100 modules one by one took ~150 ms of every ingest's start.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Thread entries the build bundles, by name (relative to this folder), and their bundle's file in `dist/bundle/`. */
const BUNDLED: Readonly<Record<string, string>> = {
  worker: 'ingest-worker.js',
  '../store/sqlite/store-writer-thread': 'store-writer-thread.js',
  '../store/sqlite/keyword-reader-thread': 'keyword-reader-thread.js',
  'page-converter-thread': 'page-converter-thread.js',
};

/** Starts `<name>.js` (or `<name>.ts` from source), a path from this folder, or the module at `url`, with `workerData`. */
export function spawnWorker(name: string | URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const url = typeof name === 'string' ? new URL(`./${name}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url) : name;
  if (!FROM_SOURCE) {
    const bundle = typeof name === 'string' && BUNDLED[name] ? new URL(`../bundle/${BUNDLED[name]}`, import.meta.url) : undefined;
    return new Worker(bundle && existsSync(bundle) ? bundle : url, { workerData, resourceLimits });
  }
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits, execArgv: ['--conditions=carrel-source'] });
}
