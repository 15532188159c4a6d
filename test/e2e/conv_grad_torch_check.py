#!/usr/bin/python3
"""Compares dl-autodiff's conv and pool gradients with PyTorch autograd (f64).

usage: conv_grad_torch_check.py DLC DLC_OPT OUTDIR

Each case is a dl function next to the same computation in PyTorch; both
get the same inputs and the same random cotangent, and every gradient must
match within 1e-9. The pool cases use inputs drawn from {0, 1, 2}, so most
windows hold ties: finite differences cannot check those, and PyTorch routes
each window's gradient to its first maximum, as dl.max_pool_grad does.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402


def t(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf64>"


# name: (input shapes, result shape, dl op text with %a0.. as operands and
# {T0}.. / {R} as types, PyTorch function, integer-valued inputs)
CASES = {
    "conv2d_stride2_groups": (
        [(2, 4, 7, 6), (4, 2, 3, 2), (4,)], (2, 4, 3, 3),
        "dl.conv %a0, %a1, %a2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 2, 1>, "
        "dilations = array<i64: 2, 2>, groups = 2 : i64} : ({T0}, {T1}, {T2}) -> {R}",
        lambda x, w, b: F.conv2d(F.pad(x, (0, 1, 1, 2)), w, b, stride=2, dilation=2, groups=2),
        False),
    "conv1d_depthwise_stride1": (
        [(2, 3, 9), (6, 1, 3)], (2, 6, 9),
        "dl.conv %a0, %a1 {pads = array<i64: 2, 2>, dilations = array<i64: 2>, groups = 3 : i64}"
        " : ({T0}, {T1}) -> {R}",
        lambda x, w: F.conv1d(x, w, padding=2, dilation=2, groups=3),
        False),
    "conv_transpose2d": (
        [(2, 4, 3, 3), (4, 3, 3, 2), (6,)], (2, 6, 6, 8),
        "dl.conv_transpose %a0, %a1, %a2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, "
        "dilations = array<i64: 1, 2>, output_padding = array<i64: 1, 1>, groups = 2 : i64}"
        " : ({T0}, {T1}, {T2}) -> {R}",
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=(1, 0), output_padding=1,
                                           groups=2, dilation=(1, 2)),
        False),
    "max_pool2d_ties": (
        [(2, 3, 8, 7)], (2, 3, 5, 4),
        "dl.max_pool %a0 {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, "
        "pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 2>, ceil_mode = true}"
        " : {T0} -> {R}",
        lambda x: F.max_pool2d(x, (3, 2), stride=2, padding=1, dilation=(1, 2), ceil_mode=True),
        True),
    "global_max_pool_ties": (
        [(2, 3, 4, 5)], (2, 3, 1, 1),
        "dl.global_max_pool %a0 : {T0} -> {R}",
        lambda x: F.adaptive_max_pool2d(x, 1),
        True),
    "avg_pool2d_exclude_pad": (
        [(2, 3, 8, 7)], (2, 3, 5, 4),
        "dl.avg_pool %a0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
        "pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : {T0} -> {R}",
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                               count_include_pad=False),
        False),
    "avg_pool2d_include_pad": (
        [(2, 3, 8, 7)], (2, 3, 5, 4),
        "dl.avg_pool %a0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
        "pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = true}"
        " : {T0} -> {R}",
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                               count_include_pad=True),
        False),
}


def main():
    dlc, dlc_opt, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    src = []
    for name, (shapes, rshape, op, _, _) in CASES.items():
        args = ", ".join(f"%a{i}: {t(s)}" for i, s in enumerate(shapes))
        body = op.replace("{R}", t(rshape))
        for i, s in enumerate(shapes):
            body = body.replace("{T%d}" % i, t(s))
        src.append(f"func.func @{name}({args}) -> {t(rshape)} {{\n"
                   f"  %y = {body}\n  return %y : {t(rshape)}\n}}\n")
    model = os.path.join(out, "cases.mlir")
    with open(model, "w") as f:
        f.write("\n".join(src))
    grad = os.path.join(out, "grad.mlir")
    subprocess.run([dlc_opt, model, "--dl-autodiff=functions=" + ",".join(CASES), "-o", grad],
                   check=True)
    lib = os.path.join(out, "grad.so")
    entries = [arg for name in CASES for arg in ("--entry", name + "_grad")]
    subprocess.run([dlc, grad, "--emit=shared", *entries, "-o", lib], check=True)

    rng = np.random.default_rng(1)
    failures = 0
    for name, (shapes, rshape, _, fn, ties) in CASES.items():
        specs = [TensorSpec(len(s), np.float64) for s in shapes]
        rspec = TensorSpec(len(rshape), np.float64)
        backward = CompiledModel(lib, name + "_grad", specs + [rspec], [rspec] + specs)
        args = [rng.integers(0, 3, s).astype(np.float64) if ties else rng.standard_normal(s)
                for s in shapes]
        cot = rng.standard_normal(rshape)
        value, *grads = backward(*args, cot)
        targs = [torch.tensor(a, requires_grad=True) for a in args]
        y = fn(*targs)
        y.backward(torch.tensor(cot))
        errs = [np.abs(value - y.detach().numpy()).max()]
        errs += [np.abs(g - ta.grad.numpy()).max() for g, ta in zip(grads, targs)]
        ok = y.shape == rshape and max(errs) <= 1e-9
        failures += not ok
        print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {max(errs):.2g})")
    print(f"{len(CASES)} cases checked against PyTorch, {failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
