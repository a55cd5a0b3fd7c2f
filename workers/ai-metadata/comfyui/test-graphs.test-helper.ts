// Builders for the small API-format graphs the ComfyUI tests use: each node written as ComfyUI's
// "prompt" text holds it ({class_type, inputs}, links as [nodeId, outputSlot]).

export type Inputs = Record<string, unknown>

export function node(classType: string, inputs: Inputs = {}): { class_type: string; inputs: Inputs } {
  return { class_type: classType, inputs }
}

/** A txt2img graph: checkpoint 1, prompts 2/3, latent 4, sampler 5, decode 6, save 7; `extra` adds or replaces nodes. */
export function txt2img(extra: Record<string, unknown> = {}, sampler: Inputs = {}): string {
  return JSON.stringify({
    '1': node('CheckpointLoaderSimple', { ckpt_name: 'base.safetensors' }),
    '2': node('CLIPTextEncode', { text: 'a fox', clip: ['1', 1] }),
    '3': node('CLIPTextEncode', { text: 'blurry', clip: ['1', 1] }),
    '4': node('EmptyLatentImage', { width: 832, height: 1216, batch_size: 1 }),
    '5': node('KSampler', {
      seed: 7, steps: 20, cfg: 6, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
      model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0], ...sampler,
    }),
    '6': node('VAEDecode', { samples: ['5', 0], vae: ['1', 2] }),
    '7': node('SaveImage', { filename_prefix: 'ComfyUI', images: ['6', 0] }),
    ...extra,
  })
}
