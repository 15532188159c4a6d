#!/usr/bin/python3
"""One small model per crash class found by fuzzing dlc's importer (issue 18).

Each model is written to OUTDIR and imported with `dlc --emit=mlir`; it must
be rejected with exit code 1 (import error) and a message naming the node,
tensor or file -- never a signal, an uncaught exception or a hang.

usage: crash_classes.py DLC OUTDIR [CASE...]
"""
import os
import subprocess
import sys

import onnx
from onnx import TensorProto, helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64
# One above what the ONNX library (1.12: IR 8) knows: its checker is skipped
# and dlc must check the model itself.
NEW_IR = 10


def vi(name, shape, t=F):
    # An output of unknown shape still has a rank for the checker.
    if shape is None:
        shape = ["d0", "d1", "d2", "d3"]
    return helper.make_tensor_value_info(name, t, shape)


def model(nodes, inputs, outputs, inits=(), opset=17, ir=8):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    return m


def weight(name, dims, t=F):
    n = 1
    for d in dims:
        n *= d
    vals = [0.5] * n if t == F else [1] * n
    return helper.make_tensor(name, t, dims, vals)


def conv_strides0(op="Conv"):
    if op == "Conv":
        node = helper.make_node("Conv", ["X", "W"], ["Y"], name="conv0",
                                strides=[0, 0], kernel_shape=[3, 3])
        inits = [weight("W", [2, 1, 3, 3])]
    else:
        node = helper.make_node(op, ["X"], ["Y"], name="pool0",
                                strides=[0, 0], kernel_shape=[2, 2])
        inits = []
    return model([node], [vi("X", [1, 1, 8, 8])], [vi("Y", None)], inits)


