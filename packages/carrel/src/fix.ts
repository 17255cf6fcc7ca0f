/**
 * What a person or a model can do about a condition, kept as data rather than words: the library
 * API, the CLI and the MCP tools each have their own name for the same fix (`reindexLibrary()`,
 * `carrel reindex python@3.11`, `reindex_library` with `library: "python@3.11"`), so an error, a
 * search note or an ingest warning carries a `Fix` and whoever shows it names the fix in the terms
 * of the surface it is shown in. The library API's wording lives here; the CLI's in `cli/fix.ts`,
 * the tools' in `app/tools/tool-fix.ts`.
 *
 * @module
 */

/** A fix, by what it does. */
export type Fix =
  /** Embed the library's chunks that have no vector (or rebuild it for the current model). */
  | { action: 'reindex'; library: string; version: string }
  /** Let files under `folder` be read. */
  | { action: 'allow_folder'; folder: string }
  /** Raise a size limit (`maxFileBytes` for files and content, `fetch.maxBytes` for URLs). */
  | { action: 'raise_limit'; limit: 'maxFileBytes' | 'fetch.maxBytes' }
  /** Let URLs that resolve to loopback, private or link-local addresses be fetched. */
  | { action: 'allow_private_addresses' }
  /** See which libraries exist (a library named was not found). */
  | { action: 'list_libraries' }
  /** See which connectors exist (a connector named was not found). */
  | { action: 'list_connectors' }
  /** Give search a semantic model (it is keyword-only without one). */
  | { action: 'configure_embedder' }
  /** Store a new token as the connector's secret. */
  | { action: 'set_connector_token'; connector: string };

/** Names a fix in one surface's terms; undefined when that surface offers no such fix. */
export type FixNamer = (fix: Fix) => string | undefined;

/** A condition worth telling (a search note, an ingest warning), with what would fix it. */
export interface Notice {
  message: string;
  fix?: Fix;
}

/** `name` or `name@version`, the way libraries are listed and named everywhere. */
export const libraryLabel = (library: string, version: string): string => (version ? `${library}@${version}` : library);

/** The fix in the library API's terms: `KnowledgeBase` methods and options. */
export const apiFix: FixNamer = (fix) => {
  switch (fix.action) {
    case 'reindex':
      return `run reindexLibrary(${JSON.stringify(fix.library)}${fix.version ? `, ${JSON.stringify(fix.version)}` : ''})`;
    case 'allow_folder':
      return `add ${fix.folder} to allowedRoots to ingest it`;
    case 'raise_limit':
      return `raise ${fix.limit} to ingest it`;
    case 'allow_private_addresses':
      return 'set fetch.allowPrivateAddresses to fetch local servers';
    case 'list_libraries':
      return 'listLibraries() lists them';
    case 'list_connectors':
      return 'listConnectors() lists them';
    case 'configure_embedder':
      return 'set the embedder option of KnowledgeBase.open (the local model, or an OpenAI-compatible endpoint), then reindexLibrary() each library';
    case 'set_connector_token':
      return `setConnectorSecret(${JSON.stringify(fix.connector)}, token) stores a new one`;
  }
};

/** `message`, followed by the fix as `name` names it (if it names one). */
export function withFix(message: string, fix: Fix | undefined, name: FixNamer): string {
  const named = fix && name(fix);
  return named ? `${message}; ${named}` : message;
}
