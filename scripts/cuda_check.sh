#!/usr/bin/env bash
# The CUDA backend's check on a GPU machine: build deps, configure (-DAKUNU_CUDA=ON, Release),
# targeted build, nvidia-smi, the CUDA tests, a benchmark table and a per-op profile.
#
#   scripts/cuda_check.sh --pack   on the development machine (no GPU needed): copies what a bare
#                                  GPU machine without network may lack into build-cuda-deps/
#                                  (ignored by git through /build*/): the CLI11 and nlohmann-json
#                                  headers, googletest's sources, and the stories260K model files
#                                  and greedy references the tests read.
#   scripts/cuda_check.sh          on the GPU machine. With the device tool:
#                                  run(command="bash scripts/cuda_check.sh", carry=["build-cuda-deps"],
#                                      timeout_s=600)
#
# Every step runs even when an earlier one failed (each has its own time limit, the whole fits in
# about 8 minutes on 16 cores); the exit status is non-zero if any step failed. Logs go to $OUT when
# set (the device tool brings back what is there), else build-cuda-check/:
#   summary.txt, build.log (tail), nvidia-smi.txt, test_backend_cuda.log, test_runtime_cuda.log,
#   bench.md, profile.txt
# Environment: AKUNU_CUDA_BENCH="spec ..." replaces the benchmark list; AKUNU_CUDA_SKIP_BENCH=1 skips it;
# AKUNU_CUDA_PROFILE="spec ..." the models profiled (default qwen3-0.6b:q4_0).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DEPS="$ROOT/build-cuda-deps"
BUILD="${AKUNU_CUDA_BUILD_DIR:-$ROOT/build-cuda}"
SHARED_SRC="$ROOT/../shared"

# ---------------------------------------------------------------- --pack (development machine)

if [ "${1:-}" = "--pack" ]; then
  set -e
  rm -rf "$DEPS"
  mkdir -p "$DEPS/include" "$DEPS/shared/models" "$DEPS/shared/testdata"
  for d in /usr/include/CLI /usr/include/nlohmann; do
    if [ -d "$d" ]; then cp -r "$d" "$DEPS/include/"; else echo "warning: $d not found (install libcli11-dev / nlohmann-json3-dev)"; fi
  done
  if [ -d /usr/src/googletest ]; then
    cp -r /usr/src/googletest "$DEPS/googletest-src"
  else
    echo "warning: /usr/src/googletest not found (install libgtest-dev); the GPU machine then needs its own gtest"
  fi
  # The tokenizers' PCRE2 and utf8proc (headers + static libraries; found through CMAKE_PREFIX_PATH).
  mkdir -p "$DEPS/lib"
  for h in /usr/include/pcre2.h /usr/include/utf8proc.h; do
    if [ -f "$h" ]; then cp "$h" "$DEPS/include/"; else echo "warning: $h not found (install libpcre2-dev / libutf8proc-dev)"; fi
  done
  for l in /usr/lib/x86_64-linux-gnu/libpcre2-8.a /usr/lib/x86_64-linux-gnu/libutf8proc.a; do
    if [ -f "$l" ]; then cp "$l" "$DEPS/lib/"; else echo "warning: $l not found"; fi
  done
  cp "$SHARED_SRC"/models/stories260K.gguf "$SHARED_SRC"/models/stories260K-Q8_0.gguf "$DEPS/shared/models/"
  cp -r "$SHARED_SRC/testdata/stories260K" "$DEPS/shared/testdata/"
  du -sh "$DEPS"
  echo "packed $DEPS; on the GPU machine run: bash scripts/cuda_check.sh (carry build-cuda-deps)"
  exit 0
fi

# ---------------------------------------------------------------- GPU machine

OUT_DIR="${OUT:-$ROOT/build-cuda-check}"
mkdir -p "$OUT_DIR"
SUMMARY="$OUT_DIR/summary.txt"
: >"$SUMMARY"
JOBS="$(nproc)"
START=$(date +%s)
FAILED=0

log() { echo "== $*" | tee -a "$SUMMARY"; }
elapsed() { echo "$(( $(date +%s) - START )) s"; }
# The whole script stays inside the device tool's 10-minute command limit: a step never runs past
# DEADLINE seconds from the start, and one that would start later is skipped.
DEADLINE="${AKUNU_CUDA_DEADLINE:-560}"
# step NAME LIMIT_SECONDS LOGFILE command...: runs with a time limit, output to the terminal and LOGFILE.
step() {
  local name="$1" limit="$2" logfile="$3"
  shift 3
  local left=$(( DEADLINE - ($(date +%s) - START) ))
  if [ "$left" -lt 15 ]; then
    log "SKIP  $name: out of time ($(elapsed))"
    FAILED=1
    return 1
  fi
  [ "$limit" -gt "$left" ] && limit="$left"
  echo
  echo "######## $name (limit ${limit} s, at $(elapsed))"
  local rc
  if [ "${QUIET:-0}" = "1" ]; then  # output to the log only; its end is shown on failure
    timeout --kill-after=10 "$limit" "$@" >>"$logfile" 2>&1
    rc=$?
    [ "$rc" -ne 0 ] && tail -40 "$logfile"
  else
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$logfile"
    rc=${PIPESTATUS[0]}
  fi
  if [ "$rc" -eq 0 ]; then
    log "PASS  $name ($(elapsed))"
  else
    [ "$rc" -eq 124 ] && log "FAIL  $name: timed out after ${limit} s" || log "FAIL  $name: exit $rc"
    FAILED=1
  fi
  return "$rc"
}

