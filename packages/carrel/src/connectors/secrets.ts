/**
 * Connector secrets (tokens): sealed (`secret-box.ts`) into the knowledge-base database, where
 * every node of a cluster reads them, with a key the database never holds: `CARREL_SECRETS_KEY`
 * (required on PostgreSQL, the same on every node), or on SQLite without it the data dir's key
 * file (`secrets-key-file.ts`). Errors name the key and its id, never a token or a key; listings
 * show a secret masked, its last four characters at most.
 *
 * @module
 */
import { SecretsKeyError } from '../errors.js';
import { SecretBox } from './secret-box.js';
import { readKeyFile, readOrCreateKeyFile } from './secrets-key-file.js';

/** The environment variable that holds the key. */
export const SECRETS_KEY_VARIABLE = 'CARREL_SECRETS_KEY';

/** Where a knowledge base's key comes from. */
export type SecretsKeySource =
  /** `CARREL_SECRETS_KEY` (the `secretsKey` option), parsed. */
  | { kind: 'variable'; key: Buffer }
  /** The data dir's key file (SQLite), created when the first token is stored. */
  | { kind: 'file'; path: string }
  /** None: a PostgreSQL knowledge base without `CARREL_SECRETS_KEY` stores no token. */
  | { kind: 'none' };

/** `ghp_…abcd` → `****abcd`; a short secret shows nothing of itself. */
export function maskSecret(secret: string): string {
  return secret.length >= 12 ? `****${secret.slice(-4)}` : '****';
}

/** See module comment. */
export class ConnectorSecrets {
  #box: SecretBox | undefined;

  constructor(private readonly source: SecretsKeySource) {}

  /** Refuses a token when there is no key to seal it with: before anything is written. */
  checkCanSeal(): void {
    if (this.source.kind === 'none') throw missingVariable();
  }

  /** The token sealed for connector `connectorId` (the key file is created on first need). */
  seal(connectorId: number, secret: string): Buffer {
    return this.box(true).seal(connectorId, secret);
  }

  /** The stored token of `connector`; a SecretsKeyError when this key does not open it. */
  open(connector: { id: number; name: string }, sealed: Uint8Array): string {
    const box = this.box(false);
    const opened = box.open(connector.id, sealed);
    if ('secret' in opened) return opened.secret;
    const key = `${this.keyName()} (key id ${box.keyId})`;
    throw new SecretsKeyError(
      opened.reason === 'other_key'
        ? `Connector ${connector.name}'s token was sealed with another key (key id ${opened.keyId}) than ${key}: give this node the key it was sealed with, or store the token again`
        : `Connector ${connector.name}'s stored token does not open with ${key}: it was altered, or copied from another connector; store the token again`,
      connector.name,
    );
  }

  /**
   * The stored token as a listing shows it: masked, or, when this node's key does not open it,
   * why. A listing (a dashboard node, an operator without the key) never fails for it; a sync does.
   */
  shown(connector: { id: number; name: string }, sealed: Uint8Array): string {
    try {
      return maskSecret(this.open(connector, sealed));
    } catch (error) {
      if (!(error instanceof SecretsKeyError)) throw error;
      return this.source.kind === 'none'
        ? `sealed; ${SECRETS_KEY_VARIABLE} is not set on this node`
        : `sealed; ${this.keyName()} on this node does not open it`;
    }
  }

  private box(create: boolean): SecretBox {
    if (this.#box) return this.#box;
    switch (this.source.kind) {
      case 'none':
        throw missingVariable();
      case 'variable':
        this.#box = new SecretBox(this.source.key);
        break;
      case 'file': {
        const key = create ? readOrCreateKeyFile(this.source.path) : readKeyFile(this.source.path);
        if (!key)
          throw new SecretsKeyError(
            `The key file ${this.source.path} that sealed the connectors' tokens is missing: restore it from a backup of the data dir, or store the tokens again`,
          );
        this.#box = new SecretBox(key);
      }
    }
    return this.#box;
  }

  private keyName(): string {
    return this.source.kind === 'file' ? `the key file ${this.source.path}` : SECRETS_KEY_VARIABLE;
  }
}

function missingVariable(): SecretsKeyError {
  return new SecretsKeyError(
    `A connector token on a PostgreSQL knowledge base is sealed with ${SECRETS_KEY_VARIABLE}, which is not set: set it to 32 random bytes in base64 (openssl rand -base64 32), the same value on every node`,
  );
}
