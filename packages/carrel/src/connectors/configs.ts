/**
 * Connector configurations as the knowledge base takes and shows them: a new connector's name,
 * kind, target library and options checked (each bad one named), and the view every listing
 * gives, its secret masked.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import { parseLibraryRef } from '../library-ref.js';
import type { ConnectorRecord } from '../store/repository.js';
import { connectorKind } from './kinds.js';
import { checkSchedule, type Schedule } from './schedule.js';

/** A connector to add. */
export interface ConnectorInput {
  /** Unique, chosen by the user: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** `directory`, `git`, `web` or `github`. */
  kind: string;
  /** The library it fills, `name` or `name@version`. */
  library: string;
  version?: string;
  /** The kind's options (see each kind's module); never a secret. */
  options?: Record<string, unknown>;
  /** A token, stored apart (secrets.ts), for kinds that take one. */
  secret?: string;
  /** A 5-field cron expression: the server syncs the connector at each of its times (schedule.ts). */
  schedule?: string;
  /** The IANA time zone `schedule` is read in (default UTC). */
  timezone?: string;
}

/** A connector input once checked. */
export interface CheckedConnector {
  name: string;
  kind: string;
  library: string;
  version: string;
  options: Record<string, unknown>;
  secret?: string;
  schedule: Schedule | null;
}

/** A connector as listings show it. */
export interface ConnectorView {
  name: string;
  kind: string;
  library: string;
  version: string;
  options: Record<string, unknown>;
  /** The secret masked (`****abcd`), why this node cannot open it (`sealed; …`), or null without one. */
  secret: string | null;
  /** Where the last sync left off (a commit id for git), or null. */
  cursor: string | null;
  /** ISO time of the last sync, or null before the first. */
  lastSync: string | null;
  lastOutcome: string | null;
  /** Sources the connector holds in its library. */
  documents: number;
  /** Its cron schedule and time zone, or null when it syncs only when asked. */
  schedule: Schedule | null;
  /** ISO time of the next scheduled sync, or null without a schedule. */
  nextRun: string | null;
  /** The last slot a server claimed (ISO time) and the sync task it started or joined, or null. */
  lastScheduledRun: { slot: string; taskId: string | null } | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MAX_SECRET_CHARS = 4096;

/** The input checked: the kind's options normalized, the library split. */
export async function checkConnectorInput(input: ConnectorInput, roots: readonly string[]): Promise<CheckedConnector> {
  if (typeof input.name !== 'string' || !NAME.test(input.name))
    throw new InvalidInputError('name', 'a name of 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  const kind = connectorKind(input.kind);
  if (typeof input.library !== 'string' || input.library.trim() === '' || input.library.length > 200)
    throw new InvalidInputError('library', 'a non-empty name of at most 200 characters');
  const ref = parseLibraryRef(input.library.trim(), input.version);
  const options = input.options ?? {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new InvalidInputError('options', `an object of ${kind.kind} options`);
  const checked = await kind.checkOptions(options, { roots });
  if (input.secret !== undefined) checkSecret(kind.kind, input.secret);
  if (input.timezone !== undefined && input.schedule === undefined) throw new InvalidInputError('timezone', 'nothing without a schedule');
  return {
    name: input.name,
    kind: kind.kind,
    library: ref.library,
    version: ref.version ?? '',
    options: checked,
    ...(input.secret !== undefined && { secret: input.secret }),
    schedule: input.schedule === undefined ? null : checkSchedule(input.schedule, input.timezone),
  };
}

/** Refuses a secret the connector's kind takes none of, or that is no token (empty, spaced, too long). */
export function checkSecret(kindName: string, secret: unknown): asserts secret is string {
  const kind = connectorKind(kindName);
  if (!kind.secret) throw new InvalidInputError('secret', `nothing: a ${kind.kind} connector takes no secret`);
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_CHARS || /\s/.test(secret))
    throw new InvalidInputError('secret', `${kind.secret}, without spaces, at most ${MAX_SECRET_CHARS} characters`);
}

/** The listing of a stored connector. */
export function connectorView(record: ConnectorRecord, secret: string | null, documents: number): ConnectorView {
  return {
    name: record.name,
    kind: record.kind,
    library: record.library,
    version: record.version,
    options: record.options,
    secret,
    cursor: record.cursor,
    lastSync: record.lastSyncAt === null ? null : new Date(record.lastSyncAt).toISOString(),
    lastOutcome: record.lastOutcome,
    documents,
    schedule: record.schedule,
    nextRun: record.nextRunAt === null ? null : new Date(record.nextRunAt).toISOString(),
    lastScheduledRun: record.lastSlotAt === null ? null : { slot: new Date(record.lastSlotAt).toISOString(), taskId: record.lastSlotTask },
  };
}
