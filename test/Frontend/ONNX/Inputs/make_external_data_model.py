#!/usr/bin/python3
"""Writes OUTDIR/model.onnx whose 256x128 weight lives in OUTDIR/weights.bin
(ONNX external data), for the importer's external-data test."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
w = numpy_helper.from_array(
    np.arange(256 * 128, dtype=np.float32).reshape(256, 128) / 1000, "W")
g = helper.make_graph(
    [helper.make_node("MatMul", ["X", "W"], ["Y"], name="proj")], "ext",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["batch", 256])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["batch", 128])],
    [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
onnx.save_model(m, os.path.join(out, "model.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="weights.bin",
                size_threshold=0)
