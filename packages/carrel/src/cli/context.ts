/**
 * What every command reads from the global options: settings and `--json`, plus helpers to open
 * the knowledge base or the task runtime for the length of one command and close them after.
 *
 * @module
 */
import type { Command } from 'commander';
import type { KnowledgeBase } from '../knowledge-base.js';
import type { CarrelRuntime, RuntimeOptions } from '../app/runtime.js';
import { knowledgeBaseOptions, resolveSettings, type Settings } from '../app/settings.js';

/** The global options as commander parses them. */
interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  embedder?: string;
  window?: string;
  model?: string;
  allow?: string[];
  allowPrivateAddresses?: boolean;
  json?: boolean;
}

/** Settings and output mode for a command. */
export interface CommandContext {
  settings: Settings;
  json: boolean;
}

/** Reads the global options of `command`. */
export function commandContext(command: Command): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  return { settings: resolveSettings(options), json: options.json === true };
}

/** Runs `body` with an open knowledge base, closing it after. */
export async function withKnowledgeBase<T>(settings: Settings, body: (kb: KnowledgeBase) => Promise<T> | T): Promise<T> {
  const { KnowledgeBase } = await import('../knowledge-base.js');
  const kb = await KnowledgeBase.open(knowledgeBaseOptions(settings));
  try {
    return await body(kb);
  } finally {
    await kb.close();
  }
}

/** Runs `body` with the task runtime open, closing it after. Imported on demand: it loads the MCP SDK, which read-only commands never need. */
export async function withRuntime<T>(
  settings: Settings,
  options: RuntimeOptions,
  body: (runtime: CarrelRuntime) => Promise<T>,
): Promise<T> {
  const { openRuntime } = await import('../app/runtime.js');
  const runtime = await openRuntime(settings, options);
  try {
    return await body(runtime);
  } finally {
    await runtime.close();
  }
}
