/**
 * The secrets file of earlier versions: `secrets.json` in the data dir, tokens in plain text by
 * connector id. Opening a SQLite knowledge base imports it once, sealing its tokens into the
 * database, then deletes it (`KnowledgeBase.open`). One others can read is refused, as it always
 * was: its tokens may have been exposed, and importing it would hide that.
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InsecureSecretsError } from '../errors.js';

/** The secrets file of a data dir. */
export function legacySecretsPath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

/** The tokens in `path` by connector id, or undefined when there is no such file. */
export function readLegacySecrets(path: string): Map<number, string> | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { mode } = fstatSync(fd);
    if (process.platform !== 'win32' && (mode & 0o077) !== 0)
      throw new InsecureSecretsError(path, mode, `make it private with chmod 600 ${path}, or delete it and add the tokens again`);
    const parsed = JSON.parse(readFileSync(fd, 'utf8')) as { connectors?: Record<string, unknown> };
    const secrets = new Map<number, string>();
    for (const [id, secret] of Object.entries(parsed.connectors ?? {}))
      if (/^[1-9][0-9]{0,15}$/.test(id) && typeof secret === 'string') secrets.set(Number(id), secret);
    return secrets;
  } finally {
    closeSync(fd);
  }
}
