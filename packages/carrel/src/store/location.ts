/**
 * Where a knowledge base's store lives, as plain data: the main thread tells the ingest worker
 * through workerData, and each opens its own repository on it with `openRepository`.
 *
 * @module
 */

/** See module comment. */
export type StoreLocation = { kind: 'sqlite'; path: string };
