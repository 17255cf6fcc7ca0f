import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenCounter } from '../../src/embedders/token-counter.js';
import { ESTIMATE_MARGIN, tokenizerCounter, WORDPIECE_ESTIMATE } from '../../src/embedders/token-counter.js';
import { LocalEmbedder } from '../../src/embedders/local-embedder.js';
import { OfflineEmbedder } from '../../src/embedders/offline-embedder.js';
import { OpenAiEmbedder } from '../../src/embedders/openai-embedder.js';
import { chunkMarkdown, joinChunks } from '../../src/ingest/chunker.js';
import { chunkingLabel, chunkingPlan, MAX_CHUNK_TOKENS } from '../../src/ingest/chunking.js';
import { embeddingText } from '../../src/ingest/embedding-session.js';
import { wordPieceTokenizerJson } from '../support/bert-model.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A tiny WordPiece tokenizer, written as a model folder's tokenizer.json and loaded by
 * transformers.js' AutoTokenizer as a local model's would be: only single letters and digits as
 * pieces, so every word costs one token per character, far more than the WordPiece estimate says.
 */
async function tinyWordPiece(): Promise<TokenCounter> {
  const dir = tempDir();
  const chars = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
  const punctuation = [...'.,;:!?()[]{}<>=+-*/\\|_#`\'"@$%^&~'];
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...chars, ...chars.map((c) => `##${c}`), ...punctuation];
  mkdirSync(join(dir, 'tiny'));
  writeFileSync(join(dir, 'tiny', 'tokenizer.json'), JSON.stringify(wordPieceTokenizerJson(tokens)));
  writeFileSync(join(dir, 'tiny', 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true }));
  env.localModelPath = dir;
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained('tiny');
  return tokenizerCounter('tiny', (text) => tokenizer.encode(text, { add_special_tokens: false }).length);
}

const prose = (n: number) => Array.from({ length: n }, (_, i) => `Sentence ${i} explains how the setting works in practice.`).join(' ');
const code = (lines: number) =>
  '```python\n' + Array.from({ length: lines }, (_, i) => `result_${i} = compute(value_${i}, flag=True)`).join('\n') + '\n```';
const table = (rows: number) =>
  '| name | type | description |\n| --- | --- | --- |\n' +
  Array.from({ length: rows }, (_, i) => `| option_${i} | int | how many items ${i} |`).join('\n');
const longHeading = (level: number, word: string, n = 25) => `${'#'.repeat(level)} ${`${word} `.repeat(n).trim()}`;

const DOCUMENT = [
  '# Manual',
  prose(40),
  '## A long code block',
  code(120),
  '## A long table',
  table(150),
  longHeading(2, 'configuration', 2),
  longHeading(3, 'parameters', 2),
  prose(30),
  `one line without breaks ${'word_with_parts '.repeat(400)}`,
].join('\n\n');

/** The largest count of a chunk as embedded: breadcrumb, overlap and text. */
const largest = (chunks: { heading: string; text: string }[], counter: TokenCounter) =>
  Math.max(...chunks.map((c) => counter.count(embeddingText(c.heading, c.text))));

