/**
 * A pack install killed with SIGKILL mid-way shows nothing (no document, no pack record); the same
 * install run again resumes what was staged and ends with every document exactly once and the pack
 * recorded once, as a crash-free install would.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { spawnChild } from '../support/child.js';
import { makePack, packDocuments, writePack } from '../support/packs.js';
import { tempDir } from '../support/temp-dir.js';

/** [live documents, distinct live sources, staged versions, pack rows]. */
function state(dataDir: string): [number, number, number, number] {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  const count = (sql: string) => db.prepare<[], { n: number }>(sql).get()!.n;
  try {
    return [
      count('SELECT count(*) AS n FROM documents WHERE live_version > 0'),
      count('SELECT count(DISTINCT source) AS n FROM documents WHERE live_version > 0'),
      count('SELECT count(*) AS n FROM document_stages'),
      count('SELECT count(*) AS n FROM packs'),
    ];
  } finally {
    db.close();
  }
}

describe('pack install crash recovery', () => {
  it('a SIGKILL mid-install shows nothing; the retry ends with every document once and the pack recorded once', async () => {
    const { path } = writePack(tempDir(), 'big.json.gz', makePack('big', '1', packDocuments(600)));
    const dataDir = tempDir();
    const child = spawnChild('pack-child.ts', [dataDir, path, '16', 'install-1']);
    await child.waitFor(/^progress (1\d\d|[2-5]\d\d) /);
    child.process.kill('SIGKILL');
    expect(await child.exited).toBe(null);
    const [live, , staged, packs] = state(dataDir);
    expect([live, packs]).toEqual([0, 0]);
    expect(staged).toBeGreaterThanOrEqual(100);
    expect(staged).toBeLessThan(600);

    const again = spawnChild('pack-child.ts', [dataDir, path, '16', 'install-1']);
    const done = JSON.parse((await again.waitFor(/^done /)).slice(5)) as Record<string, number>;
    expect(done).toEqual({ created: 600, unchanged: 0, resumed: staged });
    expect(await again.exited).toBe(0);
    expect(state(dataDir)).toEqual([600, 600, 0, 1]);
  }, 120_000);
});
