/**
 * A small, dependency-free ONNX writer: just enough of the protobuf wire format and of onnx.proto
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
 * TensorShapeProto, OperatorSetIdProto) to write the tiny test models in TypeScript, without Python.
 * The same input always gives the same bytes, so committed fixtures can be checked against a rerun.
 *
 * @example
 * const bytes = encodeModel({
 *   name: 'double',
 *   inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 3] }],
 *   outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['batch', 3] }],
 *   initializers: [floatTensor('two', [1], [2])],
 *   nodes: [{ op: 'Mul', inputs: ['x', 'two'], outputs: ['y'] }],
 * })
 */

/** TensorProto.DataType values. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, FLOAT16: 10 } as const

export interface Tensor {
  name: string
  dims: number[]
  dataType: number
  /** Little-endian element bytes (TensorProto.raw_data). */
  raw: Uint8Array
}

/** An attribute value: an integer, `{ f }` for a float, an integer list, a string or `{ t }` for a tensor. */
export type AttributeValue = number | { f: number } | number[] | string | { t: Tensor }

export interface GraphNode {
  op: string
  inputs: string[]
  outputs: string[]
  name?: string
  attrs?: Record<string, AttributeValue>
}

export interface ValueInfo {
  name: string
  elemType: number
  /** A number is a fixed size, a string a symbolic one (`'batch'`). */
  shape: Array<number | string>
}

export interface Graph {
  name: string
  nodes: GraphNode[]
  inputs: ValueInfo[]
  outputs: ValueInfo[]
  initializers: Tensor[]
}

export interface ModelOptions {
  /** 8 with opset 17 is what onnxruntime 1.21 and the onnx checker both accept. */
  irVersion?: number
  /** From opset 18, ReduceMean takes its axes as an input instead of an attribute. */
  opset?: number
  producer?: string
}

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): Tensor {
  return { name, dims, dataType: DataType.FLOAT, raw: littleEndianBytes(Float32Array.from(data)) }
}

export function int64Tensor(name: string, dims: number[], data: ArrayLike<number>): Tensor {
  return { name, dims, dataType: DataType.INT64, raw: littleEndianBytes(BigInt64Array.from(Array.from(data, (x) => BigInt(x)))) }
}

/** Serialises a graph as an ONNX ModelProto. */
export function encodeModel(graph: Graph, options: ModelOptions = {}): Uint8Array {
  const g = new ProtoWriter()
  graph.nodes.forEach((node, index) => g.message(1, nodeProto(node, index)))
  g.string(2, graph.name)
  for (const tensor of graph.initializers) g.message(5, tensorProto(tensor))
  for (const value of graph.inputs) g.message(11, valueInfoProto(value))
  for (const value of graph.outputs) g.message(12, valueInfoProto(value))
  return new ProtoWriter()
    .int(1, options.irVersion ?? 8)
    .string(2, options.producer ?? 'sagasu-test-models')
    .message(7, g)
    .message(8, new ProtoWriter().string(1, '').int(2, options.opset ?? 17))
    .finish()
}

function nodeProto(node: GraphNode, index: number): ProtoWriter {
  const p = new ProtoWriter()
  for (const input of node.inputs) p.string(1, input)
  for (const output of node.outputs) p.string(2, output)
  p.string(3, node.name ?? `${node.op}_${index}`)
  p.string(4, node.op)
  for (const [name, value] of Object.entries(node.attrs ?? {})) p.message(5, attributeProto(name, value))
  return p
}

// AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, INTS 7.
function attributeProto(name: string, value: AttributeValue): ProtoWriter {
  const p = new ProtoWriter().string(1, name)
  if (typeof value === 'number') return p.int(3, value).int(20, 2)
  if (typeof value === 'string') return p.string(4, value).int(20, 3)
  if (Array.isArray(value)) return p.packedInts(8, value).int(20, 7)
  if ('f' in value) return p.float(2, value.f).int(20, 1)
  return p.message(5, tensorProto(value.t)).int(20, 4)
}

function tensorProto(tensor: Tensor): ProtoWriter {
  const p = new ProtoWriter()
  for (const dim of tensor.dims) p.int(1, dim)
  return p.int(2, tensor.dataType).string(8, tensor.name).bytes(9, tensor.raw)
}

function valueInfoProto(value: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter()
  for (const dim of value.shape) shape.message(1, typeof dim === 'number' ? new ProtoWriter().int(1, dim) : new ProtoWriter().string(2, dim))
  const tensorType = new ProtoWriter().int(1, value.elemType).message(2, shape)
  return new ProtoWriter().string(1, value.name).message(2, new ProtoWriter().message(1, tensorType))
}

function littleEndianBytes(array: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
  // Every platform Node supports is little-endian; the check keeps the fixtures honest if one is not.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian platforms are not supported')
  return bytes
}

/** Protobuf wire format: varints (type 0), fixed32 (type 5) and length-delimited fields (type 2). */
class ProtoWriter {
  private readonly parts: Uint8Array[] = []

  int(field: number, value: number | bigint): this {
    this.key(field, 0)
    this.varint(value)
    return this
  }

  float(field: number, value: number): this {
    this.key(field, 5)
    const bytes = new Uint8Array(4)
    new DataView(bytes.buffer).setFloat32(0, value, true)
    this.parts.push(bytes)
    return this
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2)
    this.varint(value.length)
    this.parts.push(value)
    return this
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value))
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish())
  }

  packedInts(field: number, values: number[]): this {
    const inner = new ProtoWriter()
    for (const value of values) inner.varint(value)
    return this.bytes(field, inner.finish())
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((sum, part) => sum + part.length, 0))
    let offset = 0
    for (const part of this.parts) {
      out.set(part, offset)
      offset += part.length
    }
    return out
  }

  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType)
  }

  private varint(value: number | bigint): void {
    // Negative integers are written as their 64-bit two's complement, as protobuf's int64 does.
    let n = BigInt.asUintN(64, BigInt(value))
    const out: number[] = []
    while (n >= 0x80n) {
      out.push(Number(n & 0x7fn) | 0x80)
      n >>= 7n
    }
    out.push(Number(n))
    this.parts.push(Uint8Array.from(out))
  }
}
