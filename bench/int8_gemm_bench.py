#!/usr/bin/python3
"""int8 GEMM against dlc's f32 GEMM, 512x512x512 by default, one thread.

Compiles three single-node ONNX models with dlc (--emit=shared -O3):
  f32   MatMul(A f32 [M, K], B f32 constant [K, N])        (dlc_sgemm)
  i32   MatMulInteger(A u8, B s8 constant) -> int32         (packed VNNI GEMM)
  u8    QLinearMatMul(A u8, B s8 constant per column) -> u8 (GEMM + requantize)
and times them in one process, alternating engines each round (so drifts in
machine load hit all alike); prints the median over rounds of each round's
median, and the speedups over f32. Needs build/bin/dlc (or --dlc).

usage: int8_gemm_bench.py [--dlc PATH] [--size M,K,N] [--threads 1]
           [--rounds 7] [--runs 20] [--workdir bench/.work/int8]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "python"))

p = argparse.ArgumentParser()
p.add_argument("--dlc", default=os.path.join(root, "build", "bin", "dlc"))
p.add_argument("--size", default="512,512,512")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--rounds", type=int, default=7)
p.add_argument("--runs", type=int, default=20)
p.add_argument("--workdir", default=os.path.join(root, "bench", ".work", "int8"))
p.add_argument("--dlc-flags", default="", help="extra dlc options, e.g. --mattr=-avx512vnni")
args = p.parse_args()
# The runtime reads the thread count when the library loads.
os.environ["DLC_NUM_THREADS"] = str(args.threads)
from dlc import CompiledModel, TensorSpec  # noqa: E402

M, K, N = (int(v) for v in args.size.split(","))
os.makedirs(args.workdir, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, nodes, inputs, output, inits):
    g = helper.make_graph(nodes, name, inputs, [output],
                          [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = os.path.join(args.workdir, name + ".onnx")
    onnx.save(m, path)
    lib = os.path.join(args.workdir, name + ".so")
    subprocess.run([args.dlc, path, "--emit=shared", "-O3", "-o", lib, "--entry", "f",
                    *args.dlc_flags.split()], check=True)
    return lib


a_f = rng.standard_normal((M, K)).astype(np.float32)
b_f = rng.standard_normal((K, N)).astype(np.float32)
a_q = rng.integers(0, 256, (M, K)).astype(np.uint8)
b_q = rng.integers(-127, 128, (K, N)).astype(np.int8)

f32 = save("gemm_f32", [helper.make_node("MatMul", ["a", "b"], ["y"])],
           [helper.make_tensor_value_info("a", TensorProto.FLOAT, [M, K])],
           helper.make_tensor_value_info("y", TensorProto.FLOAT, [M, N]), [("b", b_f)])
i32 = save("gemm_i32", [helper.make_node("MatMulInteger", ["a", "b", "za"], ["y"])],
           [helper.make_tensor_value_info("a", TensorProto.UINT8, [M, K])],
           helper.make_tensor_value_info("y", TensorProto.INT32, [M, N]),
           [("b", b_q), ("za", np.array(128, np.uint8))])
u8 = save("gemm_u8", [helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"], ["y"])],
          [helper.make_tensor_value_info("a", TensorProto.UINT8, [M, K])],
          helper.make_tensor_value_info("y", TensorProto.UINT8, [M, N]),
          [("b", b_q), ("sa", np.array(0.02, np.float32)), ("za", np.array(128, np.uint8)),
           ("sb", np.full(N, 0.01, np.float32)), ("zb", np.zeros(N, np.int8)),
           ("sy", np.array(4.0, np.float32)), ("zy", np.array(128, np.uint8))])

engines = {
    "f32 MatMul": (CompiledModel(f32, "f", [TensorSpec(2, np.float32)], [TensorSpec(2, np.float32)]), a_f),
    "int8 MatMulInteger": (CompiledModel(i32, "f", [TensorSpec(2, np.uint8)], [TensorSpec(2, np.int32)]), a_q),
    "int8 QLinearMatMul": (CompiledModel(u8, "f", [TensorSpec(2, np.uint8)], [TensorSpec(2, np.uint8)]), a_q),
}
# Correctness first: the integer GEMM is exact.
got = engines["int8 MatMulInteger"][0](a_q)[0]
want = (a_q.astype(np.int32) - 128) @ b_q.astype(np.int32)
if not np.array_equal(got, want):
    sys.exit("int8 MatMulInteger output differs from numpy")

medians = {name: [] for name in engines}
for name, (model, x) in engines.items():  # warm up
    for _ in range(3):
        model(x)
for _ in range(args.rounds):
    for name, (model, x) in engines.items():
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
        medians[name].append(statistics.median(times))

flops = 2.0 * M * K * N
base = statistics.median(medians["f32 MatMul"])
print(f"GEMM {M}x{K}x{N}, {args.threads} thread(s), {args.rounds} rounds x {args.runs} runs, "
      f"median of round medians{', dlc ' + args.dlc_flags if args.dlc_flags else ''}")
print("| kernel | ms | GOP/s | speedup over f32 |")
print("|---|---|---|---|")
for name in engines:
    ms = statistics.median(medians[name])
    print(f"| {name} | {ms * 1e3:.3f} | {flops / ms / 1e9:.0f} | {base / ms:.2f}x |")
