#!/usr/bin/env node
// The installed `carrel` command. It exists before the first build, so npm can link it on
// `npm ci`; it runs the bundled CLI (dist/bundle/, made by `npm run build`: the root `prepare`
// script on a clone, `prepack` before a package is packed), which starts faster than the
// hundreds of modules of dist/main.js.
import '../dist/bundle/carrel.js';
