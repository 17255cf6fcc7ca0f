/**
 * Writes a randomly initialised BERT sentence-embedding model in the layout
 * `@huggingface/transformers` loads (config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model.onnx and onnx/model_quantized.onnx), so the local embedder can be tested and
 * benchmarked with no download. The graph is the real architecture — embeddings, post-LN encoder
 * layers with multi-head attention and erf GELU — so its cost per token matches a trained model of
 * the same size; its vectors carry no meaning. The quantized file quantizes every encoder MatMul
 * weight to int8 (dynamic activation quantization, as `quantize_dynamic` does), the form the
 * local embedder runs by default.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Initializer, Node, ValueInfo } from './onnx-writer.js';
import { DataType, encodeModel } from './onnx-writer.js';

/** Model size. */
export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
}

/** all-MiniLM-L6-v2's shape. */
export const MINILM_SHAPE: BertShape = { layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512 };

/** Small enough to build in milliseconds for tests. */
export const TINY_SHAPE: BertShape = { layers: 2, hidden: 32, heads: 4, intermediate: 64, vocab: 400, maxPositions: 128 };

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** Deterministic normal-ish numbers (sum of uniforms), so two builds are identical. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return () => uniform() + uniform() + uniform() - 1.5;
}

/**
 * The vocabulary: special tokens, single characters and their `##` continuations, then `words`
 * (most useful first), padded with `[unusedN]` to `size`.
 */
function vocabulary(size: number, words: readonly string[]): string[] {
  const chars = [];
  for (let c = 33; c < 127; c++) if (!/[A-Z]/.test(String.fromCharCode(c))) chars.push(String.fromCharCode(c));
  const vocab = [...SPECIAL, ...chars, ...chars.filter((c) => /[a-z0-9]/.test(c)).map((c) => `##${c}`)];
  const seen = new Set(vocab);
  for (const w of words) {
    if (vocab.length >= size) break;
    if (!seen.has(w)) {
      seen.add(w);
      vocab.push(w);
    }
  }
  for (let i = 0; vocab.length < size; i++) vocab.push(`[unused${i}]`);
  return vocab;
}

