#!/usr/bin/python3
"""Checks dl.softmax_cross_entropy and dl.softmax_cross_entropy_grad (the
loss and gradient `dlc --train --loss=cross_entropy` builds, each one row
kernel on the CPU) end to end against PyTorch's
F.cross_entropy(reduction='none', label_smoothing=eps) and its autograd
gradient, at ordinary and extreme inputs: logits of 1e4 and 3e38, rows 1e4
apart, all-equal rows, a dynamic batch, label smoothing 0 and 0.1. The loss
must be one kernel (its labels are checked by a scalar loop before it), the
gradient one (`dlc --report=fusion`). A label outside [0, C) is an error
status.

usage: softmax_xent_check.py DLC OUTDIR
"""
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import dlc as dlcpy  # noqa: E402
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
failures = 0
C = 10


def compile_fn(name, body, eps, extra_args=""):
    """Compiles @f(x: ?xC, labels: ?, [g: ?]) of one op; returns the model
    and its kernel count."""
    path = os.path.join(out, f"{name}.mlir")
    with open(path, "w") as f:
        f.write(body.format(C=C, eps=eps, extra=extra_args))
    lib = os.path.join(out, f"{name}.so")
    r = subprocess.run([dlc, path, "--emit=shared", "-o", lib, "--entry", "f",
                        "--report=fusion"], check=True, capture_output=True, text=True)
    kernels = re.search(r"@f: (\d+) kernels", r.stderr)
    return lib, int(kernels.group(1)) if kernels else None


FWD = """func.func @f(%x: tensor<?x{C}xf32>, %y: tensor<?xi64>) -> tensor<?xf32> {{
  %l = dl.softmax_cross_entropy %x, %y {{label_smoothing = {eps} : f64}} : (tensor<?x{C}xf32>, tensor<?xi64>) -> tensor<?xf32>
  return %l : tensor<?xf32>
}}
"""
GRAD = """func.func @f(%x: tensor<?x{C}xf32>, %y: tensor<?xi64>, %g: tensor<?xf32>) -> tensor<?x{C}xf32> {{
  %d = dl.softmax_cross_entropy_grad %x, %y, %g {{label_smoothing = {eps} : f64}} : (tensor<?x{C}xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<?x{C}xf32>
  return %d : tensor<?x{C}xf32>
}}
"""


def inputs():
    """(name, logits, coarse): `coarse` marks rows at a large offset, compared
    at f32's resolution there."""
    n = 9
    x = rng.standard_normal((n, C)).astype(np.float32) * 3
    yield "random", x, None
    big = x.copy()
    big[1] += 1e4
    big[2] *= 1e4
    big[3] = -big[3] * 1e4
    big[4, 3] = 3e38
    big[5] = 3e38
    coarse = np.zeros(n, bool)
    coarse[[1, 2, 3]] = True
    yield "large logits", big, coarse
    eq = np.repeat(rng.standard_normal((n, 1)).astype(np.float32) * 50, C, axis=1)
    yield "all-equal rows", eq, None
    yield "batch 1", x[:1].copy(), None


def close(got, want, coarse, rtol=1e-5, atol=1e-5):
    """Elementwise |got - want| <= atol + rtol |want|; rows in `coarse` with
    atol 4e-3 (f32's resolution at 1e4 is 1e-3)."""
    tol = np.full(want.shape, atol, np.float64)
    if coarse is not None:
        tol[coarse] = 4e-3
    if got.shape != want.shape:
        return False, float("inf")
    err = np.abs(got.astype(np.float64) - want)
    ok = bool(np.all(np.isfinite(got)) and np.all(err <= tol + rtol * np.abs(want)))
    return ok, float(np.max(err))


for eps in (0.0, 0.1):
    fwd_lib, fwd_kernels = compile_fn(f"fwd_{eps}", FWD, eps)
    grad_lib, grad_kernels = compile_fn(f"grad_{eps}", GRAD, eps)
    fwd = CompiledModel(fwd_lib, "f", [TensorSpec(2, np.float32), TensorSpec(1, np.int64)],
                        [TensorSpec(1, np.float32)])
    grad = CompiledModel(grad_lib, "f", [TensorSpec(2, np.float32), TensorSpec(1, np.int64),
                                         TensorSpec(1, np.float32)], [TensorSpec(2, np.float32)])
    for what, x, coarse in inputs():
        n = x.shape[0]
        y = rng.integers(0, C, n).astype(np.int64)
        g = rng.standard_normal(n).astype(np.float32)
        xt = torch.from_numpy(x.astype(np.float64)).requires_grad_()
        loss = F.cross_entropy(xt, torch.from_numpy(y), reduction="none", label_smoothing=eps)
        (dx,) = torch.autograd.grad(loss, xt, torch.from_numpy(g.astype(np.float64)))
        (got_l,) = fwd(x, y)
        (got_d,) = grad(x, y, g)
        want_l, want_d = loss.detach().numpy(), dx.numpy()
        # The reference is PyTorch in f64 on the same f32 logits.
        ok_l, err_l = close(got_l, want_l, coarse)
        ok_d, err_d = close(got_d, want_d, coarse)
        print(f"eps {eps} {what}: loss {'match' if ok_l else 'MISMATCH'} "
              f"(max abs err {err_l:.2g}), gradient {'match' if ok_d else 'MISMATCH'} "
              f"(max abs err {err_d:.2g})")
        failures += (not ok_l) + (not ok_d)
    print(f"eps {eps}: kernels: loss {fwd_kernels}, gradient {grad_kernels}")
    failures += (fwd_kernels != 1) + (grad_kernels != 1)
    for bad in (-1, C):
        try:
            fwd(rng.standard_normal((3, C)).astype(np.float32), np.array([0, bad, 1], np.int64))
            print(f"label {bad}: no error")
            failures += 1
        except dlcpy.DLCError as e:
            print(f"label {bad}: {e}")
            failures += f"class label is outside [0, {C})" not in str(e)

# Labels of another batch size than the logits (both dynamic): an error
# status, not a read past the labels.
for name, call in (("loss", lambda x, y: fwd(x, y)),
                   ("gradient", lambda x, y: grad(x, y, np.ones(3, np.float32)))):
    try:
        call(rng.standard_normal((3, C)).astype(np.float32), np.array([0, 1], np.int64))
        print(f"{name}, 2 labels for 3 rows: no error")
        failures += 1
    except dlcpy.DLCError as e:
        print(f"{name}, 2 labels for 3 rows: {e}")
        failures += "differ in batch size" not in str(e)

print(f"{failures} failed")
sys.exit(1 if failures else 0)
