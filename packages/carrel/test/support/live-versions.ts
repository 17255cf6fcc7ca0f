/**
 * The live documents of a knowledge base, read straight from its database: a sync test compares
 * them before and after to tell a document left untouched (same live version) from one rewritten.
 *
 * @module
 */
import Database from 'better-sqlite3';
import type { KnowledgeBase } from 'carrel';

/** Live documents by source, with their live version. */
export function liveVersions(kb: KnowledgeBase): Map<string, number> {
  const db = new Database(kb.databasePath!, { readonly: true });
  try {
    const rows = db
      .prepare<[], { source: string; v: number }>('SELECT source, live_version AS v FROM documents WHERE live_version > 0')
      .all();
    return new Map(rows.map((r) => [r.source, r.v]));
  } finally {
    db.close();
  }
}
