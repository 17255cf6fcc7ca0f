/**
 * The connector contract. A connector is a configured source of documents (a folder, a git
 * repository, a web site, a hosted service) that a sync keeps a library in step with. It reports
 * what changed since the last sync, as a stream, and the sync ingests the upserts, removes the
 * deletions and commits the connector's new cursor in the same transaction as the documents it
 * covers (the run's publish): a crash or a cancel leaves the old cursor and the library as they
 * were, and the retried sync resumes from the run's staged documents.
 *
 * Two kinds of memory let a connector report only what changed:
 * - its **cursor**, one opaque string per connector (a commit id, a timestamp), for sources that
 *   can answer "what changed since X" (git, a hosted API);
 * - each document's **version marker** (`known`), an opaque string the connector chose when the
 *   document was last synced (mtime and size, an ETag and Last-Modified, a blob id), for sources
 *   that can only be compared item by item (a folder, a web site).
 *
 * A connector never writes to the store; it reads the source and reports. One file per kind sits
 * beside this one.
 *
 * @module
 */
import type { MediaType } from '../sources/media-type.js';
import type { FetchLimits } from '../sources/url-source.js';

/** One change, in the order the connector finds them; `done` comes last, exactly once. */
export type Change =
  /**
   * A source that is new or changed. A kind that reads items as it discovers them (a crawl) gives
   * `fetch`, which hands over what it read (undefined: it vanished since, which is a deletion); the
   * others leave it out and read the item later, in a fetch batch, through {@link Connector.fetchItems}.
   */
  | { type: 'upsert'; source: string; version: string; fetch?: () => Promise<FetchedItem | undefined> }
  /** A source that is gone. */
  | { type: 'delete'; source: string }
  /**
   * A source seen unchanged (a 304, an equal mtime): nothing to ingest, but it still exists. A
   * connector that reports `complete` reports every surviving source as an upsert or unchanged.
   */
  | { type: 'unchanged'; source: string }
  /**
   * The end: the cursor that covers everything reported, and whether the report was complete
   * (every source that exists was reported, so the library's other documents of this connector
   * are deletions). A crawl cut short by its page cap is not complete.
   */
  | { type: 'done'; cursor: string | null; complete: boolean };

/** An item's content as fetched. */
export interface FetchedItem {
  bytes: Uint8Array;
  mediaType: MediaType;
  /** A title the source gives (an API's name field), when the content has none of its own. */
  title?: string;
}

/** What a sync lends the connector. */
export interface SyncContext {
  /** The cursor committed by the last sync, or null on the first one. */
  cursor: string | null;
  /** The version marker stored with a source's live document, if the library holds it. */
  known(source: string): string | undefined;
  /** Every source the library holds from this connector. */
  knownSources(): Iterable<string>;
  /** Cancels the sync: a connector passes it to every request and stops at the next change. */
  signal: AbortSignal;
  /** Reports discovery progress (items seen so far; total when known). */
  progress(seen: number, total: number | undefined, message: string): void;
}

/** See module comment. */
export interface Connector {
  /** `directory`, `git`, `web`, `github`. */
  readonly kind: string;
  /** The changes since the last sync (see {@link Change}). */
  changes(context: SyncContext): AsyncIterable<Change>;
  /**
   * Reads upserts `changes` listed without a `fetch`, maybe in another process or after a restart:
   * one answer per item, in order (undefined: the item is gone since). A kind whose upserts all
   * carry `fetch` has none.
   */
  fetchItems?(items: readonly ListedItem[], signal: AbortSignal): AsyncIterable<FetchedItem | undefined>;
}

/** An upsert as a sync's plan keeps it, to be read by {@link Connector.fetchItems}. */
export interface ListedItem {
  source: string;
  version: string;
}

/** What a connector may use besides its options. */
export interface ConnectorEnv {
  /** The allowed roots as real paths: a connector reads local files only inside one. */
  roots: readonly string[];
  /** A folder of the connector's own under the data dir, for clones and caches (created on demand). */
  cacheDir: string;
  /** The connector's secret (a token), when one is stored; never logged or put in a task record. */
  secret: string | undefined;
  /** Largest item read, in bytes. */
  maxItemBytes: number;
  /** The server's URL fetch limits (timeouts, size cap, private-address guard) for a kind that fetches URLs. */
  fetchLimits: FetchLimits;
}

/**
 * One kind of connector: checks a connector's options when it is added (InvalidInputError naming
 * the option as `options.<name>`), and opens it for a sync with the options it checked.
 */
export interface ConnectorKind<Options extends object = Record<string, unknown>> {
  readonly kind: string;
  /** Whether the kind takes a secret (a token), and what for. */
  readonly secret?: string;
  checkOptions(options: Record<string, unknown>, env: Pick<ConnectorEnv, 'roots'>): Promise<Options>;
  open(options: Options, env: ConnectorEnv): Connector;
}