describe('token-aware chunking', () => {
  let tiny: TokenCounter;
  beforeAll(async () => {
    tiny = await tinyWordPiece();
  });

  it("keeps every chunk (breadcrumb and overlap included) inside the window as the model's tokenizer counts it", () => {
    for (const maxTokens of [128, 254]) {
      const plan = chunkingPlan({ maxTokens, counter: tiny });
      const { chunks } = chunkMarkdown(DOCUMENT, plan);
      expect(largest(chunks, tiny)).toBeLessThanOrEqual(maxTokens);
      // The estimate would have let chunks through that the tokenizer finds far too long.
      expect(largest(chunkMarkdown(DOCUMENT, chunkingPlan({ maxTokens, counter: WORDPIECE_ESTIMATE })).chunks, tiny)).toBeGreaterThan(
        maxTokens * 2,
      );
      expect(joinChunks(chunks)).toBe(DOCUMENT);
    }
  });

  it('splits long code blocks and tables within the window, at line ends, keeping them readable', () => {
    const plan = chunkingPlan({ maxTokens: 254, counter: WORDPIECE_ESTIMATE });
    const { chunks } = chunkMarkdown(DOCUMENT, plan);
    expect(largest(chunks, WORDPIECE_ESTIMATE)).toBeLessThanOrEqual(254);
    const codeChunks = chunks.filter((c) => c.heading === 'Manual > A long code block');
    const tableChunks = chunks.filter((c) => c.heading === 'Manual > A long table');
    expect(codeChunks.length).toBeGreaterThan(2);
    expect(tableChunks.length).toBeGreaterThan(2);
    // Cut at line ends only: no row or statement is split (a chunk may start mid-line only in its overlap).
    const lines = (cs: typeof chunks, mark: string) =>
      cs.flatMap((c) => c.text.slice(c.overlap).split('\n')).filter((l) => l.includes(mark));
    for (const line of lines(codeChunks, 'compute(')) expect(line).toMatch(/^result_\d+ = compute\(value_\d+, flag=True\)$/);
    for (const line of lines(tableChunks, 'option_')) expect(line).toMatch(/^\| option_\d+ \| int \| how many items \d+ \|$/);
    expect(lines(codeChunks, 'compute(')).toHaveLength(120);
    expect(lines(tableChunks, 'option_')).toHaveLength(150);
  });

  it('counts the breadcrumb in the budget: long headings leave less room for text', () => {
    const plan = chunkingPlan({ maxTokens: 128, counter: WORDPIECE_ESTIMATE });
    const deep = `${longHeading(1, 'alpha')}\n\n${longHeading(2, 'beta')}\n\n${prose(60)}`;
    const { chunks } = chunkMarkdown(deep, plan);
    const crumb = WORDPIECE_ESTIMATE.count(chunks[0]!.heading);
    expect(crumb).toBeGreaterThan(40);
    for (const c of chunks) {
      expect(WORDPIECE_ESTIMATE.count(embeddingText(c.heading, c.text))).toBeLessThanOrEqual(128);
      expect(WORDPIECE_ESTIMATE.count(c.text)).toBeLessThanOrEqual(128 - crumb);
    }
  });

  it("sizes chunks from each embedder's window, and a plan's label names what makes it chunk differently", () => {
    expect(new LocalEmbedder({ kind: 'local' }).window().maxTokens).toBe(254);
    expect(new LocalEmbedder({ kind: 'local', maxTokens: 512 }).window().maxTokens).toBe(510);
    expect(new OfflineEmbedder().window().maxTokens).toBe(254);
    const openai = (model: string, maxTokens?: number) =>
      new OpenAiEmbedder({ kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model, ...(maxTokens && { maxTokens }) }).window().maxTokens;
    expect(openai('text-embedding-3-small')).toBe(8191);
    expect(openai('nomic-embed-text:latest')).toBe(8192);
    expect(openai('all-minilm')).toBe(256);
    expect(openai('some-new-model')).toBe(512);
    expect(openai('some-new-model', 2048)).toBe(2048);

    expect(chunkingPlan({ maxTokens: 8191, counter: WORDPIECE_ESTIMATE }).maxTokens).toBe(MAX_CHUNK_TOKENS);
    expect(chunkingPlan(null)).toMatchObject({ maxTokens: 254, counter: WORDPIECE_ESTIMATE });
    expect(chunkingPlan({ maxTokens: 254, counter: WORDPIECE_ESTIMATE }, { maxTokens: 100 })).toMatchObject({
      maxTokens: 100,
      targetTokens: 85,
    });
    const label = chunkingLabel(chunkingPlan({ maxTokens: 254, counter: WORDPIECE_ESTIMATE }));
    expect(label).toBe('254 tokens (target 216, min 108, overlap 32) by estimate:wordpiece-v1');
    expect(chunkingLabel(chunkingPlan({ maxTokens: 254, counter: tiny }))).not.toBe(label);
  });

  it('estimates WordPiece counts from words, punctuation and CJK ideographs, in linear time', () => {
    expect(WORDPIECE_ESTIMATE.count('')).toBe(0);
    expect(WORDPIECE_ESTIMATE.count('   \n\t ')).toBe(0);
    // Five pieces and three, with the safety margin on top.
    expect(WORDPIECE_ESTIMATE.count('a.b,c')).toBe(Math.ceil(5 * ESTIMATE_MARGIN));
    expect(WORDPIECE_ESTIMATE.count('中文字')).toBe(Math.ceil(3 * ESTIMATE_MARGIN));
    // A run-together identifier costs more than a prose word of the same length.
    expect(WORDPIECE_ESTIMATE.count('x.configparser')).toBeGreaterThan(WORDPIECE_ESTIMATE.count('x configparser'));
  });
});
