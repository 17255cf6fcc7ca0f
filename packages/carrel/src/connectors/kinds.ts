/**
 * The connector kinds Carrel knows, by name: the one place a new kind is registered.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';
import type { ConnectorKind } from './connector.js';
import { directoryKind } from './directory.js';
import { gitKind } from './git.js';
import { githubKind } from './github.js';
import { webKind } from './web.js';

// Each kind checks the options it opens with, so the map erases their types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const KINDS: Record<string, ConnectorKind<any>> = {
  [directoryKind.kind]: directoryKind,
  [gitKind.kind]: gitKind,
  [githubKind.kind]: githubKind,
  [webKind.kind]: webKind,
};

/** The kinds' names. */
export const CONNECTOR_KINDS = Object.keys(KINDS);

/** The kind named `kind`, or InvalidInputError naming the kinds there are. */
export function connectorKind(kind: string): ConnectorKind<Record<string, unknown>> {
  const found = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  if (!found) throw new InvalidInputError('kind', `one of ${CONNECTOR_KINDS.join(', ')}`);
  return found as ConnectorKind<Record<string, unknown>>;
}
