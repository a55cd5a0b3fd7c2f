import { DataType, encodeModel, floatTensor, int64Tensor, type Graph } from '../onnx/onnx-writer'
import { quantizeMatMuls } from './dynamic-quantize'
import type { ModelFiles } from './model-files'
import { json } from './model-files'

/**
 * A tiny CLIP in the standard folder layout (Xenova's exports for transformers.js): both towers map
 * into one 8-dimensional space whose first six axes are colours, so the text `red` and a red
 * image point the same way. Text: the sum of the word vectors (colour words are unit axes).
 * Vision: the mean colour of the (de-normalised) pixels through a fixed colour → axis matrix.
 */
export const TINY_CLIP_COLOURS = ['red', 'green', 'blue', 'yellow', 'white', 'black'] as const

const DIMENSIONS = 8
const SPECIAL_TOKENS = ['<|startoftext|>', '<|endoftext|>', '[UNK]'] as const
const FILLER_WORDS = ['a', 'an', 'the', 'photo', 'picture', 'image', 'of', 'girl', 'with', 'and']
// The CLIP image normalisation (preprocessor_config.json), undone inside the vision graph.
const IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073]
const IMAGE_STD = [0.26862954, 0.26130258, 0.27577711]

export function tinyClipFiles(): ModelFiles {
  const vocab = new Map<string, number>()
  for (const word of [...SPECIAL_TOKENS, ...TINY_CLIP_COLOURS, ...FILLER_WORDS]) vocab.set(word, vocab.size)
  return new Map<string, Uint8Array | string>([
    ['config.json', json(config(vocab.size))],
    ['preprocessor_config.json', json(preprocessorConfig())],
    ['tokenizer.json', json(tokenizer(vocab))],
    ['tokenizer_config.json', json(tokenizerConfig())],
    ['special_tokens_map.json', json(specialTokensMap())],
    ['onnx/text_model.onnx', textModel(vocab)],
    ['onnx/vision_model.onnx', encodeModel(visionGraph())],
    // The text tower has no MatMul (a sum of word vectors): its quantized copy is the same graph.
    ['onnx/text_model_quantized.onnx', textModel(vocab)],
    ['onnx/vision_model_quantized.onnx', encodeModel(quantizeMatMuls(visionGraph()))],
  ])
}