log "akunu CUDA check, commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ), $JOBS cores"

# 1. Build dependencies: apt when there is network, else what --pack carried.
# AKUNU_CUDA_USE_CARRIED_DEPS=1 ignores the system's gtest / CLI11 / json headers (to test that path).
SYS=/usr/include
[ "${AKUNU_CUDA_USE_CARRIED_DEPS:-0}" = "1" ] && SYS=/nonexistent
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v ninja >/dev/null || missing+=(ninja-build)
[ -f $SYS/gtest/gtest.h ] || missing+=(libgtest-dev)
[ -f $SYS/CLI/CLI.hpp ] || missing+=(libcli11-dev)
[ -f $SYS/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
[ "$SYS" = /nonexistent ] && missing=()
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if timeout 60 apt-get -qq -o Acquire::Retries=0 -o Acquire::http::Timeout=10 update >/dev/null 2>&1 &&
     timeout 180 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    log "apt installed ${missing[*]}"
  else
    log "apt could not install ${missing[*]} (no network?); using build-cuda-deps/"
  fi
fi
command -v cmake >/dev/null || { log "FAIL  no cmake on this machine"; exit 1; }
GEN=(-G Ninja)
command -v ninja >/dev/null || { GEN=(); log "no ninja: using the default generator"; }

cmake_extra=()
prefixes=("$DEPS")  # CMAKE_PREFIX_PATH: the carried PCRE2 / utf8proc when pkg-config cannot find them
cxx_flags=""
if [ ! -f $SYS/CLI/CLI.hpp ]; then
  if [ -f "$DEPS/include/CLI/CLI.hpp" ]; then cmake_extra+=("-DCLI11_INCLUDE_DIR=$DEPS/include")
  else log "warning: no CLI11 headers (run scripts/cuda_check.sh --pack here and carry build-cuda-deps)"; fi
fi
if [ ! -f $SYS/nlohmann/json.hpp ]; then
  if [ -f "$DEPS/include/nlohmann/json.hpp" ]; then cxx_flags="-isystem $DEPS/include"
  else log "warning: no nlohmann/json.hpp (run scripts/cuda_check.sh --pack here and carry build-cuda-deps)"; fi
fi
if [ ! -f $SYS/gtest/gtest.h ]; then
  GTEST_PREFIX=/tmp/akunu-gtest
  if [ -f "$GTEST_PREFIX/include/gtest/gtest.h" ]; then
    prefixes+=("$GTEST_PREFIX")
  elif [ -d "$DEPS/googletest-src" ]; then
    echo "building googletest from build-cuda-deps/googletest-src"
    if cmake -S "$DEPS/googletest-src" -B /tmp/akunu-gtest-build "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
         -DBUILD_GMOCK=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$GTEST_PREFIX" >/dev/null &&
       cmake --build /tmp/akunu-gtest-build -j"$JOBS" >/dev/null && cmake --install /tmp/akunu-gtest-build >/dev/null; then
      prefixes+=("$GTEST_PREFIX")
      log "built googletest into $GTEST_PREFIX"
    else
      log "warning: googletest build failed"
    fi
  else
    log "warning: no googletest (run scripts/cuda_check.sh --pack here and carry build-cuda-deps)"
  fi
fi
cmake_extra+=("-DCMAKE_PREFIX_PATH=$(IFS=';'; echo "${prefixes[*]}")")
# The shared test data: beside the checkout where it exists, else the copy --pack carried.
if [ -f "$SHARED_SRC/testdata/stories260K/greedy.txt" ]; then
  SHARED="$(cd "$SHARED_SRC" && pwd)"
elif [ -f "$DEPS/shared/testdata/stories260K/greedy.txt" ]; then
  SHARED="$DEPS/shared"
else
  SHARED="$SHARED_SRC"
  log "warning: no stories260K test data (run scripts/cuda_check.sh --pack here and carry build-cuda-deps)"
fi

# 2. Configure and build (targeted).
NVCC=""
if command -v nvcc >/dev/null; then NVCC="$(command -v nvcc)"; elif [ -x /usr/local/cuda/bin/nvcc ]; then NVCC=/usr/local/cuda/bin/nvcc; fi
[ -n "$NVCC" ] && cmake_extra+=("-DCMAKE_CUDA_COMPILER=$NVCC")
BUILD_LOG="$OUT_DIR/build.log.full"
: >"$BUILD_LOG"
QUIET=1 step "configure" 120 "$BUILD_LOG" cmake -S . -B "$BUILD" "${GEN[@]}" -DAKUNU_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CUDA_ARCHITECTURES=90a-real;90-real;90-virtual" "-DAKUNU_SHARED_DIR=$SHARED" \
  "-DCMAKE_CXX_FLAGS=$cxx_flags" "${cmake_extra[@]}"
build_args=()
[ ${#GEN[@]} -gt 0 ] && build_args=(-- -k 0)
QUIET=1 step "build" 300 "$BUILD_LOG" cmake --build "$BUILD" -j"$JOBS" --target akunu akunu_bench akunu_profile_tool \
  test_backend test_runtime_cuda "${build_args[@]}"
# Keep what comes back small: the errors and the end of the build.
{ grep -E "error|FAILED" "$BUILD_LOG" | head -60; echo "----- last lines"; tail -40 "$BUILD_LOG"; } >"$OUT_DIR/build.log"
rm -f "$BUILD_LOG"

# 3. The GPU.
{ nvidia-smi; nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.mem,driver_version --format=csv; } \
  >"$OUT_DIR/nvidia-smi.txt" 2>&1
cat "$OUT_DIR/nvidia-smi.txt"

# 4. Tests: every op case on CUDA (the harness's *_cuda cases), then whole models.
if [ -x "$BUILD/tests/test_backend" ]; then
  step "test_backend *cuda*" 150 "$OUT_DIR/test_backend_cuda.log" \
    "$BUILD/tests/test_backend" --gtest_filter='*cuda*' --gtest_brief=1 --gtest_color=no
  grep -E "^\[  (PASSED|FAILED|SKIPPED)|tests? ran|FAILED TEST" "$OUT_DIR/test_backend_cuda.log" | tail -25 | tee -a "$SUMMARY"
else
  log "FAIL  test_backend was not built"
  FAILED=1
fi
if [ -x "$BUILD/tests/test_runtime_cuda" ]; then
  step "test_runtime_cuda" 150 "$OUT_DIR/test_runtime_cuda.log" "$BUILD/tests/test_runtime_cuda" --gtest_color=no
  grep -E "^\[  (PASSED|FAILED|SKIPPED)|tests? ran|FAILED TEST|^\[cuda" "$OUT_DIR/test_runtime_cuda.log" | tail -25 | tee -a "$SUMMARY"
else
  log "FAIL  test_runtime_cuda was not built"
  FAILED=1
fi

# 5. Benchmarks (random-weight models of the real shapes; llama.cpp's numbers are in
#    shared/reference/performance.md) and a per-op profile.
if [ "${AKUNU_CUDA_SKIP_BENCH:-0}" != "1" ] && [ -x "$BUILD/tools/akunu_bench" ]; then
  export TMPDIR="${TMPDIR:-/tmp}"  # the 8B synthetic models go through a temporary file (4-8 GiB)
  specs=(${AKUNU_CUDA_BENCH:-qwen3-0.6b:q4_0 llama-3-8b:q4_0 llama-3-8b:q8_0})
  for spec in "${specs[@]}"; do
    echo "### $spec" >>"$OUT_DIR/bench.md"
    step "bench $spec" 120 "$OUT_DIR/bench.md" \
      "$BUILD/tools/akunu_bench" --backend cuda --synthetic "$spec" -p 512 -n 128 -r 3 --decode chain,step
    echo >>"$OUT_DIR/bench.md"
  done
  grep -E "^\|" "$OUT_DIR/bench.md" | tee -a "$SUMMARY"
fi
if [ -x "$BUILD/tools/akunu_profile" ]; then
  for spec in ${AKUNU_CUDA_PROFILE:-qwen3-0.6b:q4_0}; do
    echo "### $spec" >>"$OUT_DIR/profile.txt"
    step "profile $spec" 90 "$OUT_DIR/profile.txt" \
      "$BUILD/tools/akunu_profile" --backend cuda --synthetic "$spec" --tokens 3 --group op --top 20
    step "profile $spec (commands)" 90 "$OUT_DIR/profile.txt" \
      "$BUILD/tools/akunu_profile" --backend cuda --synthetic "$spec" --tokens 3 --top 16
  done
fi

log "done in $(elapsed); $([ $FAILED -eq 0 ] && echo 'all steps passed' || echo 'SOME STEPS FAILED')"
echo
cat "$SUMMARY"
exit $FAILED
