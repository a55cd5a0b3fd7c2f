#!/usr/bin/env bash
# GPU check for models.device (docs/models.md#gpu). On a Linux x64 machine with an NVIDIA GPU:
# installs onnxruntime-node's CUDA binaries into a COPY of this checkout, proves the tagger opens on
# CUDA through the product's loader, then runs the pipeline benchmark on the CPU and on CUDA and
# prints both. Not part of CI; downloads the CUDA provider from GitHub once.
#
# Usage: bash bench/gpu-check.sh [WORK_DIR]      (default /tmp/sagasu-gpu-check)
# Needs: nvidia-smi, an NVIDIA driver for CUDA 12 (>= 525), the CUDA 12.x runtime libraries and
# cuDNN 9.x where the dynamic loader finds them (ldconfig or LD_LIBRARY_PATH).
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-/tmp/sagasu-gpu-check}"
BIN="$WORK/node_modules/onnxruntime-node/bin/napi-v3/linux/x64"

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

echo "== copying $SRC to $WORK"
# A copy, not the checkout: the installer overwrites libonnxruntime.so.1.21.0, and the checkout's
# node_modules files may be hard links shared with other checkouts.
rm -rf "$WORK"
mkdir -p "$WORK"
tar -C "$SRC" --exclude=./.output --exclude=./bench/.work -cf - . | tar -C "$WORK" -xf -
# tar re-links names that shared an inode (libonnxruntime.so.1 and .so.1.21.0); npm install leaves
# two separate files and the installer replaces only the second: keep them separate.
for f in "$BIN"/*; do cp --remove-destination "$f" "$f.tmp" && mv "$f.tmp" "$f"; done

echo "== installing the CUDA provider with onnxruntime-node's own script (npm install skips it here)"
(cd "$WORK/node_modules/onnxruntime-node" && ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node script/install.js)
ls -l "$BIN"
test -f "$BIN/libonnxruntime_providers_cuda.so" || { echo "the CUDA provider was not installed"; exit 1; }

echo "== does the tagger open on CUDA through the product's loader (as models.device: cuda does)?"
cd "$WORK"
mkdir -p bench/.work
# When it falls back, the line printed before this one says why (a missing CUDA or cuDNN library, the driver).
printf '%s\n' \
  "import { loadTaggerModel } from '../../workers/models/tagger-model'" \
  "const tagger = await loadTaggerModel('test/fixtures/models/tiny-wd14', 'wd14', { device: 'cuda' })" \
  "console.log('tagger device: ' + tagger.device)" \
  "await tagger.release()" \
  "if (tagger.device !== 'cuda') process.exit(1)" > bench/.work/gpu-probe.ts
node bin/run-ts.mjs bench/.work/gpu-probe.ts

# --real-size (issue 16's real-size stand-ins) is another change; without it, drop the flag to measure the fixtures.
echo "== pipeline benchmark on the CPU"
npm run --silent bench:pipeline -- --real-size --device cpu | tee "$WORK/gpu-check-cpu.md"
echo "== pipeline benchmark on CUDA"
npm run --silent bench:pipeline -- --real-size --device cuda | tee "$WORK/gpu-check-cuda.md"

echo "== figures for BENCHMARKS.md (card: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1); record both)"
cat "$WORK/gpu-check-cpu.md" "$WORK/gpu-check-cuda.md"
