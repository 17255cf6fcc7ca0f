/**
 * The package version, reported by `carrel --version` and in the MCP `serverInfo`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** `version` from carrel's package.json (one level above both `src/` and `dist/`). */
export const CARREL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
