#!/usr/bin/env bash
# Fuzzes the file readers for SECONDS in all (default 60) with libFuzzer + ASan + UBSan: two thirds
# for the GGUF reader, one third for the safetensors reader.
#   tests/fuzz/run_fuzz.sh [SECONDS]
# Builds only the fuzz targets in build-fuzz/ (clang), seeds the GGUF corpus from every .gguf file
# under ../shared (whole, and their first 64 KiB to keep inputs small) and the safetensors corpus
# from the small HF fixtures (tests/model/fixtures/hf), and exits non-zero if a fuzzer finds a crash,
# leak, timeout or out-of-memory (the reproducer lands in build-fuzz/fuzz-artifacts/).
set -euo pipefail

seconds=${1:-60}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=$(cd "$repo/../shared" && pwd)
build="$repo/build-fuzz"

cmake -S "$repo" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DAKUNU_FUZZ=ON -DAKUNU_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target fuzz_gguf fuzz_safetensors -j2

seeds="$build/fuzz-seeds/gguf"
corpus="$build/fuzz-corpus/gguf"   # grows across runs; the seeds stay as they are
artifacts="$build/fuzz-artifacts/"
mkdir -p "$seeds" "$corpus" "$artifacts"
while IFS= read -r -d '' f; do
    base=$(basename "$f")
    cp -f "$f" "$seeds/$base"
    head -c 65536 "$f" > "$seeds/$base.64k"
done < <(find "$shared" -name '*.gguf' -type f -print0)

# Tokens of the format, so mutations produce well-formed headers and keys more often.
dict="$build/fuzz-seeds/gguf.dict"
cat > "$dict" <<'DICT'
"GGUF"
"\x02\x00\x00\x00"
"\x03\x00\x00\x00"
"general.alignment"
"\x20\x00\x00\x00"
"\x09\x00\x00\x00"
"\x08\x00\x00\x00"
"\x07\x00\x00\x00"
"\xff\xff\xff\xff\xff\xff\xff\xff"
"\x00\x00\x00\x00\x00\x00\x00\x00"
"\x01\x00\x00\x00\x00\x00\x00\x00"
".weight"
DICT

# Two phases sharing one corpus: first inputs of at most 64 KiB (headers, metadata and tensor
# infos: thousands of runs a second), then up to 1 MiB so whole tensor data sections are reached too
# (a whole vocabulary parse is slow under ASan: about a hundred runs a second).
fuzz() {
    local max_len=$1 secs=$2
    "$build/tests/fuzz/fuzz_gguf" "$corpus" "$seeds" \
        -dict="$dict" \
        -max_total_time="$secs" \
        -max_len="$max_len" \
        -timeout=20 \
        -rss_limit_mb=4096 \
        -artifact_prefix="$artifacts" \
        -print_final_stats=1
}
gguf_seconds=$(( seconds * 2 / 3 ))
small=$(( gguf_seconds / 2 ))
fuzz 65536 "$(( small > 0 ? small : 1 ))"
fuzz 1048576 "$(( gguf_seconds - small > 0 ? gguf_seconds - small : 1 ))"

# The safetensors header parser: the fixtures' shards (16-70 KB) as seeds.
st_seeds="$build/fuzz-seeds/safetensors"
st_corpus="$build/fuzz-corpus/safetensors"
mkdir -p "$st_seeds" "$st_corpus"
while IFS= read -r -d '' f; do
    cp -f "$f" "$st_seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
done < <(find "$repo/tests/model/fixtures/hf" -name '*.safetensors' -size -100k -type f -print0)
st_seconds=$(( seconds - gguf_seconds ))
"$build/tests/fuzz/fuzz_safetensors" "$st_corpus" "$st_seeds" \
    -max_total_time="$(( st_seconds > 0 ? st_seconds : 1 ))" \
    -max_len=131072 \
    -timeout=20 \
    -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts" \
    -print_final_stats=1
