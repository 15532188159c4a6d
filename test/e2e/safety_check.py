#!/usr/bin/python3
"""Generated code fails safely (issue 18): one small model per case, compiled
and run through dlc-run on ONNX TensorProto data. Each must end with the exit
code and message listed (1 or 2: import or compile error naming the node; 4:
the entry point returned an error status), never a signal, a hang or a wrong "match".

usage: safety_check.py BINDIR OUTDIR [CASE...]
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def vi(name, shape, t=F):
    return helper.make_tensor_value_info(name, t, shape)


def model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def cases():
    """name -> (model, inputs, outputs, want exit, message substring)."""
    c = {}
    x1 = np.ones([1], np.float32)
    # A dynamic output of 2^40 elements (an outer product of two 2^20-vectors):
    # the allocation fails cleanly with an error status.
    m = model([helper.make_node("MatMul", ["A", "B"], ["Y"], name="outer")],
              [vi("A", ["m", 1]), vi("B", [1, "n"])], [vi("Y", ["m", "n"])])
    c["dynamic_output_2p40"] = (
        m, [np.ones([1 << 20, 1], np.float32), np.ones([1, 1 << 20], np.float32)],
        [np.ones([1, 1], np.float32)], 4, "out of memory")
    # The same with static dims: refused when compiled, naming the node.
    s = numpy_helper.from_array(np.array([1 << 21, 1 << 20], np.int64), "S")
    m = model([helper.make_node("Expand", ["X", "S"], ["Y"], name="expand_static")],
              [vi("X", [1])], [vi("Y", ["a", "b"])], [s])
    c["static_output_2p41"] = (m, [x1], [x1], 1, "expand_static")
    # Shape arithmetic that divides by zero, or INT64_MIN by -1.
    for name, a, b in (("reshape_div_zero", 12, 0),
                       ("reshape_div_overflow", -(1 << 63), -1)):
        m = model([
            helper.make_node("Div", ["A", "B"], ["D"], name="shape_div"),
            helper.make_node("Concat", ["D", "M"], ["S"], name="shape_cat", axis=0),
            helper.make_node("Reshape", ["X", "S"], ["Y"], name="reshape"),
        ], [vi("X", [12])], [vi("Y", ["a", "b"])], [
            numpy_helper.from_array(np.array([a], np.int64), "A"),
            numpy_helper.from_array(np.array([b], np.int64), "B"),
            numpy_helper.from_array(np.array([-1], np.int64), "M")])
        c[name] = (m, [np.ones([12], np.float32)], [np.ones([12], np.float32)],
                   2, "shape_div")
    # Gather with an index past the end: an error status, not a read out of
    # bounds that happens to "match".
    idx = numpy_helper.from_array(np.array([0, 7], np.int64), "I")
    m = model([helper.make_node("Gather", ["X", "I"], ["Y"], name="gather_oob")],
              [vi("X", [5, 3])], [vi("Y", [2, 3])], [idx])
    xs = np.arange(15, dtype=np.float32).reshape(5, 3)
    c["gather_const_index_oob"] = (m, [xs], [xs[[0, 0]]], 4, "gather_oob")
    m = model([helper.make_node("Gather", ["X", "I"], ["Y"], name="gather_dyn")],
              [vi("X", [5, 3]), vi("I", [2], I64)], [vi("Y", [2, 3])])
    c["gather_input_index_oob"] = (m, [xs, np.array([1, -9], np.int64)],
                                   [xs[[1, 1]]], 4, "gather_dyn")
    # Resize by 1e9: the output size check, not a hang.
    sc = numpy_helper.from_array(np.array([1, 1, 1e9, 1e9], np.float32), "SC")
    m = model([helper.make_node("Resize", ["X", "", "SC"], ["Y"], name="resize_huge")],
              [vi("X", [1, 1, 2, 2])], [vi("Y", ["a", "b", "c", "d"])], [sc])
    c["resize_scale_1e9"] = (m, [np.ones([1, 1, 2, 2], np.float32)],
                             [np.ones([1, 1, 2, 2], np.float32)], 1, "resize_huge")
    rep = numpy_helper.from_array(np.array([1 << 30, 1 << 30], np.int64), "R")
    m = model([helper.make_node("Tile", ["X", "R"], ["Y"], name="tile_huge")],
              [vi("X", [2, 2])], [vi("Y", ["a", "b"])], [rep])
    c["tile_huge"] = (m, [np.ones([2, 2], np.float32)],
                      [np.ones([2, 2], np.float32)], 1, "tile_huge")
    # Run-time axes, bounds, sizes, repeats, pads and k (DLDynamicOps.td):
    # values the op cannot take are an error status naming the node.
    def runtime(name, op, x, extra, attrs=None, outs=1, rank=None):
        names = ["X"] + [f"V{i}" for i in range(len(extra))]
        ys = [f"Y{i}" for i in range(outs)]
        rank = x.ndim if rank is None else rank
        m = model([helper.make_node(op, names, ys, name=name, **(attrs or {}))],
                  [vi("X", list(x.shape))] +
                  [vi(f"V{i}", list(v.shape), I64) for i, v in enumerate(extra)],
                  [vi(y, ["d%d_%d" % (j, i) for i in range(rank)],
                      I64 if op == "TopK" and j == 1 else F)
                   for j, y in enumerate(ys)])
        return m, [x] + extra, [x] * outs
    x23 = np.ones([2, 3], np.float32)
    i64 = lambda *v: np.array(v, np.int64)
    for case, args, message in (
            ("slice_zero_step", ("Slice", x23, [i64(0), i64(2), i64(1), i64(0)]),
             "slice step is 0"),
            ("slice_axis_range", ("Slice", x23, [i64(0), i64(2), i64(2), i64(1)]),
             "slice axis out of range"),
            ("unsqueeze_repeat", ("Unsqueeze", x23, [i64(1, 1)]),
             "unsqueeze axes repeat"),
            ("squeeze_not_one", ("Squeeze", x23, [i64(0)]),
             "squeezed dim is not 1"),
            ("reduce_axis_range", ("ReduceSum", x23, [i64(-3)]),
             "reduce axis out of range"),
            ("tile_negative", ("Tile", x23, [i64(1, -1)]),
             "tile repeats are negative"),
            ("tile_2p60", ("Tile", x23, [i64(1 << 30, 1 << 30)]),
             "the result would have more than 2^40 elements"),
            ("pad_crop", ("Pad", x23, [i64(0, -2, 0, -2)]),
             "pads crop more than the dim has"),
            ("topk_k_too_big", ("TopK", x23, [i64(4)]),
             "topk k is outside")):
        op, x, extra = args
        rank = {"Unsqueeze": 4, "Squeeze": 1}.get(op, x.ndim)
        m, ins, outs = runtime(case, op, x, extra,
                               outs=2 if op == "TopK" else 1, rank=rank)
        c[case] = (m, ins, outs, 4, f"node '{case}' ({op}): {message}")
    # Reshape to a run-time shape that does not fit the input: an error
    # status, not a view past its end (campaign, seed 1901: an empty input
    # whose 0 entries copy its dims).
    for case, x, shape, attrs in (
            ("reshape_count", x23, i64(3, 4), {}),
            ("reshape_empty_copy", np.ones([0, 3, 4], np.float32), i64(3, 4, 0),
             {"allowzero": 0}),
            ("reshape_two_infer", x23, i64(-1, -1), {}),
            ("reshape_below_minus_one", x23, i64(-2, -3), {}),
            ("reshape_overflow", x23, i64(1 << 32, 1 << 32, 6), {})):
        m, ins, outs = runtime(case, "Reshape", x, [shape], attrs=attrs,
                               rank=len(shape))
        c[case] = (m, ins, outs, 4, f"node '{case}' (Reshape): reshape shape "
                   "does not fit")
    m, ins, outs = runtime("split_sum", "Split", np.ones([6], np.float32),
                           [i64(2, 3)], outs=2)
    c["split_sizes_sum"] = (m, ins, outs, 4,
                            "node 'split_sum' (Split): split sizes do not add up")
    # A rank-20 output through dlc-run (which once kept 16 dims).
    shape20 = [1] * 18 + [2, 3]
    m = model([helper.make_node("Relu", ["X"], ["Y"], name="relu20")],
              [vi("X", shape20)], [vi("Y", shape20)])
    x20 = np.arange(6, dtype=np.float32).reshape(shape20) - 2
    c["rank20_output"] = (m, [x20], [np.maximum(x20, 0)], 0, "")
    return c


def main():
    bindir, out = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    failures = 0
    ran = 0
    for name, (m, ins, outs, want, expect) in cases().items():
        if only and name not in only:
            continue
        ran += 1
        d = os.path.join(out, name)
        os.makedirs(os.path.join(d, "data"), exist_ok=True)
        onnx.save(m, os.path.join(d, "model.onnx"))
        for kind, arrays in (("input", ins), ("output", outs)):
            for i, a in enumerate(arrays):
                t = numpy_helper.from_array(a)
                with open(os.path.join(d, "data", f"{kind}_{i}.pb"), "wb") as f:
                    f.write(t.SerializeToString())
        try:
            p = subprocess.run([os.path.join(bindir, "dlc-run"),
                                os.path.join(d, "model.onnx"),
                                "--data", os.path.join(d, "data")],
                               capture_output=True, text=True, errors="replace",
                               timeout=120)
        except subprocess.TimeoutExpired:
            print(f"FAIL {name}: hang (over 120 s)")
            failures += 1
            continue
        text = (p.stdout + p.stderr).strip().replace("\n", " | ")
        if p.returncode != want or expect not in text:
            print(f"FAIL {name}: exit {p.returncode} (want {want}, "
                  f"'{expect}'): {text[-400:]}")
            failures += 1
        else:
            print(f"ok {name}: exit {p.returncode}: {text[:200]}")
    print(f"{ran - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
