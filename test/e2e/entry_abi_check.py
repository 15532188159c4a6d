#!/usr/bin/python3
"""Bad calls of compiled models from Python (entry_abi.test): CompiledModel
goes through NAME_run's checks, so each raises DLCError with the message of
dlc_last_error() (the input, the dim and both values) and the next good call
works. Prints one line per case for FileCheck."""
import os
import subprocess
import sys
import tempfile

import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(root, "python"))
from dlc import CompiledModel, DLCError, TensorSpec  # noqa: E402

dlc = sys.argv[1]
inputs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs")
f32 = np.float32


def compile_model(tmp, name, ins, outs):
    lib = os.path.join(tmp, name + ".so")
    subprocess.run([dlc, os.path.join(inputs, name + ".onnxtxt"), "--emit=shared",
                    "-o", lib, "--entry", "f"], check=True)
    return CompiledModel(lib, "f", [TensorSpec(r, f32) for r in ins],
                         [TensorSpec(r, f32) for r in outs])


def expect_error(label, model, *arrays):
    try:
        model(*arrays)
    except DLCError as e:
        print(f"{label}: {e.status_name}: {e}")
        return
    print(f"{label}: NO ERROR")


with tempfile.TemporaryDirectory() as tmp:
    add = compile_model(tmp, "abi_add", [2, 2], [2])
    a = np.arange(12, dtype=f32).reshape(3, 4)
    expect_error("add wrong rank", add, a.reshape(3, 4, 1), a)
    expect_error("add wrong static dim", add, a, np.zeros((3, 5), f32))
    expect_error("add wrong dtype", add, a, a.astype(np.float64))
    expect_error("add batch 3 vs 5", add, a, np.zeros((5, 4), f32))
    bt = (1000 * np.arange(12, dtype=f32)).reshape(4, 3).T  # a strided 3x4 view
    y, = add(a.T.copy().T, bt)
    print("add transposed input:", "correct" if np.array_equal(y, a + bt) else "WRONG")
    y, = add(a, a)
    print("add good call:", "correct" if np.array_equal(y, 2 * a) else "WRONG")

    concat = compile_model(tmp, "abi_concat", [2, 2], [2])
    expect_error("concat batch 3 vs 5", concat, a, np.zeros((5, 2), f32))
    y, = concat(a, np.ones((3, 2), f32))
    print("concat good call:", y.shape)

    matmul = compile_model(tmp, "abi_matmul", [2, 2, 2], [2, 2])
    x, w = np.ones((4, 3), f32), np.ones((3, 3), f32)
    expect_error("matmul 15x15", matmul, x, w, np.ones((15, 15), f32))
    expect_error("matmul K 3 vs 2", matmul, x, np.ones((2, 3), f32), np.ones((16, 16), f32))
    y, t = matmul(x, w, -np.ones((16, 16), f32))
    print("matmul good call:", y.shape, t.shape, float(y[0, 0]), float(t.max()))

    # The analysis cannot see through this Reshape, so the dims meet only in
    # the add's run-time check: it reports instead of aborting the host.
    reshape = compile_model(tmp, "abi_reshape", [3, 2], [2])
    expect_error("reshape rows 3 vs 5", reshape, np.ones((3, 2, 2), f32), np.ones((5, 4), f32))
    y, = reshape(np.ones((3, 2, 2), f32), np.ones((3, 4), f32))
    print("reshape good call:", y.shape, float(y.sum()))

    outer = compile_model(tmp, "abi_outer", [2, 2], [2])
    n = 1 << 21
    expect_error("outer 2^21 x 2^21", outer, np.ones((n, 1), f32), np.ones((1, n), f32))
    y, = outer(np.ones((3, 1), f32), np.full((1, 2), 2, f32))
    print("outer good call:", y.shape, float(y.sum()))
