/**
 * Writes a folder of small generated markdown documents for ingest tests.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `count` documents of roughly `bytes` each into `dir`; returns `dir`. */
export function writeDocs(dir: string, count: number, bytes = 2000): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: Math.ceil(bytes / 8) }, (_, j) => `w${(i * 31 + j * 7) % 997}`).join(' ');
    writeFileSync(
      join(dir, `doc-${String(i).padStart(5, '0')}.md`),
      `# Document ${i}\n\n## Part one\n\n${words}\n\n## Part two\n\n${words}\n`,
    );
  }
  return dir;
}
