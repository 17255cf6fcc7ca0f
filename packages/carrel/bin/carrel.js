#!/usr/bin/env node
// The installed `carrel` command. It exists before the first build, so npm can link it on
// `npm ci`; it runs the bundled CLI (dist/bundle/carrel.js, made by `npm run build`: the root
// `prepare` script on a clone, `prepack` before a package is packed), which starts faster than the
// hundreds of modules of dist/main.js.
import module from 'node:module';

// Node ≥ 22.1 keeps compiled code between runs (under the temp dir), so the bundle is compiled
// once rather than at every start; Node 20 has no such cache and skips this.
module.enableCompileCache?.();
await import('../dist/bundle/carrel.js');
