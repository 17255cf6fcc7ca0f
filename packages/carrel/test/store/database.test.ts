import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { tempDir } from '../support/temp-dir.js';

describe('openDatabase', () => {
  it('creates the schema once, in WAL mode with sqlite-vec loaded, and reopening applies nothing twice', () => {
    const path = join(tempDir(), 'kb.db');
    const first = openDatabase(path);
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.prepare('SELECT vec_version() AS v').get()).toEqual({ v: expect.stringMatching(/^v0\.1\./) });
    const versions = first.prepare('SELECT version, name FROM schema_migrations').all();
    expect(versions).toEqual([
      { version: 1, name: '0001_initial.sql' },
      { version: 2, name: '0002_chunk_overlap.sql' },
      { version: 3, name: '0003_staged_runs.sql' },
      { version: 4, name: '0004_chunk_source_gaps.sql' },
      { version: 5, name: '0005_page_kind.sql' },
      { version: 6, name: '0006_document_links.sql' },
      { version: 7, name: '0007_chunking.sql' },
      { version: 8, name: '0008_packs.sql' },
      { version: 9, name: '0009_connectors.sql' },
      { version: 10, name: '0010_connector_schedules.sql' },
      { version: 11, name: '0011_sync_plans.sql' },
      { version: 12, name: '0012_connector_secrets.sql' },
    ]);
    first.close();
    const second = openDatabase(path);
    expect(second.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(versions);
    second.close();
  });
});
