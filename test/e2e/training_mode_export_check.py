#!/usr/bin/python3
"""Models exported in training mode (issue 18): compiled for inference, a
BatchNormalization with training_mode=1 and a Dropout with training_mode=true
each get a warning naming the node; compiled with --train, the model trains
exactly as the same model exported in eval mode (the running statistics are
state the step updates, dropout only in the step) and its inference entry
point is deterministic. One initializer used by two nodes (tied weights) gets
a warning under --train.

usage: training_mode_export_check.py DLC SRCROOT OUTDIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

dlc, src, out = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "python"))
import dlc as dlcpy  # noqa: E402

os.makedirs(out, exist_ok=True)
F = TensorProto.FLOAT


def cnn(training):
    rng = np.random.RandomState(0)
    inits = [numpy_helper.from_array(np.full(3, v, np.float32), n)
             for n, v in (("s", 1.0), ("b", 0.0), ("m", 0.0), ("v", 1.0))]
    inits += [numpy_helper.from_array(rng.randn(3, 3, 3, 3).astype(np.float32) * 0.3, "W"),
              numpy_helper.from_array(rng.randn(48, 4).astype(np.float32) * 0.3, "Wfc"),
              numpy_helper.from_array(np.array(0.25, np.float32), "ratio"),
              numpy_helper.from_array(np.array(training), "tm")]
    bn_out = ["y", "rm", "rv"] if training else ["y"]
    nodes = [
        helper.make_node("Conv", ["x", "W"], ["c"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], bn_out,
                         name="bn1", training_mode=int(training)),
        helper.make_node("Relu", ["y"], ["r"], name="relu1"),
        helper.make_node("Dropout", ["r", "ratio", "tm"], ["d"], name="drop1"),
        helper.make_node("Flatten", ["d"], ["f"], name="flat"),
        helper.make_node("MatMul", ["f", "Wfc"], ["z"], name="fc"),
    ]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", F, ["N", 3, 4, 4])],
                          [helper.make_tensor_value_info("z", F, ["N", 4])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 15)])
    m.ir_version = 8
    return m


def compile_(model, name, *flags):
    path = os.path.join(out, name + ".onnx")
    onnx.save(model, path)
    lib = os.path.join(out, "lib" + name + ".so")
    p = subprocess.run([dlc, path, "--emit=shared", "-o", lib, *flags],
                       capture_output=True, text=True)
    print(f"{name}: exit {p.returncode}")
    for line in p.stderr.splitlines():
        print(f"{name}: {line}")
    return lib if p.returncode == 0 else None


ok = True
compile_(cnn(True), "infer_training_mode")
train_lib = compile_(cnn(True), "train_training_mode", "--train", "--loss=cross_entropy",
                     "--optimizer=adam")
eval_lib = compile_(cnn(False), "train_eval_mode", "--train", "--loss=cross_entropy",
                    "--optimizer=adam")
ok &= train_lib is not None and eval_lib is not None
if ok:
    a, b = dlcpy.Trainer(train_lib), dlcpy.Trainer(eval_lib)
    rng = np.random.default_rng(1)
    for step in range(3):
        x = rng.normal(1.0, 1.0, [6, 3, 4, 4]).astype(np.float32)
        y = rng.integers(0, 4, [6]).astype(np.int64)
        la, lb = a.step(x, y, lr=0.01)[0], b.step(x, y, lr=0.01)[0]
        same = np.array_equal(np.asarray(la), np.asarray(lb))
        print(f"step {step}: loss {float(np.asarray(la)):.6f} vs {float(np.asarray(lb)):.6f} "
              f"{'identical' if same else 'DIFFERENT'}")
        ok &= same
    sa, sb = a.named_state(), b.named_state()
    for k in ("m", "v", "W", "Wfc"):
        same = np.array_equal(sa[k], sb[k])
        print(f"state {k}: {'identical' if same else 'DIFFERENT'}")
        ok &= same
    moved = not np.array_equal(sa["m"], np.zeros(3, np.float32))
    print(f"running mean updated: {moved}")
    ok &= moved
    x = rng.normal(1.0, 1.0, [2, 3, 4, 4]).astype(np.float32)
    p1, p2 = a.predict(x)[0], a.predict(x)[0]
    det = np.array_equal(np.asarray(p1), np.asarray(p2))
    print(f"inference deterministic: {det}")
    ok &= det

# Tied weights: one initializer in two MatMuls.
w = numpy_helper.from_array(np.random.RandomState(2).randn(4, 4).astype(np.float32), "Wt")
g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "Wt"], ["h"], name="fc1"),
     helper.make_node("Relu", ["h"], ["r"], name="relu"),
     helper.make_node("MatMul", ["r", "Wt"], ["y"], name="fc2")], "g",
    [helper.make_tensor_value_info("x", F, ["N", 4])],
    [helper.make_tensor_value_info("y", F, ["N", 4])], [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
ok &= compile_(m, "tied", "--train", "--loss=mse") is not None
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
