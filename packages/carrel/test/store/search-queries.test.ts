import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { allowedChunkIds, filterClause } from '../../src/store/sqlite/search-queries.js';
import { libraryId, writeLive } from '../support/store.js';
import { tempDir } from '../support/temp-dir.js';

function store() {
  const db = openDatabase(join(tempDir(), 'kb.db'));
  const a = libraryId(db, 'a');
  const b = libraryId(db, 'b');
  const doc = (library: number, source: string, tags: string[] = []) => {
    const [documentId] = writeLive(db, library, null, [
      {
        header: { source, kind: 'file', title: source, contentHash: source, bytes: 1, tags, pageKind: 'content' },
        chunks: [
          { heading: '', text: `${source} one`, overlap: 0, lead: '', trail: '', vector: null },
          { heading: '', text: `${source} two`, overlap: 0, lead: '\n\n', trail: '', vector: null },
        ],
      },
    ]);
    return db
      .prepare<[number], { id: number }>('SELECT id FROM chunks WHERE document_id = ? ORDER BY ord')
      .all(documentId!)
      .map((r) => r.id);
  };
  return { db, a, b, doc };
}

describe('filter allowlists', () => {
  it('groups the passing chunk ids by library and leaves out libraries with none', () => {
    const { db, a, b, doc } = store();
    const tagged = doc(a, 'x.md', ['t', 'u']);
    doc(a, 'y.md', ['t']);
    doc(b, 'z.md');
    const allowed = allowedChunkIds(db, [a, b], filterClause({ tags: ['t', 'u'] }));
    expect([...allowed.entries()]).toEqual([[a, tagged]]);
    db.close();
  });

  it('matches a source prefix literally, with LIKE wildcards and case taken as written', () => {
    const { db, a, doc } = store();
    const inside = [...doc(a, 'docs/50%_off/a.md'), ...doc(a, 'docs/50%_off/sub/b.md')];
    doc(a, 'docs/50x_off/c.md');
    doc(a, 'docs/50%_off.md');
    doc(a, 'Docs/50%_off/d.md');
    doc(a, 'docs/50%_of/e.md');
    const allowed = allowedChunkIds(db, [a], filterClause({ source: 'docs/50%_off/' }));
    expect(allowed.get(a)?.sort((x, y) => x - y)).toEqual(inside);
    db.close();
  });
});
