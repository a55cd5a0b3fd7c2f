/** The standard CLIP folder layout, as Xenova's exports for transformers.js have it. */
export const CLIP_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/text_model.onnx',
  'onnx/vision_model.onnx',
] as const

/** The files a precision needs: int8 reads the towers' `*_quantized.onnx` copies (transformers.js dtype q8). */
export function clipFilesFor(precision: 'fp32' | 'int8'): readonly string[] {
  return precision === 'fp32' ? CLIP_FILES : CLIP_FILES.map((file) => file.replace(/\.onnx$/, '_quantized.onnx'))
}
