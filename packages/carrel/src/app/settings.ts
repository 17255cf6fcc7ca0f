/**
 * Run-time settings shared by `carrel mcp`, `carrel serve` and every CLI command: where the data
 * lives, which embedder to use, and which folders files may be read from. Flags win over
 * environment variables, which win over defaults; the defaults need no configuration at all.
 *
 * | setting | flag | environment | default |
 * |---|---|---|---|
 * | data dir | `--data-dir` | `CARREL_DATA_DIR` | per-user data folder |
 * | database | `--database-url` | `CARREL_DATABASE_URL` | the SQLite file in the data dir (a `postgres://` URL: knowledge base and tasks in PostgreSQL) |
 * | key sealing connector tokens | — | `CARREL_SECRETS_KEY` (32 bytes, base64 or hex) | a key file in the data dir on SQLite; none on PostgreSQL (no tokens) |
 * | embedder | `--embedder` | `CARREL_EMBEDDER` | `local` (ONNX model, BM25 until it is available) |
 * | embedder window (tokens) | `--window` | `CARREL_EMBEDDER_WINDOW` | the model's (256 local, by model name for openai) |
 * | local model threads for ingest | — | `CARREL_LOCAL_WORKERS` | 1 (one ONNX session) |
 * | local model | `--model` | `CARREL_LOCAL_MODEL` | `Xenova/all-MiniLM-L6-v2` (an id in the data dir's model cache, or a folder) |
 * | allowed roots | `--allow` | `CARREL_ALLOWED_ROOTS` (path-delimited) | the working directory |
 * | URLs on private addresses | `--allow-private-addresses` | `CARREL_ALLOW_PRIVATE_ADDRESSES=1` | refused (loopback, LAN, link-local, cloud metadata) |
 * | task lease | — | `CARREL_TASK_LEASE_MS` | 30000: a task whose process died is resumed this long after |
 * | schedule check | — | `CARREL_SCHEDULE_TICK_MS` | 15000: how often a server looks for connector slots due (how late a slot may start) |
 *
 * @module
 */
import { delimiter, isAbsolute, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { EmbedderConfig } from '../embedders/embedder.js';
import type { KnowledgeBaseOptions } from '../knowledge-base.js';
import { resolveDataDir } from '../data-dir.js';
import { parseSecretsKey } from '../connectors/secret-box.js';

/** Embedder kinds a user can pick by name. */
export const EMBEDDER_KINDS = ['local', 'offline', 'openai', 'none'] as const;

/** What a command was asked for (flags), before environment and defaults are applied. */
export interface SettingFlags {
  dataDir?: string;
  databaseUrl?: string;
  embedder?: string;
  /** The embedder's input length in tokens, as typed. */
  window?: string;
  model?: string;
  allow?: string[];
  allowPrivateAddresses?: boolean;
}

/** Everything needed to open the knowledge base and the task store. */
export interface Settings {
  dataDir: string;
  /** A PostgreSQL database holding the knowledge base and the tasks, shared by a cluster's nodes; undefined: the data dir's SQLite file. */
  databaseUrl?: string;
  /** The key sealing connector tokens in the database (`CARREL_SECRETS_KEY`), as given. */
  secretsKey?: string;
  embedder: EmbedderConfig;
  allowedRoots: string[];
  /** Whether URL fetches (index_document, packs, web connectors) may reach private addresses: for a local documentation server. */
  allowPrivateAddresses: boolean;
  /** The owner of tasks started by the local user (stdio and the CLI share it). */
  owner: string;
  /** How long a task's lease lasts without a heartbeat: the delay before a crashed process's task is resumed. */
  taskLeaseMs: number;
  /** How often a server looks for connector schedule slots that are due: a slot starts at most this late. */
  scheduleTickMs: number;
}

/** A setting has a value that cannot be used; the message names the setting and the choices. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Resolves flags against the environment. */
export function resolveSettings(flags: SettingFlags = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const roots = flags.allow?.length ? flags.allow : (env.CARREL_ALLOWED_ROOTS?.split(delimiter).filter(Boolean) ?? [process.cwd()]);
  const databaseUrl = postgresUrl(
    flags.databaseUrl !== undefined ? '--database-url' : 'CARREL_DATABASE_URL',
    flags.databaseUrl ?? env.CARREL_DATABASE_URL,
  );
  const secretsKey = secretsKeyText(env.CARREL_SECRETS_KEY);
  return {
    dataDir: resolveDataDir(flags.dataDir, env),
    ...(databaseUrl !== undefined && { databaseUrl }),
    ...(secretsKey !== undefined && { secretsKey }),
    embedder: withWindow(
      embedderConfig(flags.embedder ?? env.CARREL_EMBEDDER ?? 'local', env, flags.model ?? env.CARREL_LOCAL_MODEL),
      flags.window !== undefined
        ? positiveInteger('--window', flags.window)
        : positiveInteger('CARREL_EMBEDDER_WINDOW', env.CARREL_EMBEDDER_WINDOW),
    ),
    allowedRoots: roots.map((root) => resolve(root)),
    allowPrivateAddresses:
      flags.allowPrivateAddresses === true || flag('CARREL_ALLOW_PRIVATE_ADDRESSES', env.CARREL_ALLOW_PRIVATE_ADDRESSES),
    owner: `local:${userInfo().username}`,
    taskLeaseMs: positiveInteger('CARREL_TASK_LEASE_MS', env.CARREL_TASK_LEASE_MS) ?? 30_000,
    scheduleTickMs: positiveInteger('CARREL_SCHEDULE_TICK_MS', env.CARREL_SCHEDULE_TICK_MS) ?? 15_000,
  };
}

/** A PostgreSQL connection URL, checked; the message never repeats it, since it may hold a password. */
function postgresUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname)
    throw new SettingsError(`${name} must be a PostgreSQL URL such as postgres://user:password@host:5432/carrel`);
  return value;
}

