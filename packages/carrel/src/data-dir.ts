/**
 * Where carrel keeps its data: an explicit `--data-dir`, else `CARREL_DATA_DIR`, else the
 * platform's per-user data folder (XDG on Linux, Application Support on macOS, LOCALAPPDATA on
 * Windows).
 *
 * @module
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Resolves the data directory (not created here). */
export function resolveDataDir(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (explicit) return resolve(explicit);
  if (env.CARREL_DATA_DIR) return resolve(env.CARREL_DATA_DIR);
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'carrel');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'carrel');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'carrel');
}

/**
 * The one database file in a data directory: knowledge base and tasks together, so a write of
 * documents and the completion of the task that made it commit in one transaction.
 */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'carrel.db');
}

/** Where a data directory keeps its libraries' approximate vector indexes, so a restart need not build them again. */
export function vectorIndexDir(dataDir: string): string {
  return join(dataDir, 'vector-indexes');
}
