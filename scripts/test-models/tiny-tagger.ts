import { DataType, encodeModel, floatTensor, type Graph } from '../onnx/onnx-writer'
import { quantizeMatMuls } from './dynamic-quantize'
import type { ModelFiles } from './model-files'
import { json } from './model-files'

/**
 * Tiny anime taggers in the two real layouts, over a handful of tags a test can predict from
 * colours alone:
 * - WD14 v3 (SmilingWolf): `model.onnx` taking NHWC float [batch, 448, 448, 3], BGR 0–255, with
 *   sigmoid outputs, and `selected_tags.csv` (`tag_id,name,category,count`; 9 rating, 0 general,
 *   4 character; ratings first, then general, then character tags).
 * - DeepDanbooru (KichangKim, as its ONNX exports ship): `deepdanbooru.onnx` taking NHWC float
 *   [batch, 512, 512, 3], RGB 0–1, sigmoid outputs, and the project files `tags.txt` (general,
 *   then character, then the system tags `rating:safe`, `rating:questionable`, `rating:explicit`),
 *   `tags-general.txt`, `tags-character.txt`, `categories.json` and `project.json`.
 *
 * The graph is a per-pixel detector followed by an average: each hidden unit fires on pixels of
 * one kind (red, green, blue, teal, yellow, colourful), its mean over the image is the share of
 * such pixels, and a linear layer with a sigmoid turns shares into tag scores. So a half-red,
 * half-blue image scores both `red` and `blue`, and a grey one `monochrome`.
 */
export type TaggerLayoutName = 'wd14' | 'deepdanbooru'

export interface TinyTaggerOptions {
  /** Input side; the real layouts use 448 (WD14) and 512 (DeepDanbooru). Tests change it to make a wrong model. */
  inputSize?: number
}

/** Tag names as each layout spells them, in output order. */
export const TINY_WD14_TAGS = [
  'general', 'sensitive', 'questionable', 'explicit',
  'red', 'green', 'blue', 'monochrome',
  'hatsune_miku', 'kirisame_marisa',
] as const
export const TINY_DEEPDANBOORU_TAGS = [
  'red', 'green', 'blue', 'monochrome',
  'hatsune_miku', 'kirisame_marisa',
  'rating:safe', 'rating:questionable', 'rating:explicit',
] as const

const WD14_CATEGORY: Record<string, number> = {
  general: 9, sensitive: 9, questionable: 9, explicit: 9, hatsune_miku: 4, kirisame_marisa: 4,
}
// Ids and counts look like Danbooru's; only their format matters to the reader.
const WD14_TAG_ID: Record<string, number> = {
  general: 9999999, sensitive: 9999998, questionable: 9999997, explicit: 9999996,
  red: 8843, green: 10565, blue: 4949, monochrome: 1681, hatsune_miku: 15099, kirisame_marisa: 14904,
}

/**
 * Hidden units as weights on R, G, B (0–255) and a bias: red, green, blue, teal, yellow, then the
 * six one-sided channel differences whose sum is how colourful a pixel is.
 */
const HIDDEN_UNITS: Array<[number, number, number, number]> = [
  [1, -1, -1, -32],
  [-1, 1, -1, -32],
  [-1, -1, 1, -32],
  [-2, 1, 1, -300],
  [1, 1, -2, -300],
  [1, -1, 0, 0], [-1, 1, 0, 0], [0, 1, -1, 0], [0, -1, 1, 0], [-1, 0, 1, 0], [1, 0, -1, 0],
]
const RED = 0, GREEN = 1, BLUE = 2, TEAL = 3, YELLOW = 4
const DIFFERENCES = [5, 6, 7, 8, 9, 10]

/** Each tag's weights on the pooled hidden units, and its bias. */
function tagWeights(tag: string): { weights: Map<number, number>; bias: number } {
  const one = (unit: number, weight: number, bias: number) => ({ weights: new Map([[unit, weight]]), bias })
  switch (tag) {
    case 'general': case 'rating:safe': return one(RED, -0.02, 2)
    case 'sensitive': case 'rating:questionable': return one(RED, 0.03, -3)
    case 'questionable': return { weights: new Map(), bias: -4 }
    case 'explicit': case 'rating:explicit': return { weights: new Map(), bias: -5 }
    case 'red': return one(RED, 0.08, -3)
    case 'green': return one(GREEN, 0.08, -3)
    case 'blue': return one(BLUE, 0.08, -3)
    case 'monochrome': return { weights: new Map(DIFFERENCES.map((unit) => [unit, -0.05])), bias: 4 }
    case 'hatsune_miku': return one(TEAL, 0.08, -3)
    case 'kirisame_marisa': return one(YELLOW, 0.08, -3)
    default: throw new Error(`no weights for tag ${tag}`)
  }
}

