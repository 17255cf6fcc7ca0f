/**
 * The secrets file of earlier versions: `secrets.json` in the data dir, tokens in plain text by
 * connector id. Opening a SQLite knowledge base imports it once, sealing its tokens into the
 * database, then deletes it (`KnowledgeBase.open`). One others can read is refused, as it always
 * was: its tokens may have been exposed, and importing it would hide that.
 *
 * @module
 */
import { join } from 'node:path';
import { readPrivateFile } from './private-file.js';

/** The secrets file of a data dir. */
export function legacySecretsPath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

/** The tokens in `path` by connector id, or undefined when there is no such file. */
export function readLegacySecrets(path: string): Map<number, string> | undefined {
  const bytes = readPrivateFile(path, `make it private with chmod 600 ${path}, or delete it and add the tokens again`);
  if (!bytes) return undefined;
  const parsed = JSON.parse(bytes.toString('utf8')) as { connectors?: Record<string, unknown> };
  const secrets = new Map<number, string>();
  for (const [id, secret] of Object.entries(parsed.connectors ?? {}))
    if (/^[1-9][0-9]{0,15}$/.test(id) && typeof secret === 'string') secrets.set(Number(id), secret);
  return secrets;
}
