export interface DecodedLine {
  text: string
  /** Mean of the winning class probabilities over the emitted characters; 0 for an empty line. */
  confidence: number
}

/**
 * Greedy CTC decoding of one sequence (`steps`×`classes` probabilities, row-major from
 * `offset`): the best class per step, repeats collapsed, the blank (class 0) dropped, class i
 * read as `characters[i - 1]`. PaddleOCR's CTCLabelDecode (ppocr/postprocess/rec_postprocess.py).
 */
export function ctcGreedyDecode(probabilities: Float32Array, offset: number, steps: number, classes: number, characters: readonly string[]): DecodedLine {
  let text = ''
  let sum = 0
  let count = 0
  let previous = -1
  for (let step = 0; step < steps; step++) {
    const base = offset + step * classes
    let best = 0
    let bestValue = probabilities[base]!
    for (let c = 1; c < classes; c++) {
      const value = probabilities[base + c]!
      if (value > bestValue) {
        bestValue = value
        best = c
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best - 1] ?? ''
      sum += bestValue
      count++
    }
    previous = best
  }
  return { text, confidence: count > 0 ? sum / count : 0 }
}