def cases():
    c = {}
    # -- libonnx shape inference / version converter must not see these.
    c["conv_strides0"] = (conv_strides0("Conv"), "conv0")
    c["maxpool_strides0"] = (conv_strides0("MaxPool"), "pool0")
    c["avgpool_strides0"] = (conv_strides0("AveragePool"), "pool0")
    m = conv_strides0("Conv")
    m.graph.node[0].attribute[1].ints[:] = [0, 3]
    c["conv_kernel0"] = (m, "conv0")
    m = model([helper.make_node("Conv", ["X", "W"], ["Y"], name="conv_d0",
                                dilations=[0, 1])],
              [vi("X", [1, 1, 8, 8])], [vi("Y", None)], [weight("W", [2, 1, 3, 3])])
    c["conv_dilations0"] = (m, "conv_d0")
    m = model([helper.make_node("ConvTranspose", ["X", "W"], ["Y"], name="convt")],
              [vi("X", [1, 2, 4, 4])], [vi("Y", None)], [weight("W", [2, 2])])
    c["convtranspose_rank2_weight"] = (m, "convt")
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="relu")],
              [vi("X", [2, 3])], [vi("Y", [2, 3]), vi("Z", [2, 3])], opset=13)
    c["output_without_producer_converter"] = (m, "'Z'")
    m = model([helper.make_node("Split", ["X"], [], name="split0", axis=0)],
              [vi("X", [4, 3])], [], ir=NEW_IR)
    c["split_no_outputs"] = (m, "split0")
    m = model([helper.make_node("Resize", ["X", "", "S"], [], name="resize0")],
              [vi("X", [1, 1, 4, 4])], [],
              [helper.make_tensor("S", F, [4], [1, 1, 2, 2])], ir=NEW_IR)
    c["resize_no_outputs"] = (m, "resize0")
    # -- newer IR version: dlc's own checks stand in for the checker.
    one_input = {
        "Conv": [], "Reshape": ["X"], "MaxPool": [], "Split": [], "Pad": [],
        "Expand": ["X"], "Softmax": [], "Mean": [], "Pow": ["X"],
        "PRelu": ["X"], "Shape": [], "Size": [], "QuantizeLinear": ["X"],
        "Transpose": [], "Range": ["X"], "Clip": [], "Add": ["X"],
    }
    for op, ins in one_input.items():
        name = f"n_{op.lower()}"
        m = model([helper.make_node(op, ins, ["Y"], name=name)],
                  [vi("X", [2, 3])], [vi("Y", ["a", "b"])], ir=NEW_IR)
        c[f"arity_{op.lower()}_{len(ins)}"] = (m, name)
    m = model([helper.make_node("Softmax", ["X"], ["Y"], name="sm")],
              [vi("X", [2, 3])], [vi("Y", None)], ir=NEW_IR)
    m.graph.node[0].attribute.append(helper.make_attribute("axis", 1.5))
    c["axis_float"] = (m, "sm")
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="r1"),
               helper.make_node("Neg", ["X"], ["Y"], name="r2")],
              [vi("X", [2, 3])], [vi("Y", None)], ir=NEW_IR)
    c["duplicate_output"] = (m, "'Y'")
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="relu_shape")],
              [vi("X", [2, 3])], [vi("Y", [5, 7])], ir=NEW_IR)
    c["output_shape_contradicts"] = (m, "'Y'")
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="relu_neg")],
              [vi("X", [-5, 3])], [vi("Y", None)], ir=NEW_IR)
    c["negative_input_dim"] = (m, "'X'")
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="relu_neg")],
              [vi("X", [-5, 3])], [vi("Y", None)])
    c["negative_input_dim_checked"] = (m, "'X'")
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="relu_big")],
              [vi("X", [1 << 62, 1 << 62])], [vi("Y", None)], ir=NEW_IR)
    c["overflowing_input_dims"] = (m, "'X'")
    # -- ranks and types only shape inference knows (intermediate values):
    # the library's inference of the consumer reads them without looking.
    # A rank-1 weight made by a Shape node (found by the campaign).
    m = model([helper.make_node("Shape", ["X"], ["S"], name="shape0"),
               helper.make_node("Cast", ["S"], ["W"], name="cast0", to=F),
               helper.make_node("ConvTranspose", ["X", "W"], ["Y"],
                                name="convt_rank1")],
              [vi("X", [1, 2, 4, 4])], [vi("Y", None)])
    c["convtranspose_intermediate_rank1_weight"] = (m, "convt_rank1")
    # An 'axis' far outside the input's rank (found by libFuzzer).
    m = model([helper.make_node("Relu", ["X"], ["R"], name="relu0"),
               helper.make_node("LayerNormalization", ["R", "W", "B"], ["Y"],
                                name="ln_axis", axis=-16777217)],
              [vi("X", [3, 4])], [vi("Y", None)],
              [weight("W", [4]), weight("B", [4])])
    c["layernorm_axis_far_out"] = (m, "ln_axis")
    # A map where MaxUnpool takes its indices tensor (found by libFuzzer).
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = TensorProto.INT64
    map_type.map_type.value_type.tensor_type.elem_type = TensorProto.INT64
    idx = helper.make_value_info("I", map_type)
    m = model([helper.make_node("MaxUnpool", ["X", "I"], ["Y"], name="unpool",
                                kernel_shape=[2, 2], strides=[2, 2])],
              [vi("X", [1, 1, 2, 2]), idx], [vi("Y", None)])
    c["maxunpool_map_indices"] = (m, "'I'")
    # ConvInteger's weight of another rank than its input (libFuzzer).
    m = model([helper.make_node("ConvInteger", ["X", "W"], ["Y"], name="convi")],
              [vi("X", [1, 1, 3], TensorProto.UINT8)],
              [vi("Y", None, TensorProto.INT32)],
              [weight("W", [1, 2, 2, 2], TensorProto.UINT8)], opset=10)
    c["convinteger_weight_rank"] = (m, "convi")
    # Pool kernels whose index arithmetic overflows (a run-time heap
    # corruption found by the campaign), or whose SAME pads make one pool
    # run for hours.
    for name, k in (("pool_kernel_overflow", 1 << 62), ("pool_kernel_absurd", 1 << 24)):
        m = model([helper.make_node("AveragePool", ["X"], ["Y"], name=name,
                                    auto_pad="SAME_UPPER", kernel_shape=[k, 2])],
                  [vi("X", [1, 3, 32, 32])], [vi("Y", None)])
        c[name] = (m, name)
    # MaxUnpool's indices of another rank than its input (libFuzzer).
    m = model([helper.make_node("MaxUnpool", ["X", "I"], ["Y"], name="unpool_rank",
                                kernel_shape=[2, 2], strides=[2, 2])],
              [vi("X", [1, 1, 2, 2]), vi("I", [4], TensorProto.INT64)],
              [vi("Y", None)], opset=11)
    c["maxunpool_indices_rank"] = (m, "unpool_rank")
    # An op newer than the library (no schema to check its arity against)
    # with its required scale omitted (libFuzzer).
    m = model([helper.make_node("GroupNormalization", ["X", "", "S", "B"], ["Y"],
                                name="gn_arity", num_groups=4)],
              [vi("X", [2, 4, 3, 3]), vi("S", [4]), vi("B", [4])],
              [vi("Y", None)], opset=18)
    c["groupnorm_missing_scale"] = (m, "gn_arity")
    # LayerNormalization of a scalar: the default axis -1 is out of range
    # (libFuzzer).
    m = model([helper.make_node("LayerNormalization", ["X", "W", "B"], ["Y"],
                                name="ln_scalar")],
              [vi("X", []), vi("W", [5]), vi("B", [5])], [vi("Y", [])])
    c["layernorm_scalar_default_axis"] = (m, "ln_scalar")
    # Split with num_outputs=0: a division by zero in the importer
    # (libFuzzer).
    m = model([helper.make_node("Split", ["X"], ["A", "B", "C"], name="split_n0",
                                axis=1, num_outputs=0)],
              [vi("X", [1, 7])], [vi("A", None), vi("B", None), vi("C", None)],
              opset=18)
    c["split_num_outputs_0"] = (m, "split_n0")
    # DepthToSpace with blocksize 2^62: its square wraps to 0 and the
    # library divides by it (campaign, seed 1901).
    m = model([helper.make_node("DepthToSpace", ["X"], ["Y"], name="d2s_big",
                                blocksize=1 << 62)],
              [vi("X", [2, 8, 3, 3])], [vi("Y", None)], opset=11)
    c["depthtospace_blocksize_2p62"] = (m, "d2s_big")
    # SpaceToDepth with blocksize 2^31: its square times the channels
    # overflows int64.
    m = model([helper.make_node("SpaceToDepth", ["X"], ["Y"], name="s2d_big",
                                blocksize=1 << 31)],
              [vi("X", [1, 4, 2, 2])], [vi("Y", None)])
    c["spacetodepth_channels_overflow"] = (m, "s2d_big")
    # A hole (empty name) in Einsum's variadic inputs: the importer read a
    # null value (campaign, seed 1901).
    m = model([helper.make_node("Einsum", ["", "Y"], ["Z"], name="einsum_hole",
                                equation="i,i")],
              [vi("X", [5]), vi("Y", [5])], [vi("Z", None)], opset=12)
    c["einsum_variadic_hole"] = (m, "einsum_hole")
    # The same hole at the end of Scan's list: it read as an omitted optional
    # input, then the importer read it (campaign, seed 1902).
    body = helper.make_graph(
        [helper.make_node("Add", ["s", "x"], ["s2"]),
         helper.make_node("Identity", ["s2"], ["o"])], "body",
        [vi("s", [2]), vi("x", [2])], [vi("s2", [2]), vi("o", [2])])
    m = model([helper.make_node("Scan", ["S", ""], ["Y", "Z"], name="scan_hole",
                                body=body, num_scan_inputs=1)],
              [vi("S", [2]), vi("X", [3, 2])], [vi("Y", None), vi("Z", None)])
    c["scan_trailing_variadic_hole"] = (m, "scan_hole")
    # Declared opsets above what dlc takes.
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="r")],
              [vi("X", [2])], [vi("Y", None)], opset=1000)
    c["opset_1000"] = (m, "opset 1000")
    return c


