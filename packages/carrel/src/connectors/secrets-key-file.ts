/**
 * The key that seals connector tokens on a SQLite knowledge base: 32 random bytes in a file of
 * the data dir, beside the database file and never in it, created with mode 0600 the first time a
 * token is stored. A key file others can read is refused (`InsecureSecretsError`): a token sealed
 * with a key others can read is no longer a secret.
 *
 * @module
 */
import { closeSync, constants, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SecretsKeyError } from '../errors.js';
import { readPrivateFile } from './private-file.js';
import { SECRETS_KEY_BYTES } from './secret-box.js';

/** The key file of a data dir. */
export function secretsKeyPath(dataDir: string): string {
  return join(dataDir, 'secrets.key');
}

/** The key in `path`, or undefined when there is no such file. */
export function readKeyFile(path: string): Buffer | undefined {
  const key = readPrivateFile(
    path,
    `make it private with chmod 600 ${path}, and store the connectors' tokens again if others may have read it`,
  );
  if (key && key.length !== SECRETS_KEY_BYTES)
    throw new SecretsKeyError(
      `${path} is no secrets key (${key.length} bytes, not ${SECRETS_KEY_BYTES}); restore it from a backup of the data dir`,
    );
  return key;
}

/** The key in `path`, created first if there is none; two processes creating it at once end with the same key. */
export function readOrCreateKeyFile(path: string): Buffer {
  const existing = readKeyFile(path);
  if (existing) return existing;
  const temporary = `${path}.${process.pid}.tmp`;
  // Created 0600 (the umask can only narrow it) and O_EXCL: the key is never readable by others, not even briefly.
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    writeSync(fd, randomBytes(SECRETS_KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link, not rename: it fails when another process linked its key first, and that key wins.
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
  return readKeyFile(path)!;
}
