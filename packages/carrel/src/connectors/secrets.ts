/**
 * Connector secrets (tokens), kept apart from the database, task records and logs: one JSON file
 * under the data dir, created with mode 0600 and refused when it is readable by anyone else (a
 * token others can read is no longer a secret, and a silent chmod would hide that it was
 * exposed). Listings show a secret masked, its last four characters at most.
 *
 * Writers rewrite the whole file (a temporary file renamed over it); callers write inside the
 * database transaction that changes the connector, so two processes never interleave rewrites.
 *
 * @module
 */
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InsecureSecretsError } from '../errors.js';

/** The file's content: secrets by connector id. */
interface SecretsFile {
  connectors: Record<string, string>;
}

/** The secrets file of a data dir. */
export function secretsPath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

/** `ghp_…abcd` → `****abcd`; a short secret shows nothing of itself. */
export function maskSecret(secret: string): string {
  return secret.length >= 12 ? `****${secret.slice(-4)}` : '****';
}

/** See module comment. */
export class SecretStore {
  constructor(private readonly path: string) {}

  /** The connector's secret, or undefined. */
  get(connectorId: number): string | undefined {
    return this.read().connectors[String(connectorId)];
  }

  /** Stores (or, with undefined, removes) the connector's secret. */
  set(connectorId: number, secret: string | undefined): void {
    const file = this.read();
    if (secret === undefined && !(String(connectorId) in file.connectors)) return;
    if (secret === undefined) delete file.connectors[String(connectorId)];
    else file.connectors[String(connectorId)] = secret;
    this.write(file);
  }

  private read(): SecretsFile {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { connectors: {} };
      throw err;
    }
    try {
      const { mode } = fstatSync(fd);
      if (process.platform !== 'win32' && (mode & 0o077) !== 0) throw new InsecureSecretsError(this.path, mode);
      const parsed = JSON.parse(readFileSync(fd, 'utf8')) as Partial<SecretsFile>;
      return { connectors: { ...parsed.connectors } };
    } finally {
      closeSync(fd);
    }
  }

  private write(file: SecretsFile): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    // Created 0600 (the umask can only narrow it): the token is never readable by others, not even briefly.
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      // A temporary file a crash left behind keeps its old mode through O_TRUNC: set it again.
      fchmodSync(fd, 0o600);
      writeSync(fd, JSON.stringify(file));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
