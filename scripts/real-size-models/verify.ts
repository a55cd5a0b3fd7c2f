import { join } from 'node:path'
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  RawImage,
  env,
  type Tensor,
} from '@huggingface/transformers'
import * as ort from 'onnxruntime-node'
import type { StandIn } from './stand-ins'
import { TAG_COUNT, standInFolder } from './stand-ins'

const EMBEDDING = 512
const BATCH = 2

/**
 * Loads every graph of a stand-in in onnxruntime-node and checks the names and shapes Sagasu
 * relies on; for CLIP also through transformers.js with dtype fp32 and q8, as Sagasu loads it.
 * Throws naming the file and what is wrong.
 */
export async function verifyStandIn(standIn: StandIn, root?: string): Promise<void> {
  const folder = standInFolder(standIn, root)
  if (standIn.kind === 'tagger') {
    for (const file of ['model.onnx', 'model_quantized.onnx']) await verifyTagger(join(folder, file))
  } else {
    for (const suffix of ['', '_quantized']) {
      await verifyGraph(join(folder, 'onnx', `vision_model${suffix}.onnx`), {
        pixel_values: new ort.Tensor('float32', new Float32Array(BATCH * 3 * 224 * 224), [BATCH, 3, 224, 224]),
      }, 'image_embeds', [BATCH, EMBEDDING])
      const ids = BigInt64Array.from({ length: BATCH * 7 }, (_, i) => BigInt(i % 7 === 6 ? 1 : (i % 19)))
      await verifyGraph(join(folder, 'onnx', `text_model${suffix}.onnx`), {
        input_ids: new ort.Tensor('int64', ids, [BATCH, 7]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(BATCH * 7).fill(1n), [BATCH, 7]),
      }, 'text_embeds', [BATCH, EMBEDDING])
    }
    for (const dtype of ['fp32', 'q8'] as const) await verifyTransformersJs(folder, dtype)
  }
}

async function verifyTagger(file: string): Promise<void> {
  const input = new Float32Array(BATCH * 448 * 448 * 3)
  for (let i = 0; i < input.length; i++) input[i] = (i * 7919) % 256
  const scores = await verifyGraph(file, { input: new ort.Tensor('float32', input, [BATCH, 448, 448, 3]) }, 'output', [BATCH, TAG_COUNT])
  const data = scores.data as Float32Array
  // The graph ends in a Sigmoid, like SmilingWolf's: Sagasu then applies none of its own.
  if (data.some((value) => !(value >= 0 && value <= 1))) throw new Error(`${file}: scores outside 0–1, the graph does not end in a Sigmoid`)
}

async function verifyGraph(file: string, feeds: Record<string, ort.Tensor>, outputName: string, dims: number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] })
  try {
    const expected = Object.keys(feeds).join(', ')
    if (session.inputNames.join(', ') !== expected) throw new Error(`${file}: inputs are ${session.inputNames.join(', ')}, expected ${expected}`)
    const results = await session.run(feeds)
    const output = results[outputName]
    if (!output) throw new Error(`${file}: no output ${outputName} (it has ${session.outputNames.join(', ')})`)
    if (output.dims.join('×') !== dims.join('×')) throw new Error(`${file}: ${outputName} is [${output.dims.join(', ')}], expected [${dims.join(', ')}]`)
    return output
  } finally {
    await session.release()
  }
}

/** The way clip-model.ts loads a CLIP folder, with the dtype that picks the `_quantized` files too. */
async function verifyTransformersJs(folder: string, dtype: 'fp32' | 'q8'): Promise<void> {
  env.allowLocalModels = true
  env.allowRemoteModels = false
  env.useFSCache = false
  const tokenizer = await AutoTokenizer.from_pretrained(folder)
  const processor = await AutoProcessor.from_pretrained(folder)
  const text = await CLIPTextModelWithProjection.from_pretrained(folder, { dtype, device: 'cpu' })
  const vision = await CLIPVisionModelWithProjection.from_pretrained(folder, { dtype, device: 'cpu' })
  try {
    const { text_embeds: textEmbeds } = (await text(tokenizer(['a photo of a red girl', 'blue'], { padding: true, truncation: true }))) as { text_embeds: Tensor }
    const pixels = new Uint8ClampedArray(300 * 224 * 3).fill(128)
    const { image_embeds: imageEmbeds } = (await vision(await processor(new RawImage(pixels, 300, 224, 3)))) as { image_embeds: Tensor }
    for (const [what, tensor, rows] of [['text_embeds', textEmbeds, 2], ['image_embeds', imageEmbeds, 1]] as const) {
      if (tensor.dims.join('×') !== `${rows}×${EMBEDDING}`) throw new Error(`${folder} (transformers.js, ${dtype}): ${what} is [${tensor.dims.join(', ')}], expected [${rows}, ${EMBEDDING}]`)
    }
  } finally {
    await Promise.all([text.dispose(), vision.dispose()])
  }
}
