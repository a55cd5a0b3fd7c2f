// The names of the widgets whose values a UI workflow lists positionally in `widgets_values`, for
// the core nodes a prompt, its settings and its size come from (ComfyUI's nodes.py and
// comfy_extras/*: INPUT_TYPES order, required then optional, widgets only) and a few custom ones
// (the names their API graphs show, e.g. rgthree's Power Prompt in enslo/sd-metadata's samples). The frontend inserts
// a `control_after_generate` value after each seed widget; it is named here so positions stay right.

const CONTROL = 'control_after_generate'

export const WIDGET_NAMES: Record<string, readonly string[]> = {
  KSampler: ['seed', CONTROL, 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise'],
  KSamplerAdvanced: [
    'add_noise', 'noise_seed', CONTROL, 'steps', 'cfg', 'sampler_name', 'scheduler', 'start_at_step', 'end_at_step',
    'return_with_leftover_noise',
  ],
  SamplerCustom: ['add_noise', 'noise_seed', CONTROL, 'cfg'],
  // Its settings come from the noise, guider, sampler and sigmas nodes.
  SamplerCustomAdvanced: [],
  BasicGuider: [],
  RandomNoise: ['noise_seed', CONTROL],
  KSamplerSelect: ['sampler_name'],
  BasicScheduler: ['scheduler', 'steps', 'denoise'],
  CFGGuider: ['cfg'],
  DualCFGGuider: ['cfg_conds', 'cfg_cond2_negative'],
  FluxGuidance: ['guidance'],
  CLIPTextEncode: ['text'],
  CLIPTextEncodeSDXL: ['width', 'height', 'crop_w', 'crop_h', 'target_width', 'target_height', 'text_g', 'text_l'],
  CLIPTextEncodeSDXLRefiner: ['ascore', 'width', 'height', 'text'],
  CLIPTextEncodeFlux: ['clip_l', 't5xxl', 'guidance'],
  CLIPTextEncodeSD3: ['clip_l', 'clip_g', 't5xxl', 'empty_padding'],
  CLIPTextEncodeHunyuanDiT: ['bert', 'mt5xl'],
  GLIGENTextBoxApply: ['text', 'width', 'height', 'x', 'y'],
  ConditioningSetArea: ['width', 'height', 'x', 'y', 'strength'],
  ConditioningSetAreaPercentage: ['width', 'height', 'x', 'y', 'strength'],
  EmptyLatentImage: ['width', 'height', 'batch_size'],
  EmptySD3LatentImage: ['width', 'height', 'batch_size'],
  EmptyHunyuanLatentVideo: ['width', 'height', 'length', 'batch_size'],
  EmptyMochiLatentVideo: ['width', 'height', 'length', 'batch_size'],
  EmptyLTXVLatentVideo: ['width', 'height', 'length', 'batch_size'],
  SDTurboScheduler: ['steps', 'denoise'],
  AlignYourStepsScheduler: ['model_type', 'steps', 'denoise'],
  KarrasScheduler: ['steps', 'sigma_max', 'sigma_min', 'rho'],
  ExponentialScheduler: ['steps', 'sigma_max', 'sigma_min'],
  BetaSamplingScheduler: ['steps', 'alpha', 'beta'],
  'SDXL Empty Latent Image (rgthree)': ['dimensions', 'clip_scale', 'batch_size'],
  LatentUpscale: ['upscale_method', 'width', 'height', 'crop'],
  LatentUpscaleBy: ['upscale_method', 'scale_by'],
  ImageScale: ['upscale_method', 'width', 'height', 'crop'],
  CheckpointLoaderSimple: ['ckpt_name'],
  CheckpointLoader: ['config_name', 'ckpt_name'],
  ImageOnlyCheckpointLoader: ['ckpt_name'],
  unCLIPCheckpointLoader: ['ckpt_name'],
  UNETLoader: ['unet_name', 'weight_dtype'],
  UnetLoaderGGUF: ['unet_name'],
  LoraLoader: ['lora_name', 'strength_model', 'strength_clip'],
  LoraLoaderModelOnly: ['lora_name', 'strength_model'],
  CLIPSetLastLayer: ['stop_at_clip_layer'],
  PrimitiveInt: ['value', CONTROL],
  PrimitiveFloat: ['value'],
  PrimitiveString: ['value'],
  PrimitiveStringMultiline: ['value'],
  PrimitiveBoolean: ['value'],
  StringConcatenate: ['string_a', 'string_b', 'delimiter'],
  SaveImage: ['filename_prefix'],
  // Custom nodes common in shared workflows.
  'Power Prompt (rgthree)': ['prompt', 'insert_lora', 'insert_embedding', 'insert_saved'],
  'Power Prompt - Simple (rgthree)': ['prompt', 'insert_embedding', 'insert_saved'],
  BNK_CLIPTextEncodeAdvanced: ['text', 'token_normalization', 'weight_interpretation'],
  'Text Multiline': ['text'],
  LoadImage: ['image', 'upload'],
}

/** Values the frontend writes for `control_after_generate`. */
export const CONTROL_VALUES = new Set(['fixed', 'increment', 'decrement', 'randomize'])

export { CONTROL }
