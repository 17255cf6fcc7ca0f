/**
 * Where a knowledge base's store lives, as plain data: the main thread tells the ingest worker
 * through workerData, and each opens its own repository on it with `openRepository`.
 *
 * @module
 */

import { databasePath } from '../data-dir.js';

/** See module comment. */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The PostgreSQL database when one is given, else the SQLite file of the data dir. */
export function storeLocation(dataDir: string, databaseUrl: string | undefined): StoreLocation {
  return databaseUrl !== undefined ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite', path: databasePath(dataDir) };
}

/** How a location is shown to a person: a PostgreSQL URL without its password. */
export function describeLocation(location: StoreLocation): string {
  if (location.kind === 'sqlite') return location.path;
  const url = new URL(location.url);
  if (url.password) url.password = '****';
  return url.toString();
}
