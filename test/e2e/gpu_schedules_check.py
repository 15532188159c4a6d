#!/usr/bin/python3
"""The GPU schedules with shared memory, on shapes large enough to take them
(which the ONNX node tests are too small for): block reductions
(dl-gpu-block-reductions) and tiled matmuls (dl-gpu-tile-contractions).
Each model is compiled with --target=cuda (its PTX must use shared memory
and barriers, i.e. the schedule was taken) and with --gpu-emulate, whose
library runs the same schedule on the CPU (the phases of each block in
order) and is compared with numpy (rtol 1e-3, atol 1e-5, the node tests'
tolerances).

usage: gpu_schedules_check.py DLC OUTDIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
failures = 0
checked = 0


def model(name, node, x, out_shape, inits=(), dtype=TensorProto.FLOAT):
    """A one-node model of input x and output y."""
    g = helper.make_graph(
        [node], name, [helper.make_tensor_value_info("x", dtype, list(x.shape))],
        [helper.make_tensor_value_info("y", dtype, list(out_shape))], list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)])
    m.ir_version = 8
    path = os.path.join(out, name + ".onnx")
    onnx.save(m, path)
    return path


def check(name, path, x, want):
    global failures, checked
    checked += 1
    lib = os.path.join(out, f"lib{name}.so")
    ir = subprocess.run([dlc, path, "--target=cuda", "--emit=mlir-llvm", "--entry", "f"],
                        capture_output=True, text=True)
    scheduled = ir.returncode == 0 and "bar.sync" in ir.stdout and ".shared" in ir.stdout
    subprocess.run([dlc, path, "--gpu-emulate", "--emit=shared", "-o", lib, "--entry", "f"],
                   check=True)
    got = CompiledModel(lib, "f", [TensorSpec(x.ndim, x.dtype)],
                        [TensorSpec(want.ndim, want.dtype)])(x)[0]
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-5)
    err = float(np.max(np.abs(got.astype(np.float64) - want))) if got.shape == want.shape else float("inf")
    print(f"{name}: shared memory {'yes' if scheduled else 'NO'}, "
          f"{'match' if ok else 'MISMATCH'} (max abs err {err:.2g})")
    failures += not (ok and scheduled)


# Softmax over rows of 1000 (a max and a sum per row).
x = rng.standard_normal((4, 1000)).astype(np.float32) * 4
e = np.exp(x - x.max(1, keepdims=True))
check("softmax_rows", model("softmax_rows", helper.make_node("Softmax", ["x"], ["y"], axis=1),
                            x, x.shape), x, e / e.sum(1, keepdims=True))

# LayerNormalization over 512 (mean and variance per row).
x = rng.standard_normal((8, 512)).astype(np.float32) + 3
scale = numpy_helper.from_array(rng.standard_normal(512).astype(np.float32), "s")
bias = numpy_helper.from_array(rng.standard_normal(512).astype(np.float32), "b")
mu = x.mean(1, keepdims=True)
var = ((x - mu) ** 2).mean(1, keepdims=True)
want = (x - mu) / np.sqrt(var + 1e-5) * numpy_helper.to_array(scale) + numpy_helper.to_array(bias)
check("layer_norm", model("layer_norm", helper.make_node("LayerNormalization", ["x", "s", "b"], ["y"],
                                                         axis=-1, epsilon=1e-5),
                          x, x.shape, [scale, bias]), x, want.astype(np.float32))

# ReduceMax of everything (to a scalar: one block, not one thread).
x = rng.standard_normal((64, 65)).astype(np.float32)
check("reduce_max_all", model("reduce_max_all", helper.make_node("ReduceMax", ["x"], ["y"], keepdims=0),
                              x, []), x, np.array(x.max(), np.float32))

# GlobalAveragePool over 16 x 16 (a non-power-of-two count of blocks).
x = rng.standard_normal((2, 3, 16, 16)).astype(np.float32)
check("global_avg_pool", model("global_avg_pool", helper.make_node("GlobalAveragePool", ["x"], ["y"]),
                               x, (2, 3, 1, 1)), x, x.mean((2, 3), keepdims=True))

# ReduceSum of int32 over 300 (an integer combiner, a stride that does not
# divide the reduction).
x = rng.integers(-1000, 1000, (5, 300)).astype(np.int32)
check("reduce_sum_int", model("reduce_sum_int", helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0),
                              x, (5,), [numpy_helper.from_array(np.array([1], np.int64), "axes")],
                              TensorProto.INT32), x, x.sum(1).astype(np.int32))

# A matrix-vector product (MatMul 1 x 777 by 777 x 10: 10 output elements
# of 777 products each).
x = rng.standard_normal((1, 777)).astype(np.float32)
w = rng.standard_normal((777, 10)).astype(np.float32)
check("matvec", model("matvec", helper.make_node("MatMul", ["x", "w"], ["y"]), x, (1, 10),
                      [numpy_helper.from_array(w, "w")]), x, x @ w)

# Tiled matmuls: sizes that are not multiples of the 32 x 32 tiles, a
# batch, and a Gemm with a transposed operand and a bias.
x = rng.standard_normal((64, 96)).astype(np.float32)
w = rng.standard_normal((96, 80)).astype(np.float32)
check("matmul", model("matmul", helper.make_node("MatMul", ["x", "w"], ["y"]), x, (64, 80),
                      [numpy_helper.from_array(w, "w")]), x, x @ w)
x = rng.standard_normal((3, 40, 50)).astype(np.float32)
w = rng.standard_normal((3, 50, 33)).astype(np.float32)
check("batch_matmul", model("batch_matmul", helper.make_node("MatMul", ["x", "w"], ["y"]), x,
                            (3, 40, 33), [numpy_helper.from_array(w, "w")]), x, x @ w)
x = rng.standard_normal((70, 48)).astype(np.float32)
w = rng.standard_normal((36, 48)).astype(np.float32)
bias = rng.standard_normal(36).astype(np.float32)
check("gemm_trans_b", model("gemm_trans_b", helper.make_node("Gemm", ["x", "w", "c"], ["y"], transB=1),
                            x, (70, 36), [numpy_helper.from_array(w, "w"),
                                          numpy_helper.from_array(bias, "c")]),
      x, x @ w.T + bias)

print(f"{checked} models checked, {failures} failures")
sys.exit(1 if failures else 0)
