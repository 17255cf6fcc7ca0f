/**
 * Moves KnowledgeBaseErrors across the worker boundary: serialized as `{kind, name, message,
 * data}`, revived as an instance of the same class, so callers can `instanceof` them.
 *
 * @module
 */
import * as errors from '../errors.js';
import type { WireError } from './jobs.js';

const CLASSES: Record<string, abstract new (...args: never[]) => errors.KnowledgeBaseError> = {
  InvalidInputError: errors.InvalidInputError,
  InvalidManifestError: errors.InvalidManifestError,
  NotFoundError: errors.NotFoundError,
  PathNotAllowedError: errors.PathNotAllowedError,
  ContentTooLargeError: errors.ContentTooLargeError,
  UnsupportedContentError: errors.UnsupportedContentError,
  AddressBlockedError: errors.AddressBlockedError,
  FetchFailedError: errors.FetchFailedError,
  InvalidPackError: errors.InvalidPackError,
  SourceUnavailableError: errors.SourceUnavailableError,
  InsecureSecretsError: errors.InsecureSecretsError,
  SecretsKeyError: errors.SecretsKeyError,
  CredentialsRejectedError: errors.CredentialsRejectedError,
  EmbedderUnavailableError: errors.EmbedderUnavailableError,
  EmbedderMismatchError: errors.EmbedderMismatchError,
  EmbedderFailedError: errors.EmbedderFailedError,
  IngestCancelledError: errors.IngestCancelledError,
  StoreBusyError: errors.StoreBusyError,
  DatabaseUnavailableError: errors.DatabaseUnavailableError,
};

/**
 * Serializes any thrown value. Anything unexpected keeps its message, and its stack travels apart
 * so it reaches logs, never a user's screen.
 */
export function toWire(err: unknown): WireError {
  if (err instanceof errors.KnowledgeBaseError)
    return {
      kind: err.kind,
      code: err.code,
      name: err.name,
      message: err.message,
      problem: err.problem,
      ...(err.fix && { fix: err.fix }),
      ...(err.data ? { data: err.data } : {}),
    };
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'internal', name: e.name, message: e.message, ...(e.stack && { stack: e.stack }) };
}

/** Rebuilds the error on the receiving side. Unknown kinds become a plain Error. */
export function fromWire(wire: WireError): Error {
  const cls = CLASSES[wire.name];
  if (!cls) {
    const e = new Error(wire.message);
    e.name = wire.name;
    if (wire.stack) e.stack = `${wire.stack}\n    at (ingest worker)`;
    return e;
  }
  const e = Object.create(cls.prototype as object) as errors.KnowledgeBaseError;
  // Not built by its constructor, so its own fields are set here: without `kind` and `code` the CLI
  // could not pick the exit code nor a tool result say which kind of error it is, and without
  // `problem` and `fix` neither could name the fix in its own terms.
  Object.assign(e, {
    kind: wire.kind,
    ...(wire.code !== undefined && { code: wire.code }),
    message: wire.message,
    problem: wire.problem ?? wire.message,
    fix: wire.fix,
    name: wire.name,
    data: wire.data,
  });
  Object.defineProperty(e, 'stack', { value: `${wire.name}: ${wire.message}\n    at (ingest worker)`, configurable: true, writable: true });
  return e;
}
