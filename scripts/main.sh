#!/usr/bin/env bash
# The main job: build (Release), then akunu_bench on a built-in synthetic model with the exact shapes
# of Qwen3-0.6B in Q4_0 (no download needed): prefill and decode tok/s, GB/s and % of the measured
# peak bandwidth. On a machine with a GPU and a CUDA build (-DAKUNU_CUDA=ON) it runs on the GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/tools/akunu_bench --synthetic qwen3-0.6b:q4_0 -p 128 -n 32 -r 3 --roofline
