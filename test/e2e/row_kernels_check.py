#!/usr/bin/python3
"""Checks the row kernels (dl-to-linalg row-kernels=true: softmax and
log-softmax over the last axis, layer norm, instance norm as one scf.forall
over rows) end to end against PyTorch, at ordinary and extreme inputs:
large logits (a row max of 1e4 and of 3e38, rows 1e4 apart), all-equal rows
(zero variance, a uniform softmax), a dynamic batch. Each model must also be
one kernel (`dlc --report=fusion`).

usage: row_kernels_check.py DLC OUTDIR
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
rng = np.random.default_rng(11)
failures = 0


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def compile_model(name, node, shape, inits, opset=17, in_shape=None):
    nodes = node if isinstance(node, list) else [node]
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape or shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(shape))],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    path = os.path.join(out, name + ".onnx")
    onnx.save(m, path)
    lib = os.path.join(out, name + ".so")
    r = subprocess.run([dlc, path, "--emit=shared", "-O3", "-o", lib, "--entry", "f",
                        "--report=fusion"], check=True, capture_output=True, text=True)
    kernels = re.search(r"@f: (\d+) kernels", r.stderr)
    return (CompiledModel(lib, "f", [TensorSpec(len(in_shape or shape), np.float32)],
                          [TensorSpec(len(shape), np.float32)]),
            int(kernels.group(1)) if kernels else None)


def check(name, model, kernels, x, want, rtol=1e-5, atol=1e-6, coarse=None, expect=1):
    """`coarse`: a mask of rows whose values sit at a large offset (1e4),
    compared at f32's resolution there (ulp(1e4) = 1e-3, times |scale|)."""
    global failures
    (got,) = model(x)
    tol = np.full(want.shape, atol, np.float64)
    if coarse is not None:
        tol[coarse] = 4e-3
    same = got.shape == want.shape
    np.seterr(invalid="ignore")  # -inf - -inf in the comparisons below
    ok = same and not np.isnan(got).any() and bool(np.all(
        (got == want) | (np.abs(got - want) <= tol + rtol * np.abs(want))))
    finite = np.isfinite(want) if same else None
    err = float(np.max(np.abs(got - want)[finite])) if same else float("inf")
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.2g}); "
          f"kernels: {kernels}")
    failures += (not ok) + (kernels != expect)


def t(a):
    return torch.from_numpy(a)


def extremes(shape, huge=True):
    """Random rows, then rows with large logits (1e4 and, with `huge`,
    3e38: a softmax's max must be subtracted first) and all-equal rows."""
    x = randn(*shape)
    flat = x.reshape(-1, shape[-1])
    flat[0] = 1e4 + randn(shape[-1])            # large, close together
    flat[1] = np.float32(3e38 if huge else -2.5)  # all equal (near FLT_MAX)
    flat[1, 0] = -3e38 if huge else -2.5
    flat[2] = 7.0                               # all equal
    flat[3] = np.linspace(-1e4, 1e4, shape[-1])  # far apart
    return x


# Softmax / LogSoftmax over the last axis of a [2, 4, 8, 33] tensor
# (attention scores' shape; 33 so the row is not a multiple of a vector).
shape = (2, 4, 8, 33)
x = extremes(shape)
for op, fn in (("Softmax", F.softmax), ("LogSoftmax", F.log_softmax)):
    model, k = compile_model(op.lower(), helper.make_node(op, ["x"], ["y"], axis=-1),
                             shape, {})
    check(f"{op} axis -1", model, k, x, fn(t(x).double(), -1).float().numpy())

# Softmax with a dynamic batch: compiled once, run at batch 1 and 3.
model, k = compile_model("softmax_dyn", helper.make_node("Softmax", ["x"], ["y"], axis=-1),
                         ("N", 17), {})
for n in (1, 3, 6):
    x = np.ascontiguousarray(extremes((max(n, 4), 17))[:n])
    check(f"Softmax dynamic batch {n}", model, k, x, F.softmax(t(x).double(), -1).float().numpy())

