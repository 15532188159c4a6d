#!/usr/bin/python3
"""Builds a corpus of malformed model files and checks that dlc rejects each
with a clear one-line error and exit code 1: never a crash, never a hang.

usage: bad_models.py DLC OUTDIR
"""
import os
import random
import subprocess
import sys

import onnx
from onnx import TensorProto, helper


def valid_model():
    w = helper.make_tensor("W", TensorProto.FLOAT, [4, 3],
                           [float(i) for i in range(12)])
    g = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["T"], name="mm"),
         helper.make_node("Relu", ["T"], ["Y"], name="relu")],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3])],
        [w])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def corpus(out):
    good = valid_model().SerializeToString()
    files = {}
    files["empty.onnx"] = (b"", "is empty")
    files["text.onnx"] = (b"this is not a model\n", "not an ONNX model")
    rnd = random.Random(1234)
    files["random.onnx"] = (bytes(rnd.getrandbits(8) for _ in range(4096)), "")
    for cut in (1, 10, len(good) // 3, len(good) // 2, len(good) - 3):
        files[f"truncated_{cut}.onnx"] = (good[:cut], "")
    for i in range(40):
        b = bytearray(good)
        for _ in range(1 + i % 4):
            pos = rnd.randrange(len(b))
            b[pos] ^= 1 << rnd.randrange(8)
        files[f"bitflip_{i}.onnx"] = (bytes(b), None)  # may still be valid
    m = onnx.ModelProto()
    m.ir_version = 8
    files["no_graph.onnx"] = (m.SerializeToString(), "no graph")
    m = valid_model()
    m.opset_import[0].version = 99
    files["opset_99.onnx"] = (m.SerializeToString(), "opset 99")
    m = valid_model()
    m.graph.node[1].input[0] = "Z"
    files["undefined_input.onnx"] = (m.SerializeToString(), "checker")
    m = valid_model()
    del m.graph.initializer[0].float_data[5:]
    files["short_initializer.onnx"] = (m.SerializeToString(), "")
    m = valid_model()
    m.graph.initializer[0].dims[:] = [1 << 40, 1 << 30]
    files["huge_initializer.onnx"] = (m.SerializeToString(), "")
    m = valid_model()
    t = m.graph.initializer[0]
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "../../etc/passwd"
    files["external_escape.onnx"] = (m.SerializeToString(), "")
    m = valid_model()
    t = m.graph.initializer[0]
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "missing.bin"
    files["external_missing.onnx"] = (m.SerializeToString(), "")
    m = valid_model()
    m.graph.node[0].op_type = "NoSuchOp"
    files["unknown_op.onnx"] = (m.SerializeToString(), "")
    m = valid_model()
    m.graph.input[0].type.tensor_type.elem_type = TensorProto.STRING
    files["string_input.onnx"] = (m.SerializeToString(), "")
    for name, (data, _) in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "good.onnx"), "wb") as f:
        f.write(good)
    return files


def main():
    dlc, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    files = corpus(out)
    failures = []
    # The corpus is only meaningful if a good model imports.
    p = subprocess.run([dlc, os.path.join(out, "good.onnx"), "-o", os.devnull],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        failures.append(f"good.onnx: exit {p.returncode}: {p.stderr}")
    cases = list(files.items()) + [("missing_file.onnx", (None, "cannot read")),
                                   (".", (None, ""))]
    rejected = 0
    for name, (_, expect) in cases:
        try:
            p = subprocess.run([dlc, os.path.join(out, name), "-o", os.devnull],
                               capture_output=True, text=True, errors="replace",
                               timeout=30)
        except subprocess.TimeoutExpired:
            failures.append(f"{name}: hang (over 30 s)")
            continue
        err = p.stderr.strip()
        if expect is None and p.returncode == 0:
            continue  # a bit flip that kept the model valid
        if p.returncode != 1:
            failures.append(f"{name}: exit {p.returncode} (want 1): {err[-500:]}")
        elif not err.startswith("error: "):
            failures.append(f"{name}: message does not start with 'error: ': {err[:300]}")
        elif expect and expect not in err:
            failures.append(f"{name}: message lacks '{expect}': {err[:300]}")
        else:
            rejected += 1
    for f in failures:
        print("FAIL", f)
    print(f"{rejected} bad files rejected cleanly")
    print(f"{rejected} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
