#!/usr/bin/env bash
# The main job: build, then compile an example network as far as the pipeline
# goes today: ONNX import (checker, shape inference), dl shape inference and
# folding; prints the resulting dl IR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_BUILD_DIR:-$root/build}"
model="${1:-$root/examples/tiny_cnn.onnxtxt}"
shift || true

bash "$root/scripts/build.sh" >/dev/null
case "$model" in
  *.mlir)
    echo "== $model after dl-shape-inference and canonicalize =="
    "$build/bin/dlc-opt" "$model" --dl-shape-inference --canonicalize ;;
  *)
    echo "== dlc $model --emit=mlir $* =="
    "$build/bin/dlc" "$model" --emit=mlir "$@" ;;
esac
