#!/usr/bin/env bash
# Fuzzes dlc's importers with libFuzzer (issue 18).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   build the fuzz build if needed, fuzz
#                                           each target for SECONDS (60)
#   scripts/fuzz.sh --runs N [TARGET...]    fuzz each target for N executions
#                                           (issue 18's target: 1000000)
#   scripts/fuzz.sh --smoke SECONDS TARGET  the ctest smoke run: exits 77
#                                           (skipped) without a fuzz build
#
# Targets: onnx (binary ONNX import), onnx-text (ONNX text), dl (dl parser,
# verifier, shape inference, folders). The fuzz build ($DLC_FUZZ_BUILD_DIR,
# default build-fuzz/) is clang-22 with -DDLC_FUZZ=ON and
# -DDLC_SANITIZE=address,undefined. Seeds: the ONNX node tests' models, the
# .onnxtxt models of the tests, the dl lit tests; crashes land in
# build-fuzz/findings/TARGET (copy each into test/fuzz/corpus/TARGET, the
# regression corpus every test run replays, with the fix).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_FUZZ_BUILD_DIR:-$root/build-fuzz}"
smoke=0
limit=()
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  shift
fi
if [ "${1:-}" = "--runs" ]; then
  limit=(-runs="${2:?--runs needs a count}")
  shift 2
else
  seconds="${1:-60}"
  shift || true
  limit=(-max_total_time="$seconds")
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(onnx onnx-text dl)

have_runtime() {
  [ -f "$(clang-22 -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a" ]
}
if [ "$smoke" = 1 ]; then
  if ! have_runtime || [ ! -x "$build/bin/dlc-fuzz-${targets[0]}" ]; then
    echo "fuzz-smoke: no fuzz build in $build (scripts/fuzz.sh builds it); skipped"
    exit 77
  fi
else
  have_runtime || { echo "fuzz.sh: clang-22's libFuzzer runtime is missing (scripts/install-deps.sh)"; exit 1; }
  if [ ! -f "$build/build.ninja" ]; then
    CCACHE_BASEDIR="$root" CC=clang-22 CXX=clang++-22 cmake -S "$root" -B "$build" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DDLC_FUZZ=ON -DDLC_SANITIZE=address,undefined
  fi
  nice -n 5 cmake --build "$build" --target $(printf 'dlc-fuzz-%s ' "${targets[@]}")
fi

# Seed corpora (once).
seeds="$build/seeds"
if [ ! -d "$seeds/dl" ]; then
  mkdir -p "$seeds/onnx" "$seeds/onnx-text" "$seeds/dl"
  for m in /usr/share/libonnx-testdata/data/node/*/model.onnx; do
    [ -f "$m" ] && cp "$m" "$seeds/onnx/$(basename "$(dirname "$m")").onnx"
  done
  cp "$root"/examples/*.onnxtxt "$seeds/onnx-text/" 2>/dev/null || true
  tmp="$(mktemp -d)"
  for t in "$root"/test/Frontend/ONNX/*.test; do
    if grep -q '^//--- .*\.onnxtxt' "$t"; then
      /usr/lib/llvm-22/bin/split-file "$t" "$tmp/$(basename "$t" .test)" 2>/dev/null || true
    fi
  done
  find "$tmp" -name '*.onnxtxt' | while read -r f; do
    cp "$f" "$seeds/onnx-text/$(basename "$(dirname "$f")")_$(basename "$f")"
  done
  rm -rf "$tmp"
  for t in "$root"/test/Dialect/DL/*.mlir; do
    awk -v out="$seeds/dl/$(basename "$t" .mlir)" \
      '/^\/\/ -----/ { n++; next } { print > (out "_" n+0 ".mlir") }' "$t"
  done
fi

status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$corpus" "$findings"
  echo "fuzz.sh: $t, ${limit[*]}"
  # 8 GB and 10 s per input are the limits of the issue's campaign.
  if ! nice -n 10 "$build/bin/dlc-fuzz-$t" "$corpus" "$seeds/$t" \
      "$root/test/fuzz/corpus/$t" "${limit[@]}" -rss_limit_mb=8192 \
      -timeout=10 -artifact_prefix="$findings/" -print_final_stats=1 \
      2>"$build/fuzz-$t.log"; then
    echo "fuzz.sh: $t FOUND A CRASH (see $findings and $build/fuzz-$t.log)"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz-$t.log" || true
done
exit $status