/** input_ids, attention_mask (int64 [batch, sequence]) → text_embeds [batch, 8]: masked sum of word vectors. */
function textModel(vocab: Map<string, number>): Uint8Array {
  const embedding = new Float32Array(vocab.size * DIMENSIONS)
  TINY_CLIP_COLOURS.forEach((colour, axis) => {
    embedding[vocab.get(colour)! * DIMENSIONS + axis] = 1
  })
  // A small shared component keeps every text vector non-zero (unknown words included).
  for (let token = 0; token < vocab.size; token++) embedding[token * DIMENSIONS + 7] = 0.01
  return encodeModel({
    name: 'tiny_clip_text',
    inputs: [
      { name: 'input_ids', elemType: DataType.INT64, shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', elemType: DataType.INT64, shape: ['batch_size', 'sequence_length'] },
    ],
    outputs: [{ name: 'text_embeds', elemType: DataType.FLOAT, shape: ['batch_size', DIMENSIONS] }],
    initializers: [
      floatTensor('token_embedding', [vocab.size, DIMENSIONS], embedding),
      int64Tensor('sequence_axis', [1], [1]),
      int64Tensor('feature_axis', [1], [2]),
    ],
    nodes: [
      { op: 'Gather', inputs: ['token_embedding', 'input_ids'], outputs: ['tokens'], attrs: { axis: 0 } },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask'], attrs: { to: DataType.FLOAT } },
      { op: 'Unsqueeze', inputs: ['mask', 'feature_axis'], outputs: ['mask3'] },
      { op: 'Mul', inputs: ['tokens', 'mask3'], outputs: ['masked'] },
      { op: 'ReduceSum', inputs: ['masked', 'sequence_axis'], outputs: ['text_embeds'], attrs: { keepdims: 0 } },
    ],
  })
}

/** pixel_values float [batch, 3, H, W] (CLIP-normalised) → image_embeds [batch, 8]. */
function visionGraph(): Graph {
  // Rows: mean R, G, B in 0–1. Columns: red, green, blue, yellow, white, black, unused, shared.
  const h = -0.5
  const t = 1 / 3
  const colourToAxis = [
    [1, h, h, 0.5, t, -t, 0, 0],
    [h, 1, h, 0.5, t, -t, 0, 0],
    [h, h, 1, -1, t, -t, 0, 0],
  ].flat()
  const bias = [0, 0, 0, 0, -0.5, 0.5, 0, 0.01]
  return {
    name: 'tiny_clip_vision',
    inputs: [{ name: 'pixel_values', elemType: DataType.FLOAT, shape: ['batch_size', 3, 'height', 'width'] }],
    outputs: [{ name: 'image_embeds', elemType: DataType.FLOAT, shape: ['batch_size', DIMENSIONS] }],
    initializers: [
      floatTensor('image_std', [3], IMAGE_STD),
      floatTensor('image_mean', [3], IMAGE_MEAN),
      floatTensor('colour_to_axis', [3, DIMENSIONS], colourToAxis),
      floatTensor('axis_bias', [DIMENSIONS], bias),
    ],
    nodes: [
      { op: 'ReduceMean', inputs: ['pixel_values'], outputs: ['pooled'], attrs: { axes: [2, 3], keepdims: 0 } },
      { op: 'Mul', inputs: ['pooled', 'image_std'], outputs: ['scaled'] },
      { op: 'Add', inputs: ['scaled', 'image_mean'], outputs: ['rgb'] },
      { op: 'MatMul', inputs: ['rgb', 'colour_to_axis'], outputs: ['projected'] },
      { op: 'Add', inputs: ['projected', 'axis_bias'], outputs: ['shifted'] },
      { op: 'Relu', inputs: ['shifted'], outputs: ['image_embeds'] },
    ],
  }
}

function config(vocabSize: number) {
  return {
    model_type: 'clip',
    architectures: ['CLIPModel'],
    projection_dim: DIMENSIONS,
    text_config: { model_type: 'clip_text_model', hidden_size: DIMENSIONS, projection_dim: DIMENSIONS, vocab_size: vocabSize, max_position_embeddings: 77 },
    vision_config: { model_type: 'clip_vision_model', hidden_size: DIMENSIONS, projection_dim: DIMENSIONS, image_size: 224, patch_size: 32 },
  }
}

function preprocessorConfig() {
  return {
    crop_size: 224,
    do_center_crop: true,
    do_normalize: true,
    do_resize: true,
    feature_extractor_type: 'CLIPFeatureExtractor',
    image_mean: IMAGE_MEAN,
    image_std: IMAGE_STD,
    resample: 3,
    size: 224,
  }
}

/**
 * transformers.js 3 reads WordPiece, Unigram and BPE tokenizer models but not WordLevel; a
 * WordPiece vocabulary of whole words behaves as a word-level one.
 */
function tokenizer(vocab: Map<string, number>) {
  const [bos, eos] = SPECIAL_TOKENS
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } })
  const sequence = (id: string) => ({ Sequence: { id, type_id: 0 } })
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [bos, eos].map((content) => ({
      id: vocab.get(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(bos), sequence('A'), special(eos)],
      pair: [special(bos), sequence('A'), sequence('B'), special(eos)],
      special_tokens: Object.fromEntries([bos, eos].map((id) => [id, { id, ids: [vocab.get(id)], tokens: [id] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  }
}

function tokenizerConfig() {
  return {
    tokenizer_class: 'CLIPTokenizer',
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '[UNK]',
    pad_token: '<|endoftext|>',
    model_max_length: 77,
    do_lower_case: true,
  }
}

function specialTokensMap() {
  return { bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', unk_token: '[UNK]', pad_token: '<|endoftext|>' }
}