export function tinyTaggerFiles(layout: TaggerLayoutName, options: TinyTaggerOptions = {}): ModelFiles {
  if (layout === 'wd14') {
    const graph = taggerGraph({ tags: TINY_WD14_TAGS, size: options.inputSize ?? 448, channels: 'bgr', scale: 255, inputName: 'input', outputName: 'output' })
    return new Map<string, Uint8Array | string>([
      ['model.onnx', encodeModel(graph)],
      ['model_quantized.onnx', encodeModel(quantizeMatMuls(graph))],
      ['selected_tags.csv', selectedTagsCsv()],
    ])
  }
  const size = options.inputSize ?? 512
  const graph = taggerGraph({ tags: TINY_DEEPDANBOORU_TAGS, size, channels: 'rgb', scale: 1, inputName: 'input_1', outputName: 'output' })
  const general = TINY_DEEPDANBOORU_TAGS.filter((tag) => !tag.startsWith('rating:') && WD14_CATEGORY[tag] !== 4)
  const character = TINY_DEEPDANBOORU_TAGS.filter((tag) => WD14_CATEGORY[tag] === 4)
  return new Map<string, Uint8Array | string>([
    ['deepdanbooru.onnx', encodeModel(graph)],
    ['deepdanbooru_quantized.onnx', encodeModel(quantizeMatMuls(graph))],
    ['tags.txt', lines(TINY_DEEPDANBOORU_TAGS)],
    ['tags-general.txt', lines(general)],
    ['tags-character.txt', lines(character)],
    ['categories.json', json([
      { name: 'General', start_index: 0 },
      { name: 'Character', start_index: general.length },
      { name: 'System', start_index: general.length + character.length },
    ])],
    ['project.json', json({ image_width: size, image_height: size, model: 'resnet_custom_v3', minimum_tag_count: 20 })],
  ])
}

interface TaggerGraph {
  tags: readonly string[]
  size: number
  channels: 'rgb' | 'bgr'
  /** 255 when the input is already 0–255, 1 when it is 0–1. */
  scale: 1 | 255
  inputName: string
  outputName: string
}

function taggerGraph(graph: TaggerGraph): Graph {
  const order = graph.channels === 'rgb' ? [0, 1, 2] : [2, 1, 0]
  const hidden = HIDDEN_UNITS.length
  // Row c of the first layer is the input channel c; weights are for 0–255 values, so a 0–1 input is scaled up first.
  const layer1 = new Float32Array(3 * hidden)
  for (let row = 0; row < 3; row++) {
    HIDDEN_UNITS.forEach((unit, column) => {
      layer1[row * hidden + column] = unit[order[row]!]!
    })
  }
  const layer2 = new Float32Array(hidden * graph.tags.length)
  const bias2 = graph.tags.map((tag, column) => {
    const { weights, bias } = tagWeights(tag)
    for (const [unit, weight] of weights) layer2[unit * graph.tags.length + column] = weight
    return bias
  })
  const scaled = graph.scale === 255 ? graph.inputName : 'pixels_255'
  return {
    name: 'tiny_tagger',
    inputs: [{ name: graph.inputName, elemType: DataType.FLOAT, shape: ['batch', graph.size, graph.size, 3] }],
    outputs: [{ name: graph.outputName, elemType: DataType.FLOAT, shape: ['batch', graph.tags.length] }],
    initializers: [
      ...(graph.scale === 255 ? [] : [floatTensor('to_255', [1], [255])]),
      floatTensor('pixel_weights', [3, hidden], layer1),
      floatTensor('pixel_bias', [hidden], HIDDEN_UNITS.map((unit) => unit[3])),
      floatTensor('tag_weights', [hidden, graph.tags.length], layer2),
      floatTensor('tag_bias', [graph.tags.length], bias2),
    ],
    nodes: [
      ...(graph.scale === 255 ? [] : [{ op: 'Mul', inputs: [graph.inputName, 'to_255'], outputs: [scaled] }]),
      { op: 'MatMul', inputs: [scaled, 'pixel_weights'], outputs: ['pixel_units'] },
      { op: 'Add', inputs: ['pixel_units', 'pixel_bias'], outputs: ['pixel_pre'] },
      { op: 'Relu', inputs: ['pixel_pre'], outputs: ['pixel_active'] },
      { op: 'ReduceMean', inputs: ['pixel_active'], outputs: ['shares'], attrs: { axes: [1, 2], keepdims: 0 } },
      { op: 'MatMul', inputs: ['shares', 'tag_weights'], outputs: ['tag_units'] },
      { op: 'Add', inputs: ['tag_units', 'tag_bias'], outputs: ['logits'] },
      { op: 'Sigmoid', inputs: ['logits'], outputs: [graph.outputName] },
    ],
  }
}

function selectedTagsCsv(): string {
  const rows = TINY_WD14_TAGS.map((tag, index) => `${WD14_TAG_ID[tag]},${tag},${WD14_CATEGORY[tag] ?? 0},${100_000 - index * 1000}`)
  return `tag_id,name,category,count\n${rows.join('\n')}\n`
}

function lines(values: readonly string[]): string {
  return `${values.join('\n')}\n`
}
