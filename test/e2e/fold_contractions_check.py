#!/usr/bin/python3
"""Checks dl-fold-into-contractions end to end: ONNX models whose Conv or
Gemm is followed by BatchNormalization (inference), a per-channel Mul, Add
or Sub, compiled by dlc and run against PyTorch; and that the fold happened
(no dl.batch_norm / dl.mul / dl.add / dl.sub left in `dlc --emit=mlir`),
or did not where the conv's result has a second user.

usage: fold_contractions_check.py DLC OUTDIR
"""
import os
import re
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
failures = 0


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def compile_and_run(name, nodes, x, out_shapes, inits, opset=13):
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info(f"y{i}", TensorProto.FLOAT, list(s))
         for i, s in enumerate(out_shapes)],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    path = os.path.join(out, name + ".onnx")
    onnx.save(m, path)
    ir = subprocess.run([dlc, path, "--emit=mlir"], check=True, capture_output=True,
                        text=True).stdout
    left = sorted(set(re.findall(r"dl\.(batch_norm|mul|add|sub) ", ir)))
    lib = os.path.join(out, name + ".so")
    subprocess.run([dlc, path, "--emit=shared", "-O3", "-o", lib, "--entry", "f"], check=True)
    model = CompiledModel(lib, "f", [TensorSpec(x.ndim, np.float32)],
                          [TensorSpec(len(s), np.float32) for s in out_shapes])
    return model(x), left


def check(name, got, want, left, expect_left=()):
    global failures
    ok = all(g.shape == w.shape and np.allclose(g, w, rtol=1e-4, atol=1e-4)
             for g, w in zip(got, want))
    err = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
    folded = list(left) == list(expect_left)
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.2g}); "
          f"ops left after folding: {', '.join(left) or 'none'}"
          f"{'' if folded else ' (UNEXPECTED)'}")
    failures += (not ok) + (not folded)


def t(a):
    return torch.from_numpy(a)


def bn_params(c):
    # Statistics far from (0, 1), so an unfolded or wrongly folded batch norm
    # shows.
    return dict(s=randn(c) + 1.5, b=randn(c), m=randn(c, scale=2.0),
                v=(rng.random(c) * 3 + 0.2).astype(np.float32))


def torch_bn(y, p, eps):
    return F.batch_norm(y, t(p["m"]), t(p["v"]), t(p["s"]), t(p["b"]), training=False, eps=eps)


# Conv (bias, pads) -> BatchNormalization -> Relu, batch 2.
x = randn(2, 3, 9, 9)
w, bias, p = randn(4, 3, 3, 3), randn(4), bn_params(4)
(y,), left = compile_and_run(
    "conv_bn_relu",
    [helper.make_node("Conv", ["x", "w", "bias"], ["c"], pads=[1, 1, 1, 1]),
     helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"], epsilon=1e-3),
     helper.make_node("Relu", ["n"], ["y0"])],
    x, [(2, 4, 9, 9)], dict(w=w, bias=bias, **p))
want = F.relu(torch_bn(F.conv2d(t(x), t(w), t(bias), padding=1), p, 1e-3)).numpy()
check("Conv+BatchNormalization+Relu", [y], [want], left)

# Depthwise conv (groups = channels, stride 2, no bias) -> BatchNormalization.
x = randn(1, 8, 10, 10)
w, p = randn(8, 1, 3, 3), bn_params(8)
(y,), left = compile_and_run(
    "dwconv_bn",
    [helper.make_node("Conv", ["x", "w"], ["c"], group=8, strides=[2, 2], pads=[1, 1, 1, 1]),
     helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["y0"])],
    x, [(1, 8, 5, 5)], dict(w=w, **p))
want = torch_bn(F.conv2d(t(x), t(w), None, stride=2, padding=1, groups=8), p, 1e-5).numpy()
check("depthwise Conv+BatchNormalization", [y], [want], left)

# Conv -> Mul [1,4,1,1] -> Add [4,1,1] -> Sub scalar.
x = randn(2, 3, 6, 6)
w, k, s = randn(4, 3, 1, 1), randn(1, 4, 1, 1), randn(4, 1, 1)
one = np.array(0.75, np.float32)
(y,), left = compile_and_run(
    "conv_mul_add_sub",
    [helper.make_node("Conv", ["x", "w"], ["c"]),
     helper.make_node("Mul", ["c", "k"], ["m0"]),
     helper.make_node("Add", ["s", "m0"], ["a0"]),
     helper.make_node("Sub", ["a0", "one"], ["y0"])],
    x, [(2, 4, 6, 6)], dict(w=w, k=k, s=s, one=one))
want = (F.conv2d(t(x), t(w)) * t(k) + t(s) - t(one)).numpy()
check("Conv+Mul+Add+Sub", [y], [want], left)

# Gemm (transB, alpha, beta, C) -> BatchNormalization (a Linear layer and
# BatchNorm1d).
x = randn(3, 5)
w, c, p = randn(6, 5), randn(6), bn_params(6)
(y,), left = compile_and_run(
    "gemm_bn",
    [helper.make_node("Gemm", ["x", "w", "c"], ["g"], transB=1, alpha=0.5, beta=2.0),
     helper.make_node("BatchNormalization", ["g", "s", "b", "m", "v"], ["y0"])],
    x, [(3, 6)], dict(w=w, c=c, **p))
want = torch_bn(0.5 * t(x) @ t(w).T + 2.0 * t(c), p, 1e-5).numpy()
check("Gemm+BatchNormalization", [y], [want], left)

# The conv's result is also a model output: nothing folds.
x = randn(1, 2, 5, 5)
w, p = randn(3, 2, 3, 3), bn_params(3)
(y0, y1), left = compile_and_run(
    "conv_two_users",
    [helper.make_node("Conv", ["x", "w"], ["y0"]),
     helper.make_node("BatchNormalization", ["y0", "s", "b", "m", "v"], ["y1"])],
    x, [(1, 3, 3, 3), (1, 3, 3, 3)], dict(w=w, **p))
c = F.conv2d(t(x), t(w))
check("Conv used twice (not folded)", [y0, y1], [c.numpy(), torch_bn(c, p, 1e-5).numpy()],
      left, expect_left=["batch_norm"])

print(f"{failures} failures")
sys.exit(1 if failures else 0)
