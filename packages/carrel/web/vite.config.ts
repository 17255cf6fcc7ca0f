// Builds the dashboard page (see src/main.tsx) into dist/web/, which `carrel serve` serves at
// /dashboard/: index.html plus hashed assets/, no inline script (the page runs under
// `Content-Security-Policy: default-src 'self'`). Run by the package's build script. (dist/dashboard/
// holds tsc's output for the dashboard's server, src/dashboard/.)
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The polyfill is for browsers without module preloading; every browser the page targets has it.
    modulePreload: { polyfill: false },
    // Vite inlines small assets as data: URLs, which `default-src 'self'` refuses.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
