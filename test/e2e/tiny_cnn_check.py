#!/usr/bin/python3
"""Compiles examples/tiny_cnn.onnxtxt (the README's main job) and checks its
output against a numpy reference of the same network, at batch 1 and 5.
Arguments after the dlc path are passed to dlc (e.g. --mcpu=x86-64-v3)."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnx.parser
from onnx import numpy_helper

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(root, "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc = sys.argv[1]
flags = sys.argv[2:]
src = os.path.join(root, "examples", "tiny_cnn.onnxtxt")
model = onnx.parser.parse_model(open(src).read())
w = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def reference(x):
    n = x.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((n, 4, 8, 8), np.float64)
    for m in range(4):
        for i in range(8):
            for j in range(8):
                conv[:, m, i, j] = np.sum(xp[:, :, i:i + 3, j:j + 3] * w["conv_w"][m], axis=(1, 2, 3))
    conv += w["conv_b"][None, :, None, None]
    pooled = np.maximum(conv, 0).mean(axis=(2, 3))
    logits = pooled @ w["fc_w"].T + w["fc_b"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


with tempfile.TemporaryDirectory() as tmp:
    lib = os.path.join(tmp, "tiny.so")
    subprocess.run([dlc, src, "--emit=shared", "-o", lib, "--entry", "forward", *flags], check=True)
    m = CompiledModel(lib, "forward", [TensorSpec(4, np.float32)], [TensorSpec(2, np.float32)])
    rng = np.random.default_rng(0)
    worst = 0.0
    for batch in (1, 5):
        x = rng.standard_normal((batch, 1, 8, 8)).astype(np.float32)
        (got,) = m(x)
        want = reference(x.astype(np.float64))
        worst = max(worst, float(np.max(np.abs(got - want))))
        assert got.shape == want.shape, (got.shape, want.shape)
        assert np.allclose(got, want, rtol=1e-4, atol=1e-6), (got, want)
    print(f"{' '.join(['tiny_cnn', *flags])} matches numpy at batch 1 and 5 (max abs err {worst:.2g})")
