/**
 * Domain errors of the knowledge base. Each carries a stable string `kind` and the JSON-RPC
 * code it maps to, so the MCP layer and the CLI convert them in one place each. `problem` names
 * the problem; `fix`, where there is one, says what would help as data (see `fix.ts`), so the CLI
 * and the MCP tools name it in their own terms. `message` is both in the library API's terms.
 *
 * @module
 */
import { dirname } from 'node:path';
import { apiFix, type Fix, libraryLabel, withFix } from './fix.js';

/** JSON-RPC 2.0 codes used by knowledge-base errors (mirrors `@carrel/tasks`). */
export const KbJsonRpcCode = { InvalidParams: -32602, InternalError: -32603 } as const;

export type KnowledgeBaseErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'path_not_allowed'
  | 'file_too_large'
  | 'unsupported_content'
  | 'address_blocked'
  | 'fetch_failed'
  | 'invalid_pack'
  | 'embedder_unavailable'
  | 'embedder_mismatch'
  | 'embedder_failed'
  | 'busy'
  | 'database_unavailable'
  | 'insecure_secrets'
  | 'secrets_key'
  | 'credentials_rejected'
  | 'cancelled';

/** Base class: an expected condition, safe to show to a user or a model. */
export abstract class KnowledgeBaseError extends Error {
  abstract readonly kind: KnowledgeBaseErrorKind;
  readonly code: number = KbJsonRpcCode.InvalidParams;
  readonly data: Record<string, unknown> | undefined;
  /** The problem alone, without a fix. */
  readonly problem: string;
  readonly fix: Fix | undefined;

  constructor(problem: string, data?: Record<string, unknown>, fix?: Fix) {
    super(withFix(problem, fix, apiFix));
    this.name = new.target.name;
    this.data = data;
    this.problem = problem;
    this.fix = fix;
  }
}

/** An argument is malformed: names the argument and what was expected. */
export class InvalidInputError extends KnowledgeBaseError {
  readonly kind = 'invalid_argument';
  constructor(
    readonly argument: string,
    readonly expected: string,
  ) {
    super(`Invalid ${argument}: expected ${expected}`, { argument });
  }
}

/** A sources manifest (`carrel.sources.yaml`) that cannot be used: names the file, the line and the field. */
export class InvalidManifestError extends KnowledgeBaseError {
  readonly kind = 'invalid_argument';
  constructor(path: string, line: number, field: string, problem: string) {
    super(`${path}:${line}: ${field}: ${problem}`, { path, line, field });
  }
}

/** A library, document or chunk that does not exist. */
export class NotFoundError extends KnowledgeBaseError {
  readonly kind = 'not_found';
  constructor(what: string, id: string | number, fix?: Fix) {
    super(`${what} not found: ${id}`, { what, id }, fix);
  }
}

/** A file path outside every allowed root (symlinks resolved). */
export class PathNotAllowedError extends KnowledgeBaseError {
  readonly kind = 'path_not_allowed';
  constructor(
    readonly path: string,
    roots: readonly string[],
  ) {
    super(`Path ${path} is outside the allowed roots (${roots.join(', ')})`, { path }, { action: 'allow_folder', folder: dirname(path) });
  }
}

/** A file or response larger than the configured cap. */
export class ContentTooLargeError extends KnowledgeBaseError {
  readonly kind = 'file_too_large';
  constructor(source: string, limit: number) {
    super(
      `${source} is larger than the limit of ${limit} bytes`,
      { source, limit },
      { action: 'raise_limit', limit: /^https?:/i.test(source) ? 'fetch.maxBytes' : 'maxFileBytes' },
    );
  }
}

/** Binary or otherwise unreadable content (not text, markdown, HTML or PDF). */
export class UnsupportedContentError extends KnowledgeBaseError {
  readonly kind = 'unsupported_content';
  constructor(source: string, reason: string) {
    super(`Cannot ingest ${source}: ${reason}`, { source });
  }
}

/** A URL whose host resolves to a loopback, private or link-local address while those are blocked. */
export class AddressBlockedError extends KnowledgeBaseError {
  readonly kind = 'address_blocked';
  constructor(host: string, address: string) {
    super(
      `Refusing to fetch from ${host}: it resolves to the non-public address ${address}`,
      { host, address },
      { action: 'allow_private_addresses' },
    );
  }
}

/**
 * A URL fetch failed: HTTP status, timeout, too many redirects, bad scheme. `details` says whether
 * trying again may help (see `fetchBody`).
 */
export class FetchFailedError extends KnowledgeBaseError {
  readonly kind = 'fetch_failed';
  constructor(url: string, reason: string, details: { status?: number; transient?: boolean; retryAfter?: string } = {}) {
    super(`Fetching ${url} failed: ${reason}`, { url, ...details });
  }
}

/** A knowledge pack that cannot be installed as it is: malformed, not the one its checksum names, or too large. Nothing was written. */
export class InvalidPackError extends KnowledgeBaseError {
  readonly kind = 'invalid_pack';
  constructor(where: string, reason: string) {
    super(`Cannot install the pack ${where}: ${reason}; nothing was installed`, { pack: where });
  }
}

