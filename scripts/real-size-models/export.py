"""Real-size stand-ins for benchmarks: the real architectures with random weights.

Run through `npm run models:real-size` (scripts/real-size-models/build.ts), which makes the venv
and calls:  python export.py --out DIR --clip-fixture test/fixtures/models/tiny-clip [NAME ...]

Each folder is written under DIR/.building-NAME and renamed to DIR/NAME once complete; its
`stand-in.json` (written last) records the architecture, parameter count, multiply-adds per image,
file sizes and the package versions. Throughput depends on the architecture, not the weights:
these give real-size timings, never meaningful tags or embeddings.

- wd-{vit,swinv2,convnext}-tagger-v3: timm vit_base_patch16_224 / swinv2_base_window8_256 (with
  window_size 14, see TAGGERS) / convnext_base at 448 px, 10861 classes, wrapped like
  SmilingWolf's v3 ONNX files: input `input` NHWC float32 [batch, 448, 448, 3] (BGR 0-255), output `output` [batch, 10861] ending in a
  Sigmoid. + selected_tags.csv of 10861 rows (4 rating, 8857 general, 2000 character).
- clip-vit-base-patch32: transformers' default CLIPConfig (= openai/clip-vit-base-patch32's
  shapes) exported as Xenova's layout: onnx/vision_model.onnx (pixel_values -> image_embeds,
  last_hidden_state), onnx/text_model.onnx (input_ids, attention_mask -> text_embeds,
  last_hidden_state), vocabulary 49408. The real BPE tokenizer cannot be downloaded here: the
  tokenizer files are the fixture tiny-clip's (a 19-word WordPiece), whose ids all fall inside the
  49408-row embedding; its end token (id 1) is the text config's eos_token_id, so pooling picks it.
- beside each fp32 graph an int8 copy from onnxruntime.quantization.quantize_dynamic, QInt8
  weights on MatMul/Gemm (see QUANTIZED_OPS): model_quantized.onnx; onnx/*_quantized.onnx, the
  names transformers.js's dtype 'q8' loads.
"""
import argparse
import json
import os
import random
import shutil
import sys
import time
import warnings

import numpy as np
import onnx
import onnxruntime
import timm
import torch
import transformers
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch.utils.flop_counter import FlopCounterMode

# The tracer's notes on Python-side shape checks in timm and transformers (traced as constants,
# which is right for these fixed-size models) would bury the build log.
warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)

OPSET = 17
TAG_COUNT = 10861
RATINGS = ['general', 'sensitive', 'questionable', 'explicit']
CHARACTER_COUNT = 2000
# timm architecture and the arguments SmilingWolf's configs give it. SwinV2: the name's window 8 is
# its 256 px pretraining; at 448 px the four stages are 112, 56, 28 and 14 patches wide, which
# windows of 8 cannot tile (timm refuses), and SmilingWolf's WD SwinV2 timm config sets
# img_size 448, window_size 14 (windows of 14 tile every stage; the last stage is one window).
TAGGERS = {
    'wd-vit-tagger-v3': ('vit_base_patch16_224', {'img_size': 448}),
    'wd-swinv2-tagger-v3': ('swinv2_base_window8_256', {'img_size': 448, 'window_size': 14}),
    # Fully convolutional: any input size, no img_size argument.
    'wd-convnext-tagger-v3': ('convnext_base', {}),
}
CLIP = 'clip-vit-base-patch32'
NAMES = [*TAGGERS, CLIP]
CLIP_TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'preprocessor_config.json']
# int8 weights on MatMul/Gemm only. Measured with onnxruntime 1.20 on this machine's CPU (2 cores of a
# Xeon with AVX-512 VNNI and AMX), one 448 px image, fp32 -> int8: ViT-B/16 3.9 s -> 0.76 s with
# QInt8 weights vs 2.3 s with QUInt8; ConvNeXt-B 1.46 s -> 0.39 s (QInt8) vs 0.42 s (QUInt8).
# Quantizing Conv too makes ConvInteger nodes: onnxruntime's CPU has none for QInt8 weights (the
# session fails to load) and with QUInt8 ConvNeXt's depthwise convolutions slow it to 1.1 s.
QUANTIZED_OPS = ['MatMul', 'Gemm']


