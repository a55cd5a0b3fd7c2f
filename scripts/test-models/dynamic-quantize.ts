import type { Graph, GraphNode, Tensor } from '../onnx/onnx-writer'
import { DataType, floatTensor } from '../onnx/onnx-writer'

/**
 * Dynamic int8 quantization of a fixture graph, done the way onnxruntime's
 * `quantize_dynamic(..., op_types_to_quantize=['MatMul'], weight_type=QUInt8)` does it: each MatMul
 * by a constant weight becomes DynamicQuantizeLinear on the activations, MatMulInteger against the
 * weight stored as uint8 with one scale and zero point, a Cast back to float and a Mul by the two
 * scales. So the `*_quantized.onnx` fixtures run the same integer kernels a real quantized model does.
 */
export function quantizeMatMuls(graph: Graph): Graph {
  const weights = new Map(graph.initializers.map((tensor) => [tensor.name, tensor]))
  const initializers: Tensor[] = []
  const quantized = new Set<string>()
  const nodes = graph.nodes.flatMap((node): GraphNode[] => {
    const weight = node.op === 'MatMul' ? weights.get(node.inputs[1]!) : undefined
    if (!weight || weight.dataType !== DataType.FLOAT) return [node]
    const [input] = node.inputs as [string, string]
    const [output] = node.outputs as [string]
    const { q, scale, zeroPoint } = quantizeUint8(new Float32Array(weight.raw.buffer.slice(weight.raw.byteOffset, weight.raw.byteOffset + weight.raw.byteLength)))
    quantized.add(weight.name)
    initializers.push(
      { name: `${weight.name}_quantized`, dims: weight.dims, dataType: DataType.UINT8, raw: q },
      floatTensor(`${weight.name}_scale`, [], [scale]),
      { name: `${weight.name}_zero_point`, dims: [], dataType: DataType.UINT8, raw: Uint8Array.of(zeroPoint) },
    )
    return [
      { op: 'DynamicQuantizeLinear', inputs: [input], outputs: [`${input}_quantized`, `${input}_scale`, `${input}_zero_point`] },
      { op: 'MatMulInteger', inputs: [`${input}_quantized`, `${weight.name}_quantized`, `${input}_zero_point`, `${weight.name}_zero_point`], outputs: [`${output}_int32`] },
      { op: 'Cast', inputs: [`${output}_int32`], outputs: [`${output}_unscaled`], attrs: { to: DataType.FLOAT } },
      { op: 'Mul', inputs: [`${input}_scale`, `${weight.name}_scale`], outputs: [`${output}_scale`] },
      { op: 'Mul', inputs: [`${output}_unscaled`, `${output}_scale`], outputs: [output] },
    ]
  })
  return {
    ...graph,
    name: `${graph.name}_quantized`,
    nodes,
    initializers: [...graph.initializers.filter((tensor) => !quantized.has(tensor.name)), ...initializers],
  }
}

/** Asymmetric uint8 over the range [min(0, w), max(0, w)], so 0 is exact (onnxruntime's rule). */
function quantizeUint8(values: Float32Array): { q: Uint8Array; scale: number; zeroPoint: number } {
  let low = 0
  let high = 0
  for (const value of values) {
    low = Math.min(low, value)
    high = Math.max(high, value)
  }
  const scale = high > low ? (high - low) / 255 : 1
  const zeroPoint = Math.round(-low / scale)
  const q = Uint8Array.from(values, (value) => Math.min(255, Math.max(0, Math.round(value / scale) + zeroPoint)))
  return { q, scale: Math.fround(scale), zeroPoint }
}
