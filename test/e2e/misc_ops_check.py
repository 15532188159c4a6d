#!/usr/bin/python3
"""Checks the lowerings no ONNX node test reaches (their tests feed scales or
shapes at run time): Resize against torch.nn.functional.interpolate,
GroupNormalization against torch.nn.functional.group_norm, and training-mode
Dropout's mask statistics and scaling.

usage: misc_ops_check.py DLC OUTDIR
"""
import os
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
rng = np.random.default_rng(0)
failures = 0


def compile_and_run(name, nodes, inputs, outputs, inits, opset, feeds):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    path = os.path.join(out, name + ".onnx")
    onnx.save(m, path)
    lib = os.path.join(out, name + ".so")
    subprocess.run([dlc, path, "--emit=shared", "-o", lib, "--entry", "f"], check=True)
    specs_in = [TensorSpec(a.ndim, a.dtype) for a in feeds]
    specs_out = [TensorSpec(len(o.type.tensor_type.shape.dim),
                            np.float32 if o.type.tensor_type.elem_type == TensorProto.FLOAT else np.bool_)
                 for o in outputs]
    return CompiledModel(lib, "f", specs_in, specs_out)(*feeds)


def check(name, got, want, tol=1e-5):
    global failures
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=tol)
    err = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("inf")
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.2g})")
    failures += not ok


x = rng.standard_normal((1, 2, 5, 6)).astype(np.float32)
for mode, ctm, torch_kw, scale in [
        ("nearest", "asymmetric", dict(mode="nearest"), 2.0),
        ("linear", "half_pixel", dict(mode="bilinear", align_corners=False), 2.0),
        ("linear", "align_corners", dict(mode="bilinear", align_corners=True), 2.0),
        ("linear", "half_pixel", dict(mode="bilinear", align_corners=False), 0.5)]:
    oh, ow = int(5 * scale), int(6 * scale)
    scales = numpy_helper.from_array(np.array([1, 1, scale, scale], np.float32), "scales")
    roi = numpy_helper.from_array(np.array([], np.float32), "roi")
    attrs = dict(mode=mode, coordinate_transformation_mode=ctm)
    if mode == "nearest":
        attrs["nearest_mode"] = "floor"
    (y,) = compile_and_run(
        f"resize_{mode}_{ctm}_{scale}".replace(".", "_"),
        [helper.make_node("Resize", ["x", "roi", "scales"], ["y"], **attrs)],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, oh, ow])],
        [roi, scales], 13, [x])
    want = F.interpolate(torch.from_numpy(x), scale_factor=scale, **torch_kw).numpy()
    check(f"Resize {mode} {ctm} x{scale}", y, want)

gx = rng.standard_normal((2, 6, 4, 3)).astype(np.float32)
scale = rng.standard_normal(6).astype(np.float32)
bias = rng.standard_normal(6).astype(np.float32)
(gy,) = compile_and_run(
    "group_norm",
    [helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=3, epsilon=1e-5)],
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6, 4, 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 6, 4, 3])],
    [numpy_helper.from_array(scale, "s"), numpy_helper.from_array(bias, "b")], 21, [gx])
want = F.group_norm(torch.from_numpy(gx), 3, torch.from_numpy(scale), torch.from_numpy(bias), 1e-5).numpy()
check("GroupNormalization (3 groups of 2 channels)", gy, want, tol=1e-4)

dx = rng.standard_normal((64, 64)).astype(np.float32)
ratio = numpy_helper.from_array(np.array(0.25, np.float32), "ratio")
train = numpy_helper.from_array(np.array(True), "train")
dy, mask = compile_and_run(
    "dropout",
    [helper.make_node("Dropout", ["x", "ratio", "train"], ["y", "mask"], seed=7)],
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 64]),
     helper.make_tensor_value_info("mask", TensorProto.BOOL, [64, 64])],
    [ratio, train], 13, [dx])
kept = mask.mean()
ok = abs(kept - 0.75) < 0.03 and np.allclose(dy, np.where(mask, dx / 0.75, 0), rtol=1e-6, atol=1e-7)
print(f"Dropout training: {'match' if ok else 'MISMATCH'} (kept {kept:.3f} of 4096, expected 0.75)")
failures += not ok
print(f"{failures} failures")
sys.exit(1 if failures else 0)
