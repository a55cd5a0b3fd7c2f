import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/**
 * What the tagger needs to know about an ONNX graph before it feeds it: the input shapes
 * (onnxruntime-node 1.21 has `inputNames` but no shapes) and whether an output already went
 * through a Sigmoid. Read straight from the protobuf file by position, skipping the weights, so a
 * 400 MB model costs a few kilobytes of reads.
 *
 * @example
 * readOnnxGraphInfo('model.onnx').inputs[0] // { name: 'input', elemType: 1, shape: ['batch', 448, 448, 3] }
 */
export interface OnnxValueInfo {
  name: string
  /** TensorProto.DataType (1 = float). */
  elemType: number
  /** A number for a fixed size, a string for a symbolic one, null when the graph says nothing. */
  shape: Array<number | string | null>
}

export interface OnnxGraphInfo {
  inputs: OnnxValueInfo[]
  outputs: OnnxValueInfo[]
  /** Output name → whether a Sigmoid produces it (through shape-only ops such as Identity or Reshape). */
  sigmoidOutputs: Map<string, boolean>
}

export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError'
}

// Ops that do not change values, between a Sigmoid and the graph output.
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Cast', 'Transpose'])

/** Throws OnnxFormatError when the file is not a readable ONNX model. */
export function readOnnxGraphInfo(path: string): OnnxGraphInfo {
  const file = new PositionalReader(path)
  try {
    let graph: FieldSpan | undefined
    for (const field of file.fields(0, file.size)) if (field.number === 7 && field.wireType === 2) graph = field
    if (!graph) throw new OnnxFormatError('no graph in the file')
    const inputs: OnnxValueInfo[] = []
    const outputs: OnnxValueInfo[] = []
    const initializers = new Set<string>()
    const producers = new Map<string, { op: string; inputs: string[] }>()
    for (const field of file.fields(graph.start, graph.end)) {
      if (field.wireType !== 2) continue
      if (field.number === 1) {
        const node = readNode(file, field)
        for (const output of node.outputs) producers.set(output, node)
      } else if (field.number === 5) {
        // An initializer: only its name (field 8) is read, never its data.
        for (const part of file.fields(field.start, field.end)) if (part.number === 8 && part.wireType === 2) initializers.add(file.string(part))
      } else if (field.number === 11) inputs.push(readValueInfo(file, field))
      else if (field.number === 12) outputs.push(readValueInfo(file, field))
    }
    const sigmoidOutputs = new Map(outputs.map((output) => [output.name, producedBySigmoid(output.name, producers)]))
    // Old exports (IR < 4) list the weights among the graph inputs too.
    return { inputs: inputs.filter((input) => !initializers.has(input.name)), outputs, sigmoidOutputs }
  } finally {
    file.close()
  }
}

function producedBySigmoid(name: string, producers: Map<string, { op: string; inputs: string[] }>): boolean {
  let current = producers.get(name)
  for (let depth = 0; current && depth < 16; depth++) {
    if (current.op === 'Sigmoid') return true
    if (!PASS_THROUGH.has(current.op) || !current.inputs[0]) return false
    current = producers.get(current.inputs[0])
  }
  return false
}

function readNode(file: PositionalReader, span: FieldSpan): { op: string; inputs: string[]; outputs: string[] } {
  const node = { op: '', inputs: [] as string[], outputs: [] as string[] }
  for (const field of file.fields(span.start, span.end)) {
    if (field.wireType !== 2) continue
    if (field.number === 1) node.inputs.push(file.string(field))
    else if (field.number === 2) node.outputs.push(file.string(field))
    else if (field.number === 4) node.op = file.string(field)
  }
  return node
}