class Wd14Wrapper(torch.nn.Module):
    """NHWC 0-255 in, sigmoid scores out, as the v3 ONNX files take and give."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        x = x.permute(0, 3, 1, 2) / 127.5 - 1.0
        return torch.sigmoid(self.model(x))


class ClipVision(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        out = self.model(pixel_values=pixel_values)
        return out.image_embeds, out.last_hidden_state


class ClipText(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask)
        return out.text_embeds, out.last_hidden_state


def multiply_adds(module, *inputs):
    """Multiply-adds for one forward pass (torch's FlopCounterMode counts 2 FLOPs per multiply-add)."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        module(*inputs)
    return counter.get_total_flops() // 2


def parameters(module):
    return sum(p.numel() for p in module.parameters())


def export(module, inputs, path, input_names, output_names, dynamic_axes):
    with torch.no_grad():
        torch.onnx.export(module, inputs, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(path)


def quantize(source, target):
    quantize_dynamic(source, target, weight_type=QuantType.QInt8, op_types_to_quantize=QUANTIZED_OPS)


def selected_tags(path):
    """tag_id,name,category,count like SmilingWolf's file: ratings first, characters last."""
    rng = random.Random(10861)
    ids = rng.sample(range(1, 3_000_000), TAG_COUNT)
    general_count = TAG_COUNT - len(RATINGS) - CHARACTER_COUNT
    rows = [(ids[i], name, 9) for i, name in enumerate(RATINGS)]
    rows += [(ids[len(RATINGS) + i], f'general_tag_{i:05d}', 0) for i in range(general_count)]
    rows += [(ids[TAG_COUNT - CHARACTER_COUNT + i], f'character_{i:04d}_(stand-in)', 4) for i in range(CHARACTER_COUNT)]
    with open(path, 'w', newline='\n') as out:
        out.write('tag_id,name,category,count\n')
        for index, (tag_id, name, category) in enumerate(rows):
            out.write(f'{tag_id},{name},{category},{max(1, 5_000_000 // (index + 1))}\n')


def build_tagger(name, folder):
    architecture, extra = TAGGERS[name]
    model = timm.create_model(architecture, pretrained=False, num_classes=TAG_COUNT, **extra).eval()
    wrapped = Wd14Wrapper(model).eval()
    sample = torch.rand(1, 448, 448, 3) * 255
    macs = multiply_adds(wrapped, sample)
    model_file = os.path.join(folder, 'model.onnx')
    export(wrapped, (sample,), model_file, ['input'], ['output'], {'input': {0: 'batch'}, 'output': {0: 'batch'}})
    quantize(model_file, os.path.join(folder, 'model_quantized.onnx'))
    selected_tags(os.path.join(folder, 'selected_tags.csv'))
    return {
        'architecture': f'timm {architecture} at 448 px ({", ".join(f"{k} {v}" for k, v in extra.items()) or "no size argument"}), num_classes {TAG_COUNT}, sigmoid output',
        'parameters': parameters(model),
        'gmacs_per_image': round(macs / 1e9, 2),
        'graphs': {
            'model.onnx': {'inputs': {'input': ['batch', 448, 448, 3]}, 'outputs': {'output': ['batch', TAG_COUNT]}},
        },
    }


def build_clip(folder, fixture):
    config = transformers.CLIPConfig()
    # The fixture tokenizer's start and end tokens; pooling takes the hidden state at the end token.
    config.text_config.bos_token_id = 0
    config.text_config.eos_token_id = 1
    config.text_config.pad_token_id = 1
    config.architectures = ['CLIPModel']
    # The plain attention ops, as Xenova's exports (through optimum) have them.
    config.vision_config._attn_implementation = 'eager'
    config.text_config._attn_implementation = 'eager'
    vision = transformers.CLIPVisionModelWithProjection(config.vision_config).eval()
    text = transformers.CLIPTextModelWithProjection(config.text_config).eval()
    onnx_folder = os.path.join(folder, 'onnx')
    os.makedirs(onnx_folder)
    pixels = torch.randn(1, 3, 224, 224)
    ids = torch.randint(0, 19, (1, 77))
    ids[:, -1] = 1
    mask = torch.ones_like(ids)
    vision_macs = multiply_adds(ClipVision(vision), pixels)
    text_macs = multiply_adds(ClipText(text), ids, mask)
    export(ClipVision(vision).eval(), (pixels,), os.path.join(onnx_folder, 'vision_model.onnx'), ['pixel_values'],
           ['image_embeds', 'last_hidden_state'],
           {'pixel_values': {0: 'batch_size'}, 'image_embeds': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size'}})
    export(ClipText(text).eval(), (ids, mask), os.path.join(onnx_folder, 'text_model.onnx'), ['input_ids', 'attention_mask'],
           ['text_embeds', 'last_hidden_state'],
           {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'batch_size', 1: 'sequence_length'},
            'text_embeds': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'}})
    for tower in ['vision_model', 'text_model']:
        quantize(os.path.join(onnx_folder, f'{tower}.onnx'), os.path.join(onnx_folder, f'{tower}_quantized.onnx'))
    for file in CLIP_TOKENIZER_FILES:
        shutil.copyfile(os.path.join(fixture, file), os.path.join(folder, file))
    with open(os.path.join(folder, 'config.json'), 'w') as out:
        json.dump(config.to_dict(), out, indent=2)
    return {
        'architecture': 'transformers CLIPConfig() defaults = ViT-B/32 vision (224 px) + 12-layer 512-wide text, projection 512, vocabulary 49408',
        'tokenizer': 'the fixture tiny-clip tokenizer (19-word WordPiece): the real CLIP BPE files cannot be downloaded here',
        'parameters': {'vision': parameters(vision), 'text': parameters(text)},
        'gmacs_per_image': round(vision_macs / 1e9, 2),
        'gmacs_per_text_77_tokens': round(text_macs / 1e9, 2),
        'graphs': {
            'onnx/vision_model.onnx': {'inputs': {'pixel_values': ['batch_size', 3, 224, 224]},
                                       'outputs': {'image_embeds': ['batch_size', 512], 'last_hidden_state': ['batch_size', 50, 768]}},
            'onnx/text_model.onnx': {'inputs': {'input_ids': ['batch_size', 'sequence_length'], 'attention_mask': ['batch_size', 'sequence_length']},
                                     'outputs': {'text_embeds': ['batch_size', 512], 'last_hidden_state': ['batch_size', 'sequence_length', 512]}},
        },
    }


def file_sizes(folder):
    sizes = {}
    for root, _, files in os.walk(folder):
        for file in sorted(files):
            path = os.path.join(root, file)
            sizes[os.path.relpath(path, folder)] = os.path.getsize(path)
    return dict(sorted(sizes.items()))


def build(name, out, fixture):
    final = os.path.join(out, name)
    staging = os.path.join(out, f'.building-{name}')
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    started = time.time()
    torch.manual_seed(0)
    info = build_clip(staging, fixture) if name == CLIP else build_tagger(name, staging)
    info = {
        'name': name,
        'weights': 'random (torch.manual_seed(0)): real architecture and size, meaningless outputs',
        **info,
        'int8': f'onnxruntime.quantization.quantize_dynamic, QInt8 weights, ops {", ".join(QUANTIZED_OPS)}',
        'opset': OPSET,
        'files': file_sizes(staging),
        'versions': {'torch': torch.__version__, 'timm': timm.__version__, 'transformers': transformers.__version__,
                     'onnx': onnx.__version__, 'onnxruntime': onnxruntime.__version__},
        'build_seconds': round(time.time() - started),
    }
    with open(os.path.join(staging, 'stand-in.json'), 'w') as out_file:
        json.dump(info, out_file, indent=2)
    shutil.rmtree(final, ignore_errors=True)
    os.rename(staging, final)
    print(f'built {final} in {info["build_seconds"]} s', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True)
    parser.add_argument('--clip-fixture', required=True, help='folder whose tokenizer and preprocessor files the CLIP stand-in copies')
    parser.add_argument('names', nargs='*', help=f'some of {", ".join(NAMES)} (default: all)')
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in NAMES]
    if unknown:
        parser.error(f'unknown model {unknown[0]}; the stand-ins are {", ".join(NAMES)}')
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(args.out, exist_ok=True)
    for name in args.names or NAMES:
        build(name, args.out, args.clip_fixture)


if __name__ == '__main__':
    sys.exit(main())
