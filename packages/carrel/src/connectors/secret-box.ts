/**
 * Connector tokens sealed for the knowledge-base database: AES-256-GCM with a random 96-bit IV
 * per seal, so the database (and its backups) hold nothing a reader without the key can use.
 * The connector's id is associated data: a sealed token copied onto another connector's row does
 * not open. Each sealed value starts with a format byte and the key id, a fingerprint of the key
 * that sealed it, so a wrong key is told apart from a damaged value and keys can rotate later
 * (several keys, each found by its id).
 *
 * Layout: format (1 byte) · key id (4) · IV (12) · ciphertext · tag (16).
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Bytes in a key. */
export const SECRETS_KEY_BYTES = 32;
const FORMAT = 1;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES;

/** A key given as text: 32 bytes in base64 (what `openssl rand -base64 32` prints) or in hex; undefined if it is neither. */
export function parseSecretsKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return undefined;
  return Buffer.from(trimmed, 'base64');
}

/** Why a sealed value did not open. */
export type OpenFailure = { reason: 'other_key'; keyId: string } | { reason: 'damaged' };

/** Seals and opens tokens with one key. */
export class SecretBox {
  /** The key's id, in hex: safe to show (an HMAC of a fixed label under the key). */
  readonly keyId: string;
  readonly #key: Buffer;
  readonly #id: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== SECRETS_KEY_BYTES) throw new RangeError(`a secrets key has ${SECRETS_KEY_BYTES} bytes, not ${key.length}`);
    this.#key = Buffer.from(key);
    this.#id = createHmac('sha256', this.#key).update('carrel connector secrets key id').digest().subarray(0, KEY_ID_BYTES);
    this.keyId = this.#id.toString('hex');
  }

  /** The token sealed for connector `connectorId`. */
  seal(connectorId: number, secret: string): Buffer {
    const header = Buffer.concat([Buffer.of(FORMAT), this.#id]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(associatedData(header, connectorId));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
  }

  /** The token sealed for connector `connectorId`, or why it does not open with this key. */
  open(connectorId: number, sealed: Uint8Array): { secret: string } | OpenFailure {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (bytes.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT) return { reason: 'damaged' };
    const header = bytes.subarray(0, HEADER_BYTES);
    const keyId = header.subarray(1);
    if (!keyId.equals(this.#id)) return { reason: 'other_key', keyId: keyId.toString('hex') };
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES));
    decipher.setAAD(associatedData(header, connectorId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      return { secret: plain.toString('utf8') };
    } catch {
      return { reason: 'damaged' };
    }
  }
}

/** What the tag also covers: the header (so format and key id cannot be swapped) and the connector. */
function associatedData(header: Buffer, connectorId: number): Buffer {
  return Buffer.concat([header, Buffer.from(`connector:${connectorId}`, 'utf8')]);
}
