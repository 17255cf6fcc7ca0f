// Bundles the compiled `carrel` CLI (packages/carrel/dist/main.js and everything it imports,
// @carrel/tasks, the MCP SDK, zod and commander included) into one file,
// packages/carrel/dist/bundle/carrel.js, the code `bin/carrel.js` runs. Start-up time is the size
// of the module graph: one file reads and compiles faster than hundreds of modules through Node's
// ESM loader. Modules the program imports only when needed (each command, the HTTP stack, the
// knowledge base) stay lazy: esbuild evaluates them on first import. One file measured faster than
// code-split chunks, whose dynamic imports each wait for another file.
//
// Native and heavy dependencies stay external and load from node_modules as before. Modules that
// find files next to themselves through `import.meta.url` keep finding them: carrel's own (the
// package version, the ingest worker threads, the store's SQL) get the URL of their unbundled twin
// in dist/, and SQL migrations from @carrel/tasks are copied into the bundle folder, because where
// that package is installed relative to carrel is up to npm. Any other `import.meta.url` outside
// carrel fails the build rather than the program.
//
// Usage (from packages/carrel, after tsc and copy-sql): node ../../scripts/bundle.mjs
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';

const PACKAGE = resolve('.');
const DIST = join(PACKAGE, 'dist');
const OUT = join(DIST, 'bundle');

/** Loaded from node_modules at run time: native code, or large and only loaded when a tool needs it. */
const EXTERNAL = [
  'better-sqlite3',
  'sqlite-vec',
  '@huggingface/transformers',
  'onnxruntime-node',
  'unpdf',
  'linkedom',
  '@mozilla/readability',
  // pg itself is bundled: its CommonJS is evaluated only when a PostgreSQL store is opened, while an
  // external import would be hoisted to the bundle's top and load on every start (~80 ms), or fail
  // where the optional pg is not installed. These two load only on request (libpq bindings, Workers).
  'pg-native',
  'pg-cloudflare',
];

const MIGRATIONS = "new URL('./migrations/', import.meta.url)";

/** Rewrites `import.meta.url` in modules that locate files next to themselves. */
const locatedFiles = {
  name: 'located-files',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      if (args.path.startsWith(DIST + sep)) {
        // carrel's own module: its unbundled twin sits at the same place in dist/ as ever.
        const twin = relative(OUT, args.path).split(sep).join('/');
        return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(twin)}, import.meta.url).href`), loader: 'js' };
      }
      if (source.split('import.meta.url').length === 2 && source.includes(MIGRATIONS)) {
        // e.g. @carrel/tasks/dist/backends/sqlite/migrate.js → dist/bundle/sql/tasks-sqlite/
        const name = `tasks-${basename(dirname(args.path))}`;
        cpSync(join(dirname(args.path), 'migrations'), join(OUT, 'sql', name), { recursive: true });
        return { contents: source.replace(MIGRATIONS, `new URL('./sql/${name}/', import.meta.url)`), loader: 'js' };
      }
      throw new Error(`${args.path} uses import.meta.url in a way the bundle cannot keep: teach scripts/bundle.mjs about it`);
    });
  },
};

/**
 * zod's `locales` namespace re-exports its error messages in 60-odd languages; nothing in carrel or
 * the MCP SDK calls `z.locales.*` (zod sets English itself), and compiling them all cost start-up
 * time. In the bundle, `z.locales` has English only.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(args.resolveDir, '../locales/index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /^/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * better-sqlite3 is CommonJS and loads before anything else runs: through `require` it skips the
 * ESM loader's CommonJS translation (which parses the module's source for its export names).
 */
const requireSqlite = {
  name: 'require-better-sqlite3',
  setup(build) {
    build.onResolve({ filter: /^better-sqlite3$/ }, (args) =>
      args.namespace === 'required' ? { path: 'better-sqlite3', external: true } : { path: 'better-sqlite3', namespace: 'required' },
    );
    build.onLoad({ filter: /^/, namespace: 'required' }, () => ({ contents: "export default require('better-sqlite3');", loader: 'js' }));
  },
};

rmSync(OUT, { recursive: true, force: true });
const result = await esbuild.build({
  // The threads Carrel starts (ingest/spawn-worker.ts) each load one file too, not a hundred modules.
  entryPoints: {
    carrel: join(DIST, 'main.js'),
    'ingest-worker': join(DIST, 'ingest/worker.js'),
    'store-writer-thread': join(DIST, 'store/sqlite/store-writer-thread.js'),
    'keyword-reader-thread': join(DIST, 'store/sqlite/keyword-reader-thread.js'),
    'page-converter-thread': join(DIST, 'ingest/page-converter-thread.js'),
  },
  outdir: OUT,
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS dependencies (commander) call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __carrelRequire } from 'node:module'; const require = __carrelRequire(import.meta.url);" },
  // Less to parse at start-up; identifiers are kept, so stack traces still name functions.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [locatedFiles, englishOnlyZod, requireSqlite],
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`bundle: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB in ${relative(PACKAGE, OUT)}`);
