/**
 * Fixes named in the CLI's terms: the commands and flags a person at the terminal can type (the
 * library API and the MCP tools name the same fixes their own way; see `../fix.ts`).
 *
 * @module
 */
import { libraryLabel, type FixNamer } from '../fix.js';

/** A word as it can be typed into a shell: quoted when it holds anything but plain name characters. */
const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** The fix as a command or flag to type; undefined where the CLI has no setting for it. */
export const cliFix: FixNamer = (fix) => {
  switch (fix.action) {
    case 'reindex':
      return `run carrel reindex ${shellWord(libraryLabel(fix.library, fix.version))}`;
    case 'allow_folder':
      return `allow its folder with --allow ${shellWord(fix.folder)} (or CARREL_ALLOWED_ROOTS)`;
    case 'raise_limit':
      return undefined;
    case 'allow_private_addresses':
      return 'run carrel with --allow-private-addresses (or CARREL_ALLOW_PRIVATE_ADDRESSES=1) if it is a server of your own, or save the page and carrel add the file';
    case 'list_libraries':
      return 'carrel libraries lists them';
    case 'list_connectors':
      return 'carrel connectors list lists them';
    case 'configure_embedder':
      return 'choose a model with --embedder local|openai (or CARREL_EMBEDDER; openai needs CARREL_OPENAI_BASE_URL), then run carrel reindex <library> for each library';
    case 'set_connector_token':
      return `store a new one with carrel connectors set-token ${shellWord(fix.connector)} --token-env VARIABLE, then sync again`;
  }
};
