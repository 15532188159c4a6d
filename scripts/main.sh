#!/usr/bin/env bash
# The main job: build, then run an example network through the dl pipeline
# that exists today (verify, shape inference, folding) and print the result.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_BUILD_DIR:-$root/build}"
model="${1:-$root/examples/mlp.mlir}"

bash "$root/scripts/build.sh" >/dev/null
echo "== $model after dl-shape-inference and canonicalize =="
"$build/bin/dlc-opt" "$model" --dl-shape-inference --canonicalize
