#!/usr/bin/env bash
# Every test: the Release build's suite (with the CUDA backend compiled in when nvcc is present: its
# tests run where a GPU exists and skip, saying so, elsewhere), the same suite under AddressSanitizer
# + UBSan, and the GGUF and safetensors reader fuzzers for FUZZ_SECONDS in all (default 60). Exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
jobs="$(nproc)"
fuzz_seconds="${FUZZ_SECONDS:-60}"

# One Release build holds both backends: the CUDA sources (sm_90a + sm_90 + PTX) compile in it and
# its test binaries carry the CUDA cases, instead of a second full build just for them.
cuda_flags=()
nvcc="$(command -v nvcc || true)"
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
if [ -n "$nvcc" ]; then
  cuda_flags=(-DAKUNU_CUDA=ON "-DCMAKE_CUDA_COMPILER=$nvcc")
elif [ "${CI:-}" = "true" ]; then
  echo "error: CI must compile the CUDA backend but no nvcc was found (PATH, /usr/local/cuda/bin)" >&2
  exit 1
fi

echo "== Release build and tests (CUDA backend: ${nvcc:-not compiled, no nvcc})"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${cuda_flags[@]}" >/dev/null
cmake --build build -j"$jobs"
if [ -n "$nvcc" ] && ! nvidia-smi -L >/dev/null 2>&1; then
  echo "no GPU on this machine: the CUDA cases below skip (scripts/cuda_check.sh runs them on a GPU)"
fi
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAKUNU_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== Fuzzing the GGUF and safetensors readers for ${fuzz_seconds} s"
tests/fuzz/run_fuzz.sh "$fuzz_seconds"
