#!/usr/bin/python3
"""Checks dl-autodiff's gradients against central finite differences in f64
(eps 1e-6, atol 1e-5, rtol 1e-3, the gradcheck defaults).

usage: gradcheck.py DLC DLC_OPT MODEL.mlir FUNCTION OUTDIR

MODEL.mlir holds FUNCTION(args...) -> scalar; dl-autodiff adds
FUNCTION_grad, dlc compiles both, and every gradient element is compared.
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc, dlc_opt, model, fn, out = sys.argv[1:6]
os.makedirs(out, exist_ok=True)
grad_mlir = os.path.join(out, "grad.mlir")
subprocess.run([dlc_opt, model, f"--dl-autodiff=functions={fn}", "-o", grad_mlir], check=True)
lib = os.path.join(out, "grad.so")
subprocess.run([dlc, grad_mlir, "--emit=shared", "--entry", fn + "_grad", "-o", lib], check=True)

# Argument shapes from the function signature (static f64 tensors).
sig = re.search(r"func\.func @" + fn + r"\((.*?)\)\s*->", open(model).read(), re.S).group(1)
shapes = [tuple(int(d) for d in m.split("x")[:-1]) if "x" in m else ()
          for m in re.findall(r"tensor<([^>]*)>", sig)]
specs = [TensorSpec(len(s), np.float64) for s in shapes]
forward = CompiledModel(lib, fn, specs, [TensorSpec(0, np.float64)])
backward = CompiledModel(lib, fn + "_grad", specs + [TensorSpec(0, np.float64)],
                         [TensorSpec(0, np.float64)] + specs)

rng = np.random.default_rng(0)
args = [rng.standard_normal(s) for s in shapes]
value, *grads = backward(*args, np.array(1.0))
eps, worst, failures = 1e-6, 0.0, 0
for k, (a, g) in enumerate(zip(args, grads)):
    for idx in np.ndindex(a.shape):
        plus = [x.copy() for x in args]
        minus = [x.copy() for x in args]
        plus[k][idx] += eps
        minus[k][idx] -= eps
        numeric = (forward(*plus)[0] - forward(*minus)[0]) / (2 * eps)
        err = abs(g[idx] - numeric)
        worst = max(worst, float(err))
        if err > 1e-5 + 1e-3 * abs(numeric):
            failures += 1
            print(f"arg {k} {idx}: autodiff {g[idx]:.8g}, finite difference {numeric:.8g}")
count = sum(a.size for a in args)
print(f"gradcheck {fn}: {count - failures} of {count} gradient elements match "
      f"(max abs err {worst:.2g})")
sys.exit(1 if failures else 0)
