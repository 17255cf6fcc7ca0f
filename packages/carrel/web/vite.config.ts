// Builds the dashboard page (see src/main.tsx) into dist/dashboard/, which `carrel serve` serves at
// /dashboard/: index.html plus hashed assets/, no inline script (the page runs under
// `Content-Security-Policy: default-src 'self'`). Run by the package's build script.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const OUT = fileURLToPath(new URL('../dist/dashboard/', import.meta.url));

/**
 * tsc compiles the dashboard's server modules (src/dashboard/) into the same folder, so the folder
 * is not emptied: only the last build's assets go, which would otherwise pile up in the package.
 */
const replaceAssets: Plugin = {
  name: 'replace-assets',
  apply: 'build',
  buildStart: () => rmSync(`${OUT}assets`, { recursive: true, force: true }),
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [replaceAssets],
  build: {
    outDir: OUT,
    emptyOutDir: false,
    // The polyfill is for browsers without module preloading; every browser the page targets has it.
    modulePreload: { polyfill: false },
    // Vite inlines small assets as data: URLs, which `default-src 'self'` refuses.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