def external_cases(out):
    """Models whose 4x3 float weight W (48 bytes) lives in external data that
    is malformed, outside the model's folder, or not a regular file."""
    c = {}
    with open(os.path.join(out, "w.bin"), "wb") as f:
        f.write(bytes(48))
    with open(os.path.join(out, "big.bin"), "wb") as f:
        f.write(bytes(4096))

    def ext(name, expect, **kv):
        m = model([helper.make_node("MatMul", ["X", "W"], ["Y"], name="mm")],
                  [vi("X", [2, 4])], [vi("Y", [2, 3])])
        t = helper.make_tensor("W", F, [4, 3], [0.0] * 12)
        t.ClearField("float_data")
        t.data_location = TensorProto.EXTERNAL
        for k, v in kv.items():
            e = t.external_data.add()
            e.key, e.value = k, v
        m.graph.initializer.append(t)
        c[name] = (m, expect)

    ext("ext_offset_not_a_number", "offset 'abc'", location="w.bin",
        offset="abc")
    ext("ext_length_overflow", "length '99999999999999999999'",
        location="w.bin", length="99999999999999999999")
    ext("ext_offset_negative", "offset '-4'", location="w.bin", offset="-4")
    ext("ext_offset_int64_max", "offset 9223372036854775807",
        location="big.bin", offset=str((1 << 63) - 1))
    ext("ext_length_beyond_file", "lies outside", location="w.bin",
        offset="8")
    ext("ext_length_oversized", "has length 4096", location="big.bin",
        length="4096")
    os.symlink("/etc/passwd", os.path.join(out, "passwd_link.bin"))
    ext("ext_symlink_escape", "outside the model's directory",
        location="passwd_link.bin")
    os.symlink("/etc", os.path.join(out, "etc_link"))
    ext("ext_dir_symlink_escape", "outside the model's directory",
        location="etc_link/passwd")
    os.symlink("/dev/zero", os.path.join(out, "zero_link.bin"))
    ext("ext_dev_zero", "outside the model's directory",
        location="zero_link.bin")
    os.mkfifo(os.path.join(out, "fifo.bin"))
    ext("ext_fifo", "not a regular file", location="fifo.bin")
    ext("ext_parent", "must be a relative path", location="../w.bin")
    return c


