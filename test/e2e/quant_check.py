#!/usr/bin/python3
"""Integer kernels end to end: QLinearMatMul / MatMulInteger / QLinearConv and
QDQ graphs compiled by dlc, compared exactly with a numpy transcription of
the ONNX definitions (i32 accumulation, f32 requantize, round half to even,
saturation). The cases hit the edges: ties at .5, saturation at -128, 127,
0 and 255, K and N that are not multiples of the VNNI packing (4, 16), M
that is not a multiple of the 8-row tile, uint8 and int8 on both sides. The
packed (constant-weight) path is also compiled without avx512vnni, and the
VNNI and portable kernels must agree bit for bit.

usage: quant_check.py DLC OUTDIR
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
ONNX_TYPE = {np.dtype(np.int8): TensorProto.INT8, np.dtype(np.uint8): TensorProto.UINT8,
             np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int32): TensorProto.INT32}


def build(name, nodes, feeds, outputs, inits, opset=13):
    ins = [helper.make_tensor_value_info(n, ONNX_TYPE[a.dtype], a.shape) for n, a in feeds]
    outs = [helper.make_tensor_value_info(n, ONNX_TYPE[np.dtype(t)], shape) for n, t, shape in outputs]
    g = helper.make_graph(nodes, name, ins, outs,
                          [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    path = os.path.join(out, name + ".onnx")
    onnx.save(m, path)
    return path


def run(path, feeds, outputs, flags=()):
    lib = path[:-5] + ("_" + "_".join(f.strip("-=+") for f in flags) if flags else "") + ".so"
    subprocess.run([dlc, path, "--emit=shared", "-o", lib, "--entry", "f", *flags], check=True)
    specs_in = [TensorSpec(a.ndim, a.dtype) for _, a in feeds]
    specs_out = [TensorSpec(r, t) for r, t in outputs]
    return CompiledModel(lib, "f", specs_in, specs_out)(*[a for _, a in feeds])


def requant(acc, multiplier, zp, dtype):
    """ONNX's requantize: f32(acc) * f32 multiplier, round half to even,
    + zero point, saturate."""
    info = np.iinfo(dtype)
    v = np.rint(acc.astype(np.float32) * np.float32(multiplier)) + np.float32(zp)
    return np.clip(v, info.min, info.max).astype(dtype)


def report(name, got, want, acc=None, multiplier=None):
    global failures
    ok = got.shape == want.shape and got.dtype == want.dtype and np.array_equal(got, want)
    extra = ""
    if acc is not None:
        scaled = acc.astype(np.float32) * np.float32(multiplier)
        ties = int(np.sum(np.abs(scaled - np.floor(scaled) - 0.5) == 0))
        info = np.iinfo(want.dtype)
        extra = (f" ({ties} ties, {int(np.sum(want == info.min))} at {info.min}, "
                 f"{int(np.sum(want == info.max))} at {info.max})")
    diff = int(np.max(np.abs(got.astype(np.int64) - want.astype(np.int64)))) if got.shape == want.shape else -1
    print(f"{name}: {'match' if ok else 'MISMATCH'}{extra if ok else f' (max diff {diff})'}")
    failures += not ok
    return got


def ints(dtype, shape, lo=None, hi=None):
    info = np.iinfo(dtype)
    return rng.integers(info.min if lo is None else lo, (info.max if hi is None else hi) + 1,
                        size=shape).astype(dtype)


# QLinearMatMul: runtime a, constant b (the packed VNNI path) and runtime b
# (the generic path). M = 11, K = 7, N = 35: an 8-row tile and 3 edge rows,
# K padded to 8, three 16-column blocks (a pair and an odd one).
M, K, N = 11, 7, 35
for adt, bdt, ydt in [(np.int8, np.int8, np.int8), (np.uint8, np.int8, np.uint8),
                      (np.uint8, np.uint8, np.int8), (np.int8, np.uint8, np.uint8)]:
    # Values near the zero points keep the accumulator around +-600; with
    # a multiplier of exactly 0.5 every odd accumulator is a tie, and the
    # tails saturate. The first row at the type's maximum saturates too.
    za = np.array(100 if adt == np.uint8 else -3, adt)
    a = (int(za) + rng.integers(-20, 21, (M, K))).astype(adt)
    a[0] = np.iinfo(adt).max
    # A per-column zero point keeps b - zb in s8 (the packed path).
    zb = np.full(N, 128 if bdt == np.uint8 else 0, bdt)
    b = (zb.astype(np.int64) + rng.integers(-10, 11, (K, N))).astype(bdt)
    zy = np.array(128 if ydt == np.uint8 else 0, ydt)
    sa, sb, sy = np.float32(0.5), np.float32(0.25), np.float32(0.25)
    multiplier = np.float32(sa * sb) / sy
    acc = (a.astype(np.int32) - za) @ (b.astype(np.int32) - zb.astype(np.int32))
    want = requant(acc, multiplier, zy, ydt)
    tag = f"{np.dtype(adt).name}x{np.dtype(bdt).name}->{np.dtype(ydt).name}"
    node = helper.make_node("QLinearMatMul", ["a", "sa", "za", "b", "sb", "zb", "sy", "zy"], ["y"])
    consts = [("sa", sa), ("za", za), ("sb", np.array(sb, np.float32)), ("zb", zb),
              ("sy", np.array(sy, np.float32)), ("zy", zy)]
    fname = tag.replace("->", "_to_")
    path = build("qlinearmatmul_const_" + fname, [node], [("a", a)], [("y", ydt, (M, N))],
                 [("b", b)] + [(n, np.asarray(v)) for n, v in consts])
    vnni = report(f"QLinearMatMul {tag}, constant weights", run(path, [("a", a)], [(2, ydt)])[0],
                  want, acc, multiplier)
    portable = run(path, [("a", a)], [(2, ydt)], ["--mattr=-avx512vnni"])[0]
    report(f"QLinearMatMul {tag}, constant weights, no VNNI", portable, want)
    report(f"QLinearMatMul {tag}, VNNI and portable kernels agree", vnni, portable)
    path = build("qlinearmatmul_" + fname, [node], [("a", a), ("b", b)], [("y", ydt, (M, N))],
                 [(n, np.asarray(v)) for n, v in consts])
    report(f"QLinearMatMul {tag}, run-time weights",
           run(path, [("a", a), ("b", b)], [(2, ydt)])[0], want)

# MatMulInteger, batched lhs [2, 5, 9] by constant [9, 20], per-tensor zero
# points: the packed path collapses the batch into M.
a = ints(np.uint8, (2, 5, 9))
b = ints(np.int8, (9, 20))
za, zb = np.array(7, np.uint8), np.array(-2, np.int8)
want = (a.astype(np.int32) - 7) @ (b.astype(np.int32) + 2)
node = helper.make_node("MatMulInteger", ["a", "b", "za", "zb"], ["y"])
path = build("matmulinteger_batched", [node], [("a", a)], [("y", np.int32, (2, 5, 20))],
             [("b", b), ("za", za), ("zb", zb)])
report("MatMulInteger batched, constant weights", run(path, [("a", a)], [(3, np.int32)])[0], want)

# QLinearConv with per-channel weights and an int32 bias; uint8 in and out.
x = ints(np.uint8, (1, 3, 7, 7))
w = ints(np.int8, (4, 3, 3, 3))
bias = rng.integers(-2000, 2000, size=4).astype(np.int32)
zx, zw, zy = np.array(100, np.uint8), np.zeros(4, np.int8), np.array(120, np.uint8)
sx, sw, sy = np.float32(0.5), np.array([0.25, 0.5, 0.125, 1.0], np.float32), np.float32(64.0)
xp = np.pad(x.astype(np.int32) - 100, ((0, 0), (0, 0), (1, 1), (1, 1)))
acc = np.zeros((1, 4, 4, 4), np.int32)
for oy in range(4):
    for ox in range(4):
        patch = xp[0, :, 2 * oy:2 * oy + 3, 2 * ox:2 * ox + 3]
        acc[0, :, oy, ox] = np.tensordot(w.astype(np.int32), patch, axes=([1, 2, 3], [0, 1, 2]))
acc = acc + bias[None, :, None, None]
mult = (sx * sw / sy).astype(np.float32)
want = np.clip(np.rint(acc.astype(np.float32) * mult[None, :, None, None]) + np.float32(120),
               0, 255).astype(np.uint8)
node = helper.make_node("QLinearConv", ["x", "sx", "zx", "w", "sw", "zw", "sy", "zy", "bias"], ["y"],
                        pads=[1, 1, 1, 1], strides=[2, 2])
path = build("qlinearconv", [node], [("x", x)], [("y", np.uint8, (1, 4, 4, 4))],
             [("w", w), ("sx", np.asarray(sx)), ("zx", zx), ("sw", sw), ("zw", zw),
              ("sy", np.asarray(sy)), ("zy", zy), ("bias", bias)])
report("QLinearConv per-channel with bias", run(path, [("x", x)], [(4, np.uint8)])[0], want)

# A larger QLinearConv (batch 2, 13 channels, 30 rows, dilation, uneven
# strides and pads): the VNNI target runs it as one dlc_qconv2d call, the
# portable one as linalg; both against numpy and against each other.
x = ints(np.uint8, (2, 13, 15, 17))
w = ints(np.int8, (30, 13, 3, 3))
bias = rng.integers(-20000, 20000, size=30).astype(np.int32)
sw = rng.uniform(0.01, 0.05, size=30).astype(np.float32)
sx, sy = np.float32(0.1), np.float32(0.2)
xp = np.pad(x.astype(np.int32) - 77, ((0, 0), (0, 0), (1, 2), (0, 1)))
oh, ow = (15 + 3 - 5) // 1 + 1, (17 + 1 - 3) // 2 + 1
acc = np.zeros((2, 30, oh, ow), np.int32)
for oy in range(oh):
    for ox in range(ow):
        patch = xp[:, :, oy:oy + 5:2, 2 * ox:2 * ox + 3]
        acc[:, :, oy, ox] = np.tensordot(patch, w.astype(np.int32), axes=([1, 2, 3], [1, 2, 3]))
acc = acc + bias[None, :, None, None]
mult = (sx * sw / sy).astype(np.float32)
want = np.clip(np.rint(acc.astype(np.float32) * mult[None, :, None, None]) + np.float32(9),
               0, 255).astype(np.uint8)
node = helper.make_node("QLinearConv", ["x", "sx", "zx", "w", "sw", "zw", "sy", "zy", "bias"], ["y"],
                        pads=[1, 0, 2, 1], strides=[1, 2], dilations=[2, 1])
path = build("qlinearconv_big", [node], [("x", x)], [("y", np.uint8, (2, 30, oh, ow))],
             [("w", w), ("sx", np.asarray(sx)), ("zx", np.array(77, np.uint8)), ("sw", sw),
              ("zw", np.zeros(30, np.int8)), ("sy", np.asarray(sy)), ("zy", np.array(9, np.uint8)),
              ("bias", bias)])
vnni = report("QLinearConv 2x13x15x17 by 30x13x3x3, dilated, strided", run(path, [("x", x)], [(4, np.uint8)])[0],
              want)
portable = run(path, [("x", x)], [(4, np.uint8)], ["--mattr=-avx512vnni"])[0]
report("QLinearConv, VNNI and portable kernels agree", vnni, portable)

# QuantizeLinear to uint8 at ties and both ends (dl.quantize, unsigned).
xs = np.array([-1000, -0.5, 0.5, 1.5, 2.5, 3.5, 126.5, 127.5, 1000], np.float32) * 2
node = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])
path = build("quantize_u8", [node], [("x", xs)], [("y", np.uint8, xs.shape)],
             [("s", np.array(2.0, np.float32)), ("z", np.array(128, np.uint8))])
want = np.clip(np.rint(xs / 2) + 128, 0, 255).astype(np.uint8)
report("QuantizeLinear uint8 ties and saturation", run(path, [("x", xs)], [(1, np.uint8)])[0], want)

# A QDQ graph as ONNX Runtime writes it: Q -> DQ -> Gemm(transB, DQ int32
# bias) -> Relu -> Q -> DQ, int8 activations, per-channel int8 weights. The
# integer path must give ORT's integer semantics exactly.
x = rng.standard_normal((5, 24)).astype(np.float32)
wf = rng.standard_normal((18, 24)).astype(np.float32)
sx, zx = np.float32(0.03), np.int8(-5)
sw = (np.abs(wf).max(axis=1) / 127).astype(np.float32)
wq = np.clip(np.rint(wf / sw[:, None]), -127, 127).astype(np.int8)
bf = rng.standard_normal(18).astype(np.float32)
sb = (sx * sw).astype(np.float32)
bq = np.rint(bf / sb).astype(np.int32)
sy, zy = np.float32(0.2), np.int8(-20)
nodes = [
    helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["xq"]),
    helper.make_node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"]),
    helper.make_node("DequantizeLinear", ["wq", "sw", "zw"], ["wd"], axis=0),
    helper.make_node("DequantizeLinear", ["bq", "sb", "zb"], ["bd"], axis=0),
    helper.make_node("Gemm", ["xd", "wd", "bd"], ["g"], transB=1),
    helper.make_node("Relu", ["g"], ["r"]),
    helper.make_node("QuantizeLinear", ["r", "sy", "zy"], ["yq"]),
    helper.make_node("DequantizeLinear", ["yq", "sy", "zy"], ["y"]),
]
path = build("qdq_gemm", nodes, [("x", x)], [("y", np.float32, (5, 18))],
             [("sx", np.asarray(sx)), ("zx", np.asarray(zx)), ("wq", wq), ("sw", sw),
              ("zw", np.zeros(18, np.int8)), ("bq", bq), ("sb", sb), ("zb", np.zeros(18, np.int32)),
              ("sy", np.asarray(sy)), ("zy", np.asarray(zy))])
xq = np.clip(np.rint(x / sx) + zx, -128, 127).astype(np.int32)
acc = (xq - zx) @ wq.astype(np.int32).T + bq
mult = (sx * sw / sy).astype(np.float32)
yq = np.clip(np.rint(acc.astype(np.float32) * mult) + np.float32(zy), zy, 127)
want = ((yq - np.float32(zy)) * sy).astype(np.float32)
mlir = subprocess.run([dlc, path, "--emit=linalg"], check=True, capture_output=True, text=True).stdout
print("QDQ Gemm runs as integers:", "yes" if "arith.muli" in mlir and "dl.packed_u8s8_gemm" in mlir else "NO")
failures += "dl.packed_u8s8_gemm" not in mlir
got = run(path, [("x", x)], [(2, np.float32)])[0]
report("QDQ Gemm+Relu, integer semantics", got.view(np.int32), want.view(np.int32))
float_ref = np.maximum(x @ wf.T + bf, 0)
print(f"QDQ Gemm+Relu vs float model: max abs err {np.max(np.abs(got - float_ref)):.3f} "
      f"(output scale {sy})")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
