#!/usr/bin/env bash
# The main job: build, then compile an example network and run it.
#   1. import examples/tiny_cnn.onnxtxt and print its dl IR,
#   2. compile it to a shared library with dlc,
#   3. run it on a batch of two 8x8 images through the Python loader.
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
    echo "== $model after dl-shape-inference and canonicalize =="
    exec "$build/bin/dlc-opt" "$model" --dl-shape-inference --canonicalize ;;
esac

echo "== dlc $model --emit=mlir $* =="
"$build/bin/dlc" "$model" --emit=mlir "$@"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "== dlc $model --emit=shared -o $out/model.so =="
"$build/bin/dlc" "$model" --emit=shared -o "$out/model.so" --entry forward -v "$@"

if [ "$model" = "$root/examples/tiny_cnn.onnxtxt" ]; then
  echo "== running the compiled model =="
  /usr/bin/python3 - "$root/python" "$out/model.so" <<'PY'
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from dlc import CompiledModel, TensorSpec
model = CompiledModel(sys.argv[2], "forward", [TensorSpec(4, np.float32)],
                      [TensorSpec(2, np.float32)])
images = np.zeros((2, 1, 8, 8), np.float32)
images[0, 0, :, 4:] = 1.0          # a vertical edge
images[1, 0, 4:, :] = 1.0          # a horizontal edge
(probs,) = model(images)
np.set_printoptions(precision=4, suppress=True)
for i, p in enumerate(probs):
    print(f"image {i}: class probabilities {p} -> class {int(p.argmax())}")
PY
fi
