#!/usr/bin/python3
"""Copies an ONNX node test with some of its inputs made initializers (their
values from the test's data), so that a run-time input the test feeds
(Resize's scales) is a constant of the model.

usage: constant_inputs.py NODE_TEST_DIR OUT_DIR INDEX...
Writes OUT_DIR/model.onnx and OUT_DIR/data/{input_N,output_N}.pb with the
remaining inputs renumbered.
"""
import os
import shutil
import sys

import onnx

src, out = sys.argv[1], sys.argv[2]
frozen = sorted(int(i) for i in sys.argv[3:])
model = onnx.load(os.path.join(src, "model.onnx"))
data = os.path.join(src, "test_data_set_0")
os.makedirs(os.path.join(out, "data"), exist_ok=True)
inputs = list(model.graph.input)
kept = 0
for i, value in enumerate(inputs):
    path = os.path.join(data, f"input_{i}.pb")
    if i in frozen:
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        tensor.name = value.name
        model.graph.initializer.append(tensor)
        model.graph.input.remove(value)
    else:
        shutil.copy(path, os.path.join(out, "data", f"input_{kept}.pb"))
        kept += 1
for name in os.listdir(data):
    if name.startswith("output_"):
        shutil.copy(os.path.join(data, name), os.path.join(out, "data", name))
onnx.save(model, os.path.join(out, "model.onnx"))