/** The secrets key as given, checked; the message never repeats it. */
function secretsKeyText(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!parseSecretsKey(value))
    throw new SettingsError('CARREL_SECRETS_KEY must be 32 bytes in base64 or hex, as openssl rand -base64 32 prints');
  return value;
}

/** A model given as a path (`./m`, `../m`, `/m`) rather than an id like `owner/name`. */
const isModelPath = (model: string): boolean => isAbsolute(model) || model.startsWith('./') || model.startsWith('../');

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new SettingsError(`${name} must be a positive integer, not ${value}`);
  return n;
}

/** An on/off environment setting: `1` or `true` on, `0`, `false` or unset off. */
function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new SettingsError(`${name} must be 1 or 0, not ${value}`);
}

/** The options `KnowledgeBase.open` takes for these settings. */
export function knowledgeBaseOptions(settings: Settings): KnowledgeBaseOptions {
  return {
    dataDir: settings.dataDir,
    ...(settings.databaseUrl !== undefined && { databaseUrl: settings.databaseUrl }),
    ...(settings.secretsKey !== undefined && { secretsKey: settings.secretsKey }),
    embedder: settings.embedder,
    allowedRoots: settings.allowedRoots,
    ...(settings.allowPrivateAddresses && { fetch: { allowPrivateAddresses: true } }),
  };
}

/** The config with its input window set, for the kinds that have a configurable one. */
function withWindow(config: EmbedderConfig, maxTokens: number | undefined): EmbedderConfig {
  return maxTokens !== undefined && (config.kind === 'local' || config.kind === 'openai') ? { ...config, maxTokens } : config;
}

function embedderConfig(kind: string, env: NodeJS.ProcessEnv, localModel: string | undefined): EmbedderConfig {
  switch (kind) {
    // A folder given by a relative path is read from wherever the command runs.
    case 'local': {
      const workers = positiveInteger('CARREL_LOCAL_WORKERS', env.CARREL_LOCAL_WORKERS);
      return {
        kind: 'local',
        ...(localModel && { model: isModelPath(localModel) ? resolve(localModel) : localModel }),
        ...(workers && { workers }),
      };
    }
    case 'offline':
      return { kind: 'offline' };
    case 'none':
      return { kind: 'none' };
    case 'openai': {
      const baseUrl = env.CARREL_OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
      const apiKey = env.CARREL_OPENAI_API_KEY ?? env.OPENAI_API_KEY;
      const dimensions = positiveInteger('CARREL_OPENAI_DIMENSIONS', env.CARREL_OPENAI_DIMENSIONS);
      return {
        kind: 'openai',
        baseUrl,
        model: env.CARREL_OPENAI_MODEL ?? 'text-embedding-3-small',
        ...(apiKey && { apiKey }),
        ...(dimensions && { dimensions }),
      };
    }
    default:
      throw new SettingsError(
        `Unknown embedder '${kind}': choose one of ${EMBEDDER_KINDS.join(', ')} (flag --embedder or CARREL_EMBEDDER)`,
      );
  }
}