/** A BERT WordPiece tokenizer.json (as Hugging Face writes it) over `vocab`, ids in its order. */
export function wordPieceTokenizerJson(vocab: readonly string[]): object {
  const ids = Object.fromEntries(vocab.map((t, i) => [t, i]));
  const special = (content: string) => ({
    id: ids[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const token = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, token('[SEP]')],
      pair: [
        token('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        token('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [ids[t]], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/** Builds the graph; `quantized` swaps each encoder MatMul for DynamicQuantizeLinear + MatMulInteger. */
function graph(shape: BertShape, quantized: boolean, seed: number): Uint8Array {
  const { hidden: h, heads, intermediate, vocab, maxPositions, layers } = shape;
  const headDim = h / heads;
  const next = random(seed);
  const nodes: Node[] = [];
  const inits: Initializer[] = [];
  const floats = (name: string, dims: number[], fill: (i: number) => number) => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill(i);
    inits.push({ name, type: DataType.FLOAT, dims, data });
    return name;
  };
  const weights = (name: string, dims: number[]) => floats(name, dims, () => next() * 0.04);
  const ints = (name: string, values: number[], dims: number[] = [values.length]) => {
    inits.push({ name, type: DataType.INT64, dims, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };
  const node = (op: string, inputs: string[], output: string, attributes?: Node['attributes']) => {
    nodes.push({ op, inputs, outputs: [output], attributes });
    return output;
  };
  const layerNorm = (x: string, name: string) =>
    node('LayerNormalization', [x, floats(`${name}.gamma`, [h], () => 1), floats(`${name}.beta`, [h], () => 0)], `${name}.out`, {
      axis: -1,
      epsilon: { float: 1e-12 },
    });
  const linear = (x: string, name: string, rows: number, cols: number) => {
    const bias = floats(`${name}.bias`, [cols], () => 0);
    if (!quantized) return node('Add', [node('MatMul', [x, weights(`${name}.weight`, [rows, cols])], `${name}.mm`), bias], `${name}.out`);
    const w = new Int8Array(rows * cols);
    for (let i = 0; i < w.length; i++) w[i] = Math.max(-127, Math.min(127, Math.round(next() * 127)));
    inits.push({ name: `${name}.weight_q`, type: DataType.INT8, dims: [rows, cols], data: w });
    inits.push({ name: `${name}.weight_zp`, type: DataType.INT8, dims: [], data: new Int8Array(1) });
    const wScale = floats(`${name}.weight_scale`, [], () => 0.04 / 127);
    nodes.push({ op: 'DynamicQuantizeLinear', inputs: [x], outputs: [`${name}.xq`, `${name}.xs`, `${name}.xzp`] });
    const product = node('MatMulInteger', [`${name}.xq`, `${name}.weight_q`, `${name}.xzp`, `${name}.weight_zp`], `${name}.int`);
    const scale = node('Mul', [`${name}.xs`, wScale], `${name}.scale`);
    return node(
      'Add',
      [node('Mul', [node('Cast', [product], `${name}.f`, { to: DataType.FLOAT }), scale], `${name}.mm`), bias],
      `${name}.out`,
    );
  };

  // Embeddings: word + position + token type, then LayerNorm.
  const word = node('Gather', [weights('word_embeddings', [vocab, h]), 'input_ids'], 'word');
  const seqLen = node('Gather', [node('Shape', ['input_ids'], 'ids_shape'), ints('one_scalar', [1], [])], 'seq_len');
  const positionIds = node('Range', [ints('zero_scalar', [0], []), seqLen, 'one_scalar'], 'position_ids');
  const position = node('Gather', [weights('position_embeddings', [maxPositions, h]), positionIds], 'position');
  const type = node('Gather', [weights('token_type_embeddings', [2, h]), 'token_type_ids'], 'type');
  let x = layerNorm(node('Add', [node('Add', [word, position], 'word_position'), type], 'embedding_sum'), 'embeddings.ln');

  // Attention mask → additive bias [batch, 1, 1, seq]: 0 where attended, -10000 on padding.
  const maskFloat = node('Cast', ['attention_mask'], 'mask_float', { to: DataType.FLOAT });
  const inverted = node('Sub', [floats('one_float', [], () => 1), maskFloat], 'mask_inverted');
  const bias = node(
    'Unsqueeze',
    [node('Mul', [inverted, floats('mask_value', [], () => -10000)], 'mask_scaled'), ints('mask_axes', [1, 2])],
    'mask_bias',
  );
  const splitHeads = ints('split_heads', [0, 0, heads, headDim]);
  const mergeHeads = ints('merge_heads', [0, 0, h]);
  const attentionScale = floats('attention_scale', [], () => 1 / Math.sqrt(headDim));
  const halfFloat = floats('half', [], () => 0.5);
  const sqrt2 = floats('sqrt2', [], () => Math.SQRT2);

  for (let l = 0; l < layers; l++) {
    const p = `layer${l}`;
    const heads4 = (name: string, perm: number[]) =>
      node('Transpose', [node('Reshape', [linear(x, `${p}.${name}`, h, h), splitHeads], `${p}.${name}.split`)], `${p}.${name}.t`, { perm });
    const q = heads4('query', [0, 2, 1, 3]);
    const k = heads4('key', [0, 2, 3, 1]);
    const v = heads4('value', [0, 2, 1, 3]);
    const scores = node('Add', [node('Mul', [node('MatMul', [q, k], `${p}.qk`), attentionScale], `${p}.scaled`), bias], `${p}.scores`);
    const probs = node('Softmax', [scores], `${p}.probs`, { axis: -1 });
    const context = node(
      'Reshape',
      [node('Transpose', [node('MatMul', [probs, v], `${p}.ctx`)], `${p}.ctx.t`, { perm: [0, 2, 1, 3] }), mergeHeads],
      `${p}.merged`,
    );
    const attended = layerNorm(node('Add', [linear(context, `${p}.attn_out`, h, h), x], `${p}.attn_res`), `${p}.attn_ln`);
    const up = linear(attended, `${p}.ffn_in`, h, intermediate);
    const erf = node('Erf', [node('Div', [up, sqrt2], `${p}.gelu_div`)], `${p}.gelu_erf`);
    const gelu = node(
      'Mul',
      [node('Mul', [up, halfFloat], `${p}.gelu_half`), node('Add', [erf, 'one_float'], `${p}.gelu_plus`)],
      `${p}.gelu`,
    );
    x = layerNorm(node('Add', [linear(gelu, `${p}.ffn_out`, intermediate, h), attended], `${p}.ffn_res`), `${p}.ffn_ln`);
  }
  node('Identity', [x], 'last_hidden_state');

  const ids = (name: string): ValueInfo => ({ name, type: DataType.INT64, shape: ['batch', 'sequence'] });
  return encodeModel({
    name: 'bert',
    nodes,
    initializers: inits,
    inputs: [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')],
    outputs: [{ name: 'last_hidden_state', type: DataType.FLOAT, shape: ['batch', 'sequence', h] }],
  });
}

/** What goes into a model folder. */
export interface BertModelOptions {
  shape?: BertShape;
  /** Words for the vocabulary, most frequent first (the rest of the vocabulary is characters and filler). */
  words?: readonly string[];
  /** Which ONNX files to write. */
  files?: readonly ('model.onnx' | 'model_quantized.onnx')[];
  seed?: number;
}

/** Writes the model folder at `dir` (created); returns `dir`. */
export function writeBertModel(dir: string, options: BertModelOptions = {}): string {
  const shape = options.shape ?? TINY_SHAPE;
  const vocab = vocabulary(shape.vocab, options.words ?? []);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['BertModel'],
      model_type: 'bert',
      hidden_size: shape.hidden,
      num_hidden_layers: shape.layers,
      num_attention_heads: shape.heads,
      intermediate_size: shape.intermediate,
      vocab_size: shape.vocab,
      max_position_embeddings: shape.maxPositions,
      type_vocab_size: 2,
      hidden_act: 'gelu',
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
    }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizerJson(vocab)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: shape.maxPositions,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
  for (const file of options.files ?? ['model.onnx', 'model_quantized.onnx'])
    writeFileSync(join(dir, 'onnx', file), graph(shape, file === 'model_quantized.onnx', options.seed ?? 1));
  return dir;
}
