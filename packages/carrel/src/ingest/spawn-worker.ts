/**
 * Starts a worker thread from a module next to this one, from compiled JavaScript or, in tests
 * and benchmarks, from the TypeScript sources: Node 20 ignores `--import` in a worker's execArgv,
 * so a tiny bootstrap registers tsx and then imports the module.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Starts `<name>.js` (or `<name>.ts` from source) in this folder, or the module at `url`, with `workerData`. */
export function spawnWorker(name: string | URL, workerData: unknown): Worker {
  const url = typeof name === 'string' ? new URL(`./${name}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url) : name;
  if (!FROM_SOURCE) return new Worker(url, { workerData });
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: ['--conditions=carrel-source'] });
}
