/**
 * A deterministic generated documentation corpus: ~6 KB markdown documents with headings,
 * paragraphs drawn from a Zipf-distributed vocabulary, lists and fenced code blocks. Shared by the
 * ingest and search benchmarks.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small seeded PRNG (mulberry32), so every run generates the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'te',
  'su',
  'no',
  'vi',
  'den',
  'tor',
  'qua',
  'plex',
  'ser',
  'ion',
  'ar',
  'el',
  'un',
  'ox',
  'fi',
  'bra',
];

/** 6,000 pseudo-words; index 0 is the most frequent. */
export const VOCABULARY: string[] = (() => {
  const r = rng(7);
  const words = new Set<string>();
  while (words.size < 6000) {
    let w = '';
    const n = 2 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
})();

/** Picks a word with Zipf-like frequency. */
export function zipfWord(r: () => number): string {
  const i = Math.floor(Math.exp(r() * Math.log(VOCABULARY.length))) - 1;
  return VOCABULARY[i]!;
}

function sentence(r: () => number): string {
  const n = 8 + Math.floor(r() * 12);
  const words = Array.from({ length: n }, () => zipfWord(r));
  return `${words[0]![0]!.toUpperCase()}${words.join(' ').slice(1)}.`;
}

/** One ~`targetBytes` markdown document. */
export function makeDocument(i: number, targetBytes = 6000): string {
  const r = rng(1000 + i);
  const parts = [`# ${zipfWord(r)} ${zipfWord(r)} guide ${i}`, ''];
  let size = parts[0]!.length;
  let section = 0;
  while (size < targetBytes) {
    const h = `## ${zipfWord(r)} ${zipfWord(r)} ${++section}`;
    const para = Array.from({ length: 3 + Math.floor(r() * 4) }, () => sentence(r)).join(' ');
    const extra =
      r() < 0.3
        ? `\n\n\`\`\`ts\nconst ${zipfWord(r)} = ${zipfWord(r)}(${Math.floor(r() * 100)});\nawait ${zipfWord(r)}.${zipfWord(r)}();\n\`\`\``
        : r() < 0.5
          ? `\n\n- ${zipfWord(r)} ${zipfWord(r)}\n- ${zipfWord(r)} ${zipfWord(r)}`
          : '';
    const block = `${h}\n\n${para}${extra}\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('\n');
}

/** Writes `count` documents under `dir` (100 per sub-folder); returns the total bytes written. */
export function writeCorpus(dir: string, count: number, targetBytes = 6000): number {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `part-${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    const text = makeDocument(i, targetBytes);
    writeFileSync(join(sub, `doc-${String(i).padStart(6, '0')}.md`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}
