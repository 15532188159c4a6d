#!/usr/bin/env bash
# The main job: build, then compile an example network and run it.
#   1. import examples/tiny_cnn.onnxtxt and print its dl IR,
#   2. compile it to a native executable with dlc,
#   3. run it on a batch of two 8x8 images and print the class
#      probabilities, then time 100 runs.
# With an argument, compiles that model instead (MODEL.onnx [dlc options]);
# a .mlir file goes through dlc-opt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_BUILD_DIR:-$root/build}"
model="${1:-$root/examples/tiny_cnn.onnxtxt}"
shift || true

bash "$root/scripts/build.sh" >/dev/null
case "$model" in
  *.mlir)
    echo "== dlc-opt $model --dlc-simplify (what dlc runs after import) =="
    exec "$build/bin/dlc-opt" "$model" --dlc-simplify ;;
esac

echo "== dlc $model --emit=mlir $* =="
"$build/bin/dlc" "$model" --emit=mlir "$@"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "== dlc $model --emit=exe -o $out/model $* =="
"$build/bin/dlc" "$model" --emit=exe -o "$out/model" -v "$@"

if [ "$model" = "$root/examples/tiny_cnn.onnxtxt" ]; then
  # Two 8x8 images: a vertical edge and a horizontal edge.
  /usr/bin/python3 -c "
import numpy as np, sys
x = np.zeros((2, 1, 8, 8), np.float32)
x[0, 0, :, 4:] = 1
x[1, 0, 4:, :] = 1
np.save(sys.argv[1], x)" "$out/images.npy"
  echo "== $out/model images.npy (class probabilities per image) =="
  "$out/model" "$out/images.npy"
  "$out/model" "$out/images.npy" --bench 100
fi
