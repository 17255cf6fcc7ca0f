/**
 * Fixes named in the MCP tools' terms: the tool a model can call and its arguments (the library
 * API and the CLI name the same fixes their own way; see `../../fix.ts`). A model cannot change
 * the server's settings, so a fix only the operator can make is named as the way round it.
 *
 * @module
 */
import { type FixNamer } from '../../fix.js';

/** The fix as a tool call a model can make. */
export const toolFix: FixNamer = (fix) => {
  switch (fix.action) {
    case 'reindex':
      return `call reindex_library with ${JSON.stringify({ library: fix.library, ...(fix.version && { version: fix.version }) })}`;
    case 'allow_folder':
      return `this server reads files only under the folders its user allowed (carrel --allow); ask them to allow ${fix.folder}, or pass the text as content to index_document`;
    case 'raise_limit':
      return 'pass a smaller part of it as content to index_document';
    case 'allow_private_addresses':
      return "pass the page's text as content to index_document instead, or ask this server's user to run it with --allow-private-addresses if the address is theirs";
    case 'list_libraries':
      return 'list_libraries lists them';
    case 'list_connectors':
      return 'list_connectors lists them';
    case 'configure_embedder':
      return "keyword search still works; a semantic model is the server user's setting (carrel --embedder)";
    case 'set_connector_token':
      return `call sync_connector with ${JSON.stringify({ connector: fix.connector })} as a task: it asks for a new token`;
  }
};
