#!/usr/bin/python3
"""Checks dl-autodiff's gradients against central finite differences in f64
(eps 1e-6, atol 1e-5, rtol 1e-3, the gradcheck defaults).

usage: gradcheck.py DLC DLC_OPT MODEL.mlir FUNCTION OUTDIR [--index-high N]
                    [--dynamic-dim N] [--checkpoint POLICY]

MODEL.mlir holds FUNCTION(args...) -> scalar; dl-autodiff adds
FUNCTION_grad, dlc compiles both, and every gradient element is compared.
f64 arguments are standard normal; i64 arguments (indices, which get no
gradient) are uniform in [-N, N) with --index-high N (default 2), so negative
indices are exercised too. Dynamic dims (?) are compiled as such and get
size N from --dynamic-dim N (default 2) at run time. A non-scalar result is
checked as the loss sum(result * r) for a fixed random r (the cotangent
FUNCTION_grad gets).
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc, dlc_opt, model, fn, out = sys.argv[1:6]


def option(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


index_high = option("--index-high", 2)
dynamic_dim = option("--dynamic-dim", 2)
os.makedirs(out, exist_ok=True)
grad_mlir = os.path.join(out, "grad.mlir")
# --checkpoint POLICY: FUNCTION_grad recomputes its forward (dl-checkpoint).
checkpoint = sys.argv[sys.argv.index("--checkpoint") + 1] if "--checkpoint" in sys.argv else None
passes = [f"--dl-autodiff=functions={fn}"]
if checkpoint:
    passes.append(f"--dl-checkpoint=functions={fn}_grad policy={checkpoint}")
subprocess.run([dlc_opt, model, *passes, "-o", grad_mlir], check=True)
if checkpoint and "dl.recompute_barrier" not in open(grad_mlir).read():
    sys.exit(f"gradcheck: --checkpoint {checkpoint} recomputed nothing")
lib = os.path.join(out, "grad.so")
subprocess.run([dlc, grad_mlir, "--emit=shared", "--entry", fn + "_grad", "--entry", fn, "-o", lib], check=True)

# Argument and result shapes and types from the function signature (f64 or
# i64 tensors; the result f64).
sig, res = re.search(r"func\.func @" + fn + r"\((.*?)\)\s*->\s*(tensor<[^>]*>)",
                     open(model).read(), re.S).groups()


def shape_of(t):
    return tuple(dynamic_dim if d == "?" else int(d) for d in t.split("x")[:-1])


types = re.findall(r"tensor<([^>]*)>", sig)
shapes = [shape_of(m) for m in types]
dtypes = [np.int64 if m.split("x")[-1] == "i64" else np.float64 for m in types]
specs = [TensorSpec(len(s), t) for s, t in zip(shapes, dtypes)]
diff = [k for k, t in enumerate(dtypes) if t == np.float64]
out_shape = shape_of(res[len("tensor<"):-1])
out_spec = TensorSpec(len(out_shape), np.float64)
forward = CompiledModel(lib, fn, specs, [out_spec])
backward = CompiledModel(lib, fn + "_grad", specs + [out_spec],
                         [out_spec] + [specs[k] for k in diff])

rng = np.random.default_rng(0)
args = [rng.standard_normal(s) if t == np.float64 else
        rng.integers(-index_high, index_high, s, dtype=np.int64)
        for s, t in zip(shapes, dtypes)]
cotangent = rng.standard_normal(out_shape) if out_shape else np.array(1.0)


def loss(xs):
    return float(np.sum(forward(*xs)[0] * cotangent))


value, *grads = backward(*args, cotangent)
eps, worst, failures = 1e-6, 0.0, 0
for k, g in zip(diff, grads):
    a = args[k]
    for idx in np.ndindex(a.shape):
        plus = [x.copy() for x in args]
        minus = [x.copy() for x in args]
        plus[k][idx] += eps
        minus[k][idx] -= eps
        numeric = (loss(plus) - loss(minus)) / (2 * eps)
        err = abs(g[idx] - numeric)
        worst = max(worst, float(err))
        if err > 1e-5 + 1e-3 * abs(numeric):
            failures += 1
            print(f"arg {k} {idx}: autodiff {g[idx]:.8g}, finite difference {numeric:.8g}")
count = sum(args[k].size for k in diff)
print(f"gradcheck {fn}: {count - failures} of {count} gradient elements match "
      f"(max abs err {worst:.2g})")
sys.exit(1 if failures else 0)
