#!/usr/bin/env bash
# The main job: build (Release) and run akunu on a built-in synthetic model (no download needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/tools/akunu run --synthetic tiny:q4_0 -p "Once upon a time" -n 64 --temp 0