// ValueInfoProto{1 name, 2 type} → TypeProto{1 tensor_type} → Tensor{1 elem_type, 2 shape} → Shape{1 dim} → Dim{1 value, 2 param}.
function readValueInfo(file: PositionalReader, span: FieldSpan): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', elemType: 0, shape: [] }
  for (const field of file.fields(span.start, span.end)) {
    if (field.number === 1 && field.wireType === 2) info.name = file.string(field)
    if (field.number !== 2 || field.wireType !== 2) continue
    for (const type of file.fields(field.start, field.end)) {
      if (type.number !== 1 || type.wireType !== 2) continue
      for (const tensor of file.fields(type.start, type.end)) {
        if (tensor.number === 1 && tensor.wireType === 0) info.elemType = Number(tensor.value)
        if (tensor.number !== 2 || tensor.wireType !== 2) continue
        for (const dim of file.fields(tensor.start, tensor.end)) {
          if (dim.number !== 1 || dim.wireType !== 2) continue
          let size: number | string | null = null
          for (const part of file.fields(dim.start, dim.end)) {
            if (part.number === 1 && part.wireType === 0) size = Number(part.value)
            if (part.number === 2 && part.wireType === 2) size = file.string(part)
          }
          info.shape.push(size)
        }
      }
    }
  }
  return info
}

interface FieldSpan {
  number: number
  wireType: number
  /** Varint value (wire type 0). */
  value: bigint
  /** Payload bounds in the file (wire type 2). */
  start: number
  end: number
}

/** Reads protobuf fields from a file by offset, with a small read-ahead buffer. */
class PositionalReader {
  readonly size: number
  private readonly fd: number
  private buffer = Buffer.alloc(64 * 1024)
  private bufferStart = 0
  private bufferEnd = 0

  constructor(path: string) {
    this.fd = openSync(path, 'r')
    this.size = fstatSync(this.fd).size
  }

  close(): void {
    closeSync(this.fd)
  }

  *fields(start: number, end: number): Generator<FieldSpan> {
    let position = start
    while (position < end) {
      const key = this.varint(position)
      position = key.next
      const number = Number(key.value >> 3n)
      const wireType = Number(key.value & 7n)
      if (number === 0) throw new OnnxFormatError('invalid protobuf field number 0')
      if (wireType === 0) {
        const value = this.varint(position)
        position = value.next
        yield { number, wireType, value: value.value, start: position, end: position }
      } else if (wireType === 2) {
        const length = this.varint(position)
        const payloadStart = length.next
        const payloadEnd = payloadStart + Number(length.value)
        if (payloadEnd > end) throw new OnnxFormatError('a protobuf field runs past its message')
        yield { number, wireType, value: 0n, start: payloadStart, end: payloadEnd }
        position = payloadEnd
      } else if (wireType === 5) position += 4
      else if (wireType === 1) position += 8
      else throw new OnnxFormatError(`unsupported protobuf wire type ${wireType}`)
    }
  }

  string(span: FieldSpan): string {
    return this.bytes(span.start, span.end - span.start).toString('utf8')
  }

  private varint(position: number): { value: bigint; next: number } {
    let value = 0n
    for (let shift = 0n, at = position; shift < 70n; shift += 7n, at++) {
      const byte = this.byte(at)
      value |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return { value, next: at + 1 }
    }
    throw new OnnxFormatError('malformed protobuf varint')
  }

  private byte(position: number): number {
    if (position < this.bufferStart || position >= this.bufferEnd) this.fill(position)
    return this.buffer[position - this.bufferStart]!
  }

  private bytes(position: number, length: number): Buffer {
    if (length > 1024 * 1024) throw new OnnxFormatError('a name in the graph is implausibly long')
    if (position < this.bufferStart || position + length > this.bufferEnd) this.fill(position, length)
    return this.buffer.subarray(position - this.bufferStart, position - this.bufferStart + length)
  }

  private fill(position: number, length = 1): void {
    if (position + length > this.size) throw new OnnxFormatError('the file ends in the middle of a protobuf field')
    if (length > this.buffer.length) this.buffer = Buffer.alloc(length)
    const read = readSync(this.fd, this.buffer, 0, this.buffer.length, position)
    this.bufferStart = position
    this.bufferEnd = position + read
  }
}
