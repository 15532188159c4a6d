#!/usr/bin/python3
"""dlc --train on BatchNormalization with a dynamic batch (issue 18: it once
crashed in a verifier): compiles, and two steps with batches of 5 and 7 move
the running mean toward the batch mean as torch.nn.BatchNorm2d does
(momentum 0.1, running = 0.9 running + 0.1 batch); labels out of range
give an error status naming the problem.

usage: train_bn_dynamic_check.py DLC SRCROOT OUTDIR
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
inits = [numpy_helper.from_array(np.full(3, v, np.float32), n)
         for n, v in (("s", 1.0), ("b", 0.0), ("m", 0.0), ("v", 1.0))]
inits.append(numpy_helper.from_array(np.full([12, 4], 0.1, np.float32), "W"))
g = helper.make_graph(
    [helper.make_node("BatchNormalization", ["X", "s", "b", "m", "v"], ["Y"], name="bn"),
     helper.make_node("Flatten", ["Y"], ["F"], name="flat"),
     helper.make_node("MatMul", ["F", "W"], ["Z"], name="mm")], "g",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 3, 2, 2])],
    [helper.make_tensor_value_info("Z", TensorProto.FLOAT, ["N", 4])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.save(m, os.path.join(out, "bn.onnx"))
lib = os.path.join(out, "libbn.so")
p = subprocess.run([dlc, os.path.join(out, "bn.onnx"), "--train", "--loss=cross_entropy",
                    "--optimizer=sgd", "--emit=shared", "-o", lib],
                   capture_output=True, text=True)
if p.returncode != 0:
    print(f"FAIL: dlc exit {p.returncode}: {p.stderr[-2000:]}")
    sys.exit(1)
t = dlcpy.Trainer(lib)
rng = np.random.default_rng(0)
want = np.zeros(3)
for n in (5, 7):
    x = rng.normal(2.0, 1.0, [n, 3, 2, 2]).astype(np.float32)
    t.step(x, rng.integers(0, 4, [n]).astype(np.int64), lr=0.01)
    want = 0.9 * want + 0.1 * x.mean(axis=(0, 2, 3))
got = t.named_state()["m"]
err = np.abs(got - want).max()
print(f"running mean {got} want {want} max error {err:.2e}")
ok = err < 1e-5
# Labels outside [0, 4) are an error status from the train step (not a loss),
# and the state is left as it was.
before = [s.copy() for s in t.state]
for bad in (-1, 4):
    x = rng.normal(2.0, 1.0, [3, 3, 2, 2]).astype(np.float32)
    try:
        t.step(x, np.array([0, bad, 1], np.int64), lr=0.01)
        print(f"label {bad}: no error")
        ok = False
    except dlcpy.DLCError as e:
        print(f"label {bad}: {e}")
        ok &= "class label is outside [0, 4)" in str(e)
ok &= all(np.array_equal(a, b) for a, b in zip(before, t.state))
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