/**
 * A source could not be reached for a reason that passes (a timeout, a reset connection, a 429 or
 * 5xx answer): the sync is tried again, after `retryAfterMs` when the source said how long.
 */
export class SourceUnavailableError extends KnowledgeBaseError {
  readonly kind = 'fetch_failed';
  constructor(source: string, reason: string, retryAfterMs?: number) {
    super(`${source} is unavailable for now: ${reason}`, { source, ...(retryAfterMs !== undefined && { retryAfterMs }) });
  }
}

/**
 * A connector's source wants a token it does not have, or refused the one stored (HTTP 401, or a
 * 403 that is no rate limit): trying again with the same token cannot help, a new token can. Once
 * the connector is known (`connector`), its fix is to store a new token. The message never holds
 * the token.
 */
export class CredentialsRejectedError extends KnowledgeBaseError {
  readonly kind = 'credentials_rejected';
  constructor(source: string, reason: string, connector?: string) {
    super(
      `${source}: ${reason}`,
      { source, reason, ...(connector !== undefined && { connector }) },
      connector === undefined ? undefined : { action: 'set_connector_token', connector },
    );
  }
}

/**
 * A file holding secrets (the data dir's secrets key, or a secrets.json still to import) can be
 * read by others than its owner: refused rather than trusted, since a silent chmod would hide
 * that what it holds was exposed.
 */
export class InsecureSecretsError extends KnowledgeBaseError {
  readonly kind = 'insecure_secrets';
  constructor(path: string, mode: number, remedy: string) {
    super(`${path} is readable by others (mode ${(mode & 0o777).toString(8)}); ${remedy}`, { path });
  }
}

/**
 * The key that seals connector tokens is missing, or is not the one a stored token was sealed
 * with. Says which key (`CARREL_SECRETS_KEY` or the data dir's key file) and its key id, a
 * fingerprint that tells keys apart without revealing them; never a token or a key.
 */
export class SecretsKeyError extends KnowledgeBaseError {
  readonly kind = 'secrets_key';
  constructor(problem: string, connector?: string) {
    super(
      problem,
      connector === undefined ? undefined : { connector },
      connector === undefined ? undefined : { action: 'set_connector_token', connector },
    );
  }
}

/** The embedding model could not be loaded or called. Ingest falls back to BM25 when it sees this. */
export class EmbedderUnavailableError extends KnowledgeBaseError {
  readonly kind = 'embedder_unavailable';
  override readonly code: number = KbJsonRpcCode.InternalError;
  constructor(embedder: string, reason: string) {
    super(`Embedder ${embedder} is unavailable: ${reason}`, { embedder });
  }
}

/**
 * An application's in-process embedder threw or broke its contract (wrong count, dimension or
 * non-finite values). Unlike an unavailable model this fails the job: the fault is in the
 * application's code, and storing the library without vectors would hide it.
 */
export class EmbedderFailedError extends KnowledgeBaseError {
  readonly kind = 'embedder_failed';
  override readonly code: number = KbJsonRpcCode.InternalError;
  constructor(embedder: string, reason: string) {
    super(`Embedder ${embedder} failed: ${reason}`, { embedder });
  }
}

/** The library was built with another model or dimension; mixing them would make vectors meaningless. */
export class EmbedderMismatchError extends KnowledgeBaseError {
  readonly kind = 'embedder_mismatch';
  constructor(library: { name: string; version: string }, stored: string, requested: string) {
    const label = libraryLabel(library.name, library.version);
    super(
      `Library ${label} was embedded with ${stored}, not ${requested}; reindexing switches it to ${requested}`,
      { library: label, stored, requested },
      { action: 'reindex', library: library.name, version: library.version },
    );
  }
}

/**
 * Another process kept the knowledge base's write lock for longer than the wait allows. Nothing was
 * written; the same call can simply be made again.
 */
export class StoreBusyError extends KnowledgeBaseError {
  readonly kind = 'busy';
  override readonly code: number = KbJsonRpcCode.InternalError;
  constructor(waitedMs: number) {
    super(`The knowledge base stayed locked by another process's write for ${waitedMs} ms; nothing was changed, try again in a moment`, {
      waitedMs,
    });
  }
}

/**
 * The knowledge base's PostgreSQL server cannot be reached: the connection was refused or cut, or
 * the server is shutting down or starting up (a restart, a failover). Transient, like `busy`; a
 * transaction that was cut is rolled back by the server, unless its commit had already reached it.
 */
export class DatabaseUnavailableError extends KnowledgeBaseError {
  readonly kind = 'database_unavailable';
  override readonly code: number = KbJsonRpcCode.InternalError;
  constructor(cause: unknown) {
    super(`The knowledge base's database cannot be reached (${causeText(cause)}); it may be restarting, try again in a moment`);
    this.cause = cause;
  }
}

/** A driver error's own words, which name the host and port at most, never the connection string's password. */
function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message || cause.name : String(cause);
}

/** The operation's AbortSignal fired; whatever was committed before is complete, nothing is half-written. */
export class IngestCancelledError extends KnowledgeBaseError {
  readonly kind = 'cancelled';
  constructor() {
    super('The operation was cancelled');
  }
}
