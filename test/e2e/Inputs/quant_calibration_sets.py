#!/usr/bin/python3
"""Writes calibration directories for test/e2e/quant_calibration.test (for
examples/tiny_cnn.onnxtxt, input image [batch, 1, 8, 8]): good ones (.npy
files, subdirectories of TensorProto .pb files) and broken ones."""
import os
import sys

import numpy as np
from onnx import numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(0)


def mkdir(*parts):
    path = os.path.join(out, *parts)
    os.makedirs(path, exist_ok=True)
    return path


good = mkdir("npy")
for i in range(4):
    np.save(os.path.join(good, f"set_{i}.npy"), rng.normal(size=(2, 1, 8, 8)).astype(np.float32))
for i in range(3):
    d = mkdir("pb", f"set_{i}")
    t = numpy_helper.from_array(rng.normal(size=(1, 1, 8, 8)).astype(np.float32))
    with open(os.path.join(d, "input_0.pb"), "wb") as f:
        f.write(t.SerializeToString())
mkdir("empty")
with open(os.path.join(mkdir("garbage"), "set_0.npy"), "wb") as f:
    f.write(b"not a numpy file")
np.save(os.path.join(mkdir("shape"), "set_0.npy"), np.zeros((2, 1, 9, 9), np.float32))
np.save(os.path.join(mkdir("dtype"), "set_0.npy"), np.zeros((2, 1, 8, 8), np.int32))
for name in ("a", "b"):
    np.save(os.path.join(mkdir("count", "set_0"), f"{name}.npy"), np.zeros((1, 1, 8, 8), np.float32))
with open(os.path.join(out, "file"), "w") as f:
    f.write("not a directory\n")