# A scalar scale of the logits is applied inside the row kernel:
# Softmax(x / c), Softmax(c * x). Attention's Softmax(MatMul(Q / c, K^T))
# keeps its scale apart (three kernels: the scale, the GEMM, the row kernel).
shape = (2, 4, 8, 33)
x = extremes(shape, huge=False)
c = np.array(5.656854, np.float32)
model, k = compile_model("softmax_div", [helper.make_node("Div", ["x", "c"], ["s"]),
                                         helper.make_node("Softmax", ["s"], ["y"], axis=-1)],
                         shape, dict(c=c))
# The reference divides in f32, as the ONNX Div does (x / c of the 1e4 row
# is only good to f32's 1e-4 there), then takes the softmax in double.
check("Softmax(x / c)", model, k, x, F.softmax(t(x / c).double(), -1).float().numpy())
model, k = compile_model("logsoftmax_mul", [helper.make_node("Mul", ["c", "x"], ["s"]),
                                            helper.make_node("LogSoftmax", ["s"], ["y"], axis=-1)],
                         shape, dict(c=np.array(0.125, np.float32)))
check("LogSoftmax(c * x)", model, k, x,
      F.log_softmax(t(np.float32(0.125) * x).double(), -1).float().numpy(), rtol=1e-5,
      atol=1e-5)
q, kt = randn(4, 16, 32) * 4, randn(4, 32, 16)
model, k = compile_model(
    "attention_scores",
    [helper.make_node("Div", ["x", "c"], ["qs"]),
     helper.make_node("MatMul", ["qs", "kt"], ["s"]),
     helper.make_node("Softmax", ["s"], ["y"], axis=-1)],
    (4, 16, 16), dict(c=c, kt=kt), in_shape=(4, 16, 32))
want = F.softmax(t(q / c).double() @ t(kt).double(), -1).float().numpy()
check("Softmax(MatMul(Q / c, K))", model, k, q, want, rtol=1e-4, atol=1e-6, expect=3)

# LayerNormalization over the last axis with scale and bias (a Transformer's).
shape = (3, 10, 48)
x = extremes(shape, huge=False)
offset = np.zeros(shape, bool)
offset[0, 0] = True
s, b = randn(48) + 1.0, randn(48)
model, k = compile_model(
    "layernorm", helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-1,
                                  epsilon=1e-5), shape, dict(s=s, b=b))
want = F.layer_norm(t(x).double(), (48,), t(s).double(), t(b).double(), 1e-5).float().numpy()
check("LayerNormalization axis -1", model, k, x, want, rtol=1e-4, atol=1e-5, coarse=offset)

# Over the last two axes, scale only ([5, 6]).
shape = (4, 5, 6)
x = randn(*shape)
x[0] = 2.5
x[1] = 1e4 + randn(5, 6)
offset = np.zeros(shape, bool)
offset[1] = True
s = randn(5, 6)
model, k = compile_model(
    "layernorm_2d", helper.make_node("LayerNormalization", ["x", "s"], ["y"], axis=1,
                                     epsilon=1e-3), shape, dict(s=s))
want = F.layer_norm(t(x).double(), (5, 6), t(s).double(), None, 1e-3).float().numpy()
check("LayerNormalization axis 1, no bias", model, k, x, want, rtol=1e-4, atol=1e-5,
      coarse=offset)

# InstanceNormalization: a row is one (sample, channel).
shape = (2, 3, 7, 9)
x = randn(*shape)
x[0, 1] = -4.0
s, b = randn(3), randn(3)
model, k = compile_model(
    "instancenorm", helper.make_node("InstanceNormalization", ["x", "s", "b"], ["y"],
                                     epsilon=1e-5), shape, dict(s=s, b=b))
want = F.instance_norm(t(x).double(), weight=t(s).double(), bias=t(b).double(),
                       eps=1e-5).float().numpy()
check("InstanceNormalization", model, k, x, want, rtol=1e-4, atol=1e-5)

print(f"{failures} failures")
sys.exit(1 if failures else 0)
