#!/usr/bin/python3
"""Checks depthwise convs (dl-convs-to-microkernels: one dlc_dwconv2d
call per conv with its padding and epilogue) end to end against PyTorch:
3x3 at stride 1 and 2 (MobileNet's), dilation 2, 5x5 and 1x7 filters,
asymmetric pads, planes narrower than a vector, a bias with ReLU6, a
residual add, a dynamic batch, and a channel multiplier of 2 (not taken:
it stays a loop nest). Ungrouped (the implicit GEMM): 3x3, the 7x7 stride-2
stem, dilation with asymmetric pads, a residual, K past the 256-deep K
block, more output pixels than one 512-column block, a strided 1x1. Max
pools (dlc_maxpool2d): ResNet's, 2x2, dilated with asymmetric pads and a
dynamic batch, a NaN. Prints,
per model, whether it matches and how many
runtime kernel calls and loop nests `dlc --report=fusion` counts.

usage: convs_check.py DLC OUTDIR
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
rng = np.random.default_rng(5)
failures = 0


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def compile_graph(name, graph):
    """Saves `graph` as an opset-17 model, compiles it with --report=fusion
    and returns (model, runtime calls, loop nests), or None (counted as a
    failure) when dlc refuses it."""
    global failures
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = os.path.join(out, name + ".onnx")
    onnx.save(m, path)
    lib = os.path.join(out, name + ".so")
    r = subprocess.run([dlc, path, "--emit=shared", "-O3", "-o", lib, "--entry", "f",
                        "--report=fusion"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"{name}: compile error: {r.stderr.strip()}")
        failures += 1
        return None
    counts = re.search(r"@f: \d+ kernels \((\d+) runtime kernel calls, (\d+) loop nests\)",
                       r.stderr)
    model = CompiledModel(lib, "f", [TensorSpec(4, np.float32)], [TensorSpec(4, np.float32)])
    return model, counts.group(1) if counts else "?", counts.group(2) if counts else "?"


def run_case(name, c, h, w, k, stride=(1, 1), dilation=(1, 1), pads=(1, 1, 1, 1),
             multiplier=1, relu6=False, residual=False, batches=(1,), dynamic=False,
             ungrouped=None):
    """pads: ONNX order (top, left, bottom, right). ungrouped: the output
    channels of an ungrouped conv (dlc_sconv2d) instead of a depthwise one."""
    global failures
    outs = ungrouped or c * multiplier
    group = 1 if ungrouped else c
    weight = randn(outs, c // group, *k) * (0.5 if not ungrouped else 0.2)
    bias = randn(outs)
    conv = helper.make_node("Conv", ["x", "w", "b"], ["conv"], group=group, kernel_shape=list(k),
                            strides=list(stride), dilations=list(dilation), pads=list(pads),
                            name="dw")
    nodes = [conv]
    last = "conv"
    inits = {"w": weight, "b": bias}
    if relu6:
        inits.update({"lo": np.array(0, np.float32), "hi": np.array(6, np.float32)})
        nodes.append(helper.make_node("Clip", [last, "lo", "hi"], ["clip"], name="relu6"))
        last = "clip"
    if residual:
        nodes.append(helper.make_node("Add", [last, "x"], ["add"], name="residual"))
        last = "add"
    nodes.append(helper.make_node("Identity", [last], ["y"]))
    batch = "N" if dynamic else batches[0]
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, c, h, w])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, outs, "OH", "OW"])],
        [numpy_helper.from_array(v, n) for n, v in inits.items()])
    compiled = compile_graph(name, g)
    if not compiled:
        return
    model, calls, nests = compiled
    for n in batches:
        x = randn(n, c, h, w) * 2
        (got,) = model(x)
        t = torch.from_numpy(x)
        # PyTorch pads symmetrically: pad first, then convolve unpadded.
        tp = F.pad(t, (pads[1], pads[3], pads[0], pads[2]))
        want = F.conv2d(tp, torch.from_numpy(weight), torch.from_numpy(bias), stride=stride,
                        dilation=dilation, groups=group)
        if relu6:
            want = torch.clamp(want, 0, 6)
        if residual:
            want = want + t
        want = want.numpy()
        # f32 rounding grows with the sum of |terms| (K = c * kh * kw of
        # them): the bound is 1e-5 of that sum, as in the runtime's tests.
        mag = F.conv2d(tp.abs(), torch.from_numpy(np.abs(weight)), torch.from_numpy(np.abs(bias)),
                       stride=stride, dilation=dilation, groups=group).numpy()
        if residual:
            mag = mag + np.abs(x)
        ok = got.shape == want.shape and bool(np.all(np.abs(got - want) <= 1e-5 * (mag + 1)))
        err = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
        if not ok:
            failures += 1
        print(f"{name} batch {n}: {'match' if ok else 'MISMATCH'} (max abs err {err:.2e}); "
              f"runtime calls: {calls}, loop nests: {nests}")


def run_block(name, c, e, h, stride):
    """MobileNetV2's inverted residual without the add: a 1x1 expansion conv
    with ReLU6, the depthwise 3x3 with ReLU6, a 1x1 projection. The
    expansion's output is last read by the copy into the dw conv's
    padding, so it is freed before the conv unless the call keeps it."""
    global failures
    w1, b1 = randn(e, c, 1, 1) * 0.5, randn(e)
    wd, bd = randn(e, 1, 3, 3) * 0.5, randn(e)
    w2, b2 = randn(c, e, 1, 1) * 0.3, randn(c)
    inits = {"w1": w1, "b1": b1, "wd": wd, "bd": bd, "w2": w2, "b2": b2,
             "lo": np.array(0, np.float32), "hi": np.array(6, np.float32)}
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["e"], kernel_shape=[1, 1]),
             helper.make_node("Clip", ["e", "lo", "hi"], ["er"]),
             helper.make_node("Conv", ["er", "wd", "bd"], ["d"], group=e, kernel_shape=[3, 3],
                              strides=[stride, stride], pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["d", "lo", "hi"], ["dr"]),
             helper.make_node("Conv", ["dr", "w2", "b2"], ["y"], kernel_shape=[1, 1])]
    g = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, h])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, "OH", "OW"])],
        [numpy_helper.from_array(v, n) for n, v in inits.items()])
    compiled = compile_graph(name, g)
    if not compiled:
        return
    model, calls, nests = compiled
    x = randn(1, c, h, h)
    (got,) = model(x)
    t = lambda a: torch.from_numpy(a)  # noqa: E731
    want = torch.clamp(F.conv2d(t(x), t(w1), t(b1)), 0, 6)
    want = torch.clamp(F.conv2d(want, t(wd), t(bd), stride=stride, padding=1, groups=e), 0, 6)
    want = F.conv2d(want, t(w2), t(b2)).numpy()
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-5)
    err = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
    if not ok:
        failures += 1
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.2e}); "
          f"runtime calls: {calls}")


run_case("s1_relu6", 32, 28, 28, (3, 3), relu6=True)
run_case("s2_relu6", 24, 29, 29, (3, 3), stride=(2, 2), relu6=True)
run_case("narrow_planes", 96, 7, 7, (3, 3), relu6=True)
run_case("dilated", 8, 20, 23, (3, 3), dilation=(2, 2), pads=(2, 2, 2, 2))
run_case("k5_s2", 8, 19, 19, (5, 5), stride=(2, 2), pads=(2, 2, 2, 2), relu6=True)
run_case("k1x7_asym", 6, 5, 40, (1, 7), pads=(0, 4, 0, 2))
run_case("residual", 16, 14, 14, (3, 3), residual=True)
run_case("dynamic", 16, 17, 17, (3, 3), relu6=True, batches=(1, 3), dynamic=True)
run_case("multiplier2", 4, 9, 9, (3, 3), multiplier=2)
def run_pool(name, c, h, w, k, stride, pads=(0, 0, 0, 0), dilation=(1, 1), batches=(1,),
             dynamic=False, nan=False):
    """MaxPool (dlc_maxpool2d) against torch's max_pool2d on an input
    padded with -inf; `nan` puts a NaN in the input (it must win its
    windows)."""
    global failures
    pool = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=list(k), strides=list(stride),
                            pads=list(pads), dilations=list(dilation), name="pool")
    batch = "N" if dynamic else batches[0]
    g = helper.make_graph(
        [pool], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, c, h, w])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, c, "OH", "OW"])])
    compiled = compile_graph(name, g)
    if not compiled:
        return
    model, calls, nests = compiled
    for n in batches:
        x = randn(n, c, h, w)
        if nan:
            x[0, 0, h // 2, w // 2] = np.nan
        (got,) = model(x)
        t = F.pad(torch.from_numpy(x), (pads[1], pads[3], pads[0], pads[2]), value=-np.inf)
        want = F.max_pool2d(t, k, stride=stride, dilation=dilation).numpy()
        ok = got.shape == want.shape and np.array_equal(got, want, equal_nan=True)
        if not ok:
            failures += 1
        print(f"{name} batch {n}: {'match' if ok else 'MISMATCH'}; runtime calls: {calls}, "
              f"loop nests: {nests}")


run_pool("maxpool_resnet", 8, 112, 112, (3, 3), (2, 2), pads=(1, 1, 1, 1))
run_pool("maxpool_2x2", 5, 9, 13, (2, 2), (2, 2))
run_pool("maxpool_dilated_asym", 3, 17, 15, (3, 2), (1, 2), pads=(2, 0, 1, 1),
         dilation=(2, 1), batches=(1, 3), dynamic=True)
run_pool("maxpool_nan", 2, 9, 9, (3, 3), (1, 1), pads=(1, 1, 1, 1), nan=True)

# Ungrouped convs: the implicit GEMM (dlc_sconv2d).
run_case("conv3x3_relu6", 16, 20, 20, (3, 3), relu6=True, ungrouped=24)
run_case("conv_stem_7x7_s2", 3, 45, 45, (7, 7), stride=(2, 2), pads=(3, 3, 3, 3), ungrouped=16)
run_case("conv_dilated_asym", 5, 17, 23, (3, 3), dilation=(2, 2), pads=(2, 1, 0, 3), ungrouped=7)
run_case("conv_residual", 12, 10, 10, (3, 3), residual=True, ungrouped=12)
run_case("conv_wide_k", 96, 9, 9, (3, 3), relu6=True, ungrouped=40)
run_case("conv_many_pixels", 4, 48, 40, (3, 3), relu6=True, ungrouped=10, batches=(1, 2),
         dynamic=True)
run_case("conv_1x1_s2", 8, 15, 15, (1, 1), stride=(2, 2), pads=(0, 0, 0, 0), ungrouped=6)
run_block("block_s1", 8, 48, 20, 1)
run_block("block_s2", 16, 96, 56, 2)
run_block("block_s2_wide", 16, 96, 112, 2)
print(f"{failures} failures")
