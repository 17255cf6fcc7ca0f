/**
 * `carrel models [verify <folder|name>|install <folder>]`: the configured embedding model and the
 * local models in the data dir's cache; checking a model folder (layout, then a real load and a
 * probe embedding) and copying one into the cache, so a machine without network can use a model
 * fetched elsewhere (`--embedder local --model <id>`).
 *
 * @module
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Settings } from '../../app/settings.js';
import { LOCAL_DEFAULT_MODEL } from '../../embedders/local-embedder.js';
import type { InstalledModel } from '../../embedders/model-folder.js';
import { installedModels, missingFiles, modelFolder, modelsDir, ONNX_FILES } from '../../embedders/model-folder.js';
import { commandContext } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { print } from '../output.js';

/** A model folder that loaded and embedded a probe. */
interface VerifiedModel {
  path: string;
  /** The ONNX files present; the first is the one that runs. */
  onnx: string[];
  dims: number;
  /** Longest input in tokens; longer text is truncated. */
  maxTokens: number | null;
}

/** An id as a cache path: `name` or `owner/name`, nothing that climbs out of the cache. */
const MODEL_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/** Adds `models` and its subcommands to the program. */
export function register(program: Command): void {
  const models = program
    .command('models')
    .description('Show the configured embedding model and the local models installed in the data folder')
    .action((_o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      print(listing(settings), json, renderListing);
    });
  models
    .command('verify')
    .description('Check a model folder (or an installed model): its files, then load it and embed a probe')
    .argument('<folder|name>', 'a model folder, or the id of an installed model')
    .action(async (target: string, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const folder = locate(target, modelsDir(settings.dataDir));
      print(await verify(folder), json, (m) => `OK: ${m.path}\n${describe(m)}`);
    });
  models
    .command('install')
    .description('Copy a model folder into the data folder, for --embedder local --model <id> with no network')
    .argument('<folder>', 'a complete model folder (see carrel models verify)')
    .option('--name <id>', 'the id to install it as, e.g. Xenova/all-MiniLM-L6-v2 (default: the folder name)')
    .action(async (source: string, o: { name?: string }, command: Command) => {
      const { settings, json } = commandContext(command);
      const folder = resolve(source);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`No model folder ${folder}`, ExitCode.NotFound);
      const id = o.name ?? basename(folder);
      if (!MODEL_ID.test(id) || id.includes('..'))
        throw new CliError(`Invalid --name ${id}: expected a model id like name or owner/name (letters, digits, . _ -)`, ExitCode.Usage);
      const dest = join(modelsDir(settings.dataDir), id);
      if (existsSync(dest))
        throw new CliError(`A model ${id} is already installed at ${dest}; remove that folder first to replace it`, ExitCode.Refused);
      const verified = await verify(folder);
      copyInto(folder, dest);
      print({ id, ...verified, path: dest, use: `--embedder local --model ${id}` }, json, (m) =>
        [`Installed ${m.id} at ${m.path}`, describe(m), `Use it with: carrel --embedder local --model ${m.id} …`].join('\n'),
      );
    });
}

function listing(settings: Settings) {
  const cacheDir = modelsDir(settings.dataDir);
  const installed = installedModels(cacheDir);
  const embedder = settings.embedder;
  const model = embedder.kind === 'local' ? (embedder.model ?? LOCAL_DEFAULT_MODEL) : undefined;
  const configured = {
    embedder: embedder.kind,
    ...(model !== undefined && { model, installed: missingFiles(modelFolder(model, cacheDir)).length === 0 }),
    ...(embedder.kind === 'openai' && { model: embedder.model, baseUrl: embedder.baseUrl }),
  };
  return { configured, cacheDir, installed };
}

function renderListing(l: ReturnType<typeof listing>): string {
  const c = l.configured;
  const state =
    c.installed === undefined
      ? ''
      : c.installed
        ? ' (installed)'
        : ' (not installed: downloaded on first use, or carrel models install <folder>)';
  const lines = [`Configured: ${c.embedder}${c.model ? ` ${c.model}` : ''}${state}`, `Model cache: ${l.cacheDir}`];
  if (l.installed.length === 0) lines.push('No local models installed.');
  for (const m of l.installed) lines.push(`  ${m.id}  ${installedState(m)}`);
  return lines.join('\n');
}

const installedState = (m: InstalledModel): string =>
  m.missing.length > 0 ? `incomplete: missing ${m.missing.join(', ')}` : `${(m.bytes / 1e6).toFixed(1)} MB`;

const describe = (m: VerifiedModel): string =>
  `${m.dims} dimensions, at most ${m.maxTokens ?? 'an unknown number of'} tokens per text, runs ${m.onnx[0]}`;

/** A folder path, or else an installed model's folder. */
function locate(target: string, cacheDir: string): string {
  const folder = resolve(target);
  if (existsSync(folder) && statSync(folder).isDirectory()) return folder;
  const installed = join(cacheDir, target);
  if (MODEL_ID.test(target) && existsSync(installed)) return installed;
  throw new CliError(
    `No model folder ${folder}, and no model ${target} installed in ${cacheDir} (carrel models lists them)`,
    ExitCode.NotFound,
  );
}

/** Checks the layout, then loads the model with downloads off and embeds a probe. */
async function verify(folder: string): Promise<VerifiedModel> {
  const missing = missingFiles(folder);
  if (missing.length > 0)
    throw new CliError(
      `${folder} is not a complete model folder: missing ${missing.join(', ')} (see "Models on a machine without network" in the README)`,
      ExitCode.Refused,
    );
  const { LocalEmbedder } = await import('../../embedders/local-embedder.js');
  const embedder = new LocalEmbedder({ kind: 'local', model: folder, allowDownload: false });
  await embedder.load(); // EmbedderUnavailableError (exit 5) names what failed
  const [probe] = await embedder.embed(['Carrel checks that this model embeds text.']);
  if (!probe || !probe.every(Number.isFinite))
    throw new CliError(`${folder} loaded, but its probe embedding has non-finite values`, ExitCode.Unavailable);
  return { path: folder, onnx: ONNX_FILES.filter((f) => existsSync(join(folder, f))), dims: probe.length, maxTokens: maxTokens(folder) };
}

/** The tokenizer's limit, capped by the position table (tokenizers often say 1e30 for "none"). */
function maxTokens(folder: string): number | null {
  const read = (file: string, key: string) => {
    const value = (JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>)[key];
    return typeof value === 'number' && value > 0 ? value : Infinity;
  };
  const limit = Math.min(read('tokenizer_config.json', 'model_max_length'), read('config.json', 'max_position_embeddings'));
  return Number.isFinite(limit) ? limit : null;
}

/** Copies next to the destination, then renames: an interrupted install leaves no half model under the id. */
function copyInto(folder: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  const staging = `${dest}.installing-${process.pid}`;
  try {
    cpSync(folder, staging, { recursive: true, filter: (path) => basename(path) !== '.git' });
    renameSync(staging, dest);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
