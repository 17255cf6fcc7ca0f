#!/usr/bin/env node
// The installed `carrel` command. It exists before the first build, so npm can link it on
// `npm ci`; it runs the compiled CLI (the root `prepare` script builds it).
import '../dist/main.js';
