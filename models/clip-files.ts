/** The standard CLIP folder layout, as Xenova's exports for transformers.js have it. */
export const CLIP_FILES = [
  'config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/text_model.onnx',
  'onnx/vision_model.onnx',
] as const