TEXT_CASES = {
    "text_float_overflow.onnxtxt": ("""<ir_version: 8, opset_import: ["" : 17]>
g (float[2] X) => (float[2] Y)
<float[2] C = {1e999, 1.0}>
{ Y = Add(X, C) }
""", "1e999"),
    "text_dim_20_digits.onnxtxt": ("""<ir_version: 8, opset_import: ["" : 17]>
g (float[12345678901234567890] X) => (float[2] Y)
{ Y = Relu(X) }
""", "12345678901234567890"),
    "text_int_overflow.onnxtxt": ("""<ir_version: 8, opset_import: ["" : 17]>
g (float[2] X) => (float[2] Y)
<int64[2] C = {99999999999999999999, 1}>
{ Y = Relu(X) }
""", "99999999999999999999"),
    "text_duplicate_initializer.onnxtxt": ("""<ir_version: 10, opset_import: ["" : 17]>
g (float[2] X) => (float[2] Y)
<float[2] C = {1.0, 2.0}, float[2] C = {3.0, 4.0}>
{ Y = Add(X, C) }
""", "'C'"),
}


def main():
    dlc, out = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    os.makedirs(out, exist_ok=True)
    todo = []
    all_cases = cases()
    all_cases.update(external_cases(out))
    for name, (m, expect) in all_cases.items():
        path = os.path.join(out, name + ".onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        todo.append((name, path, expect))
    for name, (text, expect) in TEXT_CASES.items():
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write(text)
        todo.append((name, path, expect))
    failures = 0
    for name, path, expect in todo:
        if only and name not in only:
            continue
        try:
            p = subprocess.run([dlc, path, "--emit=mlir", "-o", os.devnull],
                               capture_output=True, text=True,
                               errors="replace", timeout=60)
        except subprocess.TimeoutExpired:
            print(f"FAIL {name}: hang (over 60 s)")
            failures += 1
            continue
        err = p.stderr.strip().replace("\n", " | ")
        if p.returncode not in (1, 2):
            print(f"FAIL {name}: exit {p.returncode}: {err[-400:]}")
            failures += 1
        elif not err.startswith("error: ") or expect not in err:
            print(f"FAIL {name}: message lacks '{expect}': {err[:400]}")
            failures += 1
        else:
            print(f"ok {name}: {err[:200]}")
    print(f"{len(todo) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
