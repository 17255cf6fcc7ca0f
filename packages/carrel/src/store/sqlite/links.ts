/**
 * The link targets of a document version (see migrations/0006_document_links.sql): written with
 * the version's stage, read for its live version, deleted when the version is collected.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { Link } from '../../sources/html-to-markdown.js';
import { stmt } from './statements.js';

/** Writes the links of a staged version, in page order. */
export function insertLinks(db: Database, documentId: number, version: number, links: readonly Link[]): void {
  const insert = stmt(db, 'INSERT INTO document_links (document_id, version, ord, text, href) VALUES (?, ?, ?, ?, ?)');
  links.forEach((l, ord) => insert.run(documentId, version, ord, l.text, l.href));
}

/** The links of one version of a document, in page order. */
export function versionLinks(db: Database, documentId: number, version: number): Link[] {
  return stmt<[number, number], Link>(db, 'SELECT text, href FROM document_links WHERE document_id = ? AND version = ? ORDER BY ord').all(
    documentId,
    version,
  );
}

/** The links of a document's live version, in page order. */
export function liveLinks(db: Database, documentId: number): Link[] {
  return stmt<[number], Link>(
    db,
    `SELECT k.text, k.href FROM document_links k JOIN documents d ON d.id = k.document_id AND k.version = d.live_version
     WHERE k.document_id = ? ORDER BY k.ord`,
  ).all(documentId);
}

/** Deletes the links of a version that is garbage. */
export function deleteLinks(db: Database, documentId: number, version: number): void {
  stmt(db, 'DELETE FROM document_links WHERE document_id = ? AND version = ?').run(documentId, version);
}
