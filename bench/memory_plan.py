#!/usr/bin/python3
"""Static memory planning (dl-plan-memory): a model's measured peak memory
per call with one arena for its static-size intermediates, against one
allocation per buffer (`dlc --plan-memory=false`), beside its largest
activation.

For each model (exported by test/e2e/export_models.py, the batch pinned to 1
with --input-shape so every intermediate has a static size) it compiles two
shared libraries, calls each a few times through python/dlc/loader.py and
reads the runtime's dlc_last_call_memory after the last call: `peak_bytes`
is the most bytes of the generated code's buffers live at once during the
call, inputs excluded, the output included. The arena's size and buffer count
come from `dlc --report=memory`. The largest activation is the largest
tensor ONNX shape inference gives any node output. Both outputs are checked
to agree.

usage: bench/memory_plan.py [--models resnet18,mobilenet_v2,transformer]
                            [--out FILE]
"""
import argparse
import ctypes
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(REPO, "python"))
sys.path.insert(0, os.path.join(REPO, "test", "e2e"))


class CallMemory(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in
                ("peak_bytes", "live_bytes", "allocated_bytes", "allocation_count")]


def largest_activation(path, shape):
    """Bytes of the largest node output with the input pinned to `shape`."""
    import onnx
    from onnx import shape_inference
    model = onnx.load(path)
    inits = {i.name for i in model.graph.initializer}
    graph_input = next(i for i in model.graph.input if i.name not in inits)
    dims = graph_input.type.tensor_type.shape.dim
    for d, n in zip(dims, shape):
        d.ClearField("dim_param")
        d.dim_value = n
    inferred = shape_inference.infer_shapes(model)
    best = 0
    for v in list(inferred.graph.value_info) + list(inferred.graph.output):
        t = v.type.tensor_type
        if not t.HasField("shape") or any(not d.HasField("dim_value") for d in t.shape.dim):
            continue
        size = int(np.prod([d.dim_value for d in t.shape.dim])) * 4
        best = max(best, size)
    return best


def compile_and_run(dlc, path, input_name, x, workdir, plan):
    from dlc.loader import CompiledModel
    lib = os.path.join(workdir, f"{os.path.basename(path)}.{plan}.so")
    shape = "x".join(str(n) for n in x.shape)
    cmd = [dlc, path, "--emit=shared", "-O3", "-o", lib, "--entry", "forward",
           f"--input-shape={input_name}={shape}", "--report=memory",
           f"--plan-memory={'true' if plan else 'false'}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"dlc failed: {' '.join(cmd)}\n{proc.stderr}")
    arena = re.search(r"(\d+) buffers of (\d+) bytes in an arena of (\d+) bytes",
                      proc.stderr)
    model = CompiledModel(lib, "forward")
    for _ in range(3):
        out = model(x)[0]
    usage = CallMemory()
    fn = model._lib.dlc_last_call_memory
    fn.argtypes = [ctypes.POINTER(CallMemory)]
    fn.restype = ctypes.c_int32
    if fn(ctypes.byref(usage)) != 0:
        sys.exit("dlc_last_call_memory failed")
    return out, usage, arena


def mib(b):
    return f"{b / 2**20:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="resnet18,mobilenet_v2,transformer")
    ap.add_argument("--dlc", default=os.path.join(REPO, "build", "bin", "dlc"))
    ap.add_argument("--out", help="also write the table here")
    args = ap.parse_args()
    from export_models import MODELS, export
    import onnx
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for name in args.models.split(","):
            path = export(name, 17, workdir)
            graph = onnx.load(path, load_external_data=False).graph
            inits = {i.name for i in graph.initializer}
            input_name = next(i.name for i in graph.input if i.name not in inits)
            shape = (1,) + tuple(MODELS[name][1][1:])
            x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
            largest = largest_activation(path, shape)
            off, use_off, _ = compile_and_run(args.dlc, path, input_name, x, workdir, False)
            on, use_on, arena = compile_and_run(args.dlc, path, input_name, x, workdir, True)
            diff = float(np.abs(on - off).max())
            if not np.allclose(on, off, rtol=1e-5, atol=1e-6):
                sys.exit(f"{name}: outputs differ with and without the arena ({diff})")
            rows.append((name, largest, use_off, use_on, arena, diff))
            print(f"[{name}] done", file=sys.stderr)
    lines = ["| model (batch 1) | largest activation MiB | buffers in arena | arena MiB "
             "| peak MiB, one alloc per buffer | peak MiB, arena | peak / largest activation "
             "| allocations per call (off / arena) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, largest, off, on, arena, diff in rows:
        count = arena.group(1) if arena else "0"
        size = mib(int(arena.group(3))) if arena else "0"
        lines.append(f"| {name} | {mib(largest)} | {count} | {size} | {mib(off.peak_bytes)} "
                     f"| {mib(on.peak_bytes)} | {on.peak_bytes / largest:.2f} "
                     f"| {off.allocation_count} / {on.allocation_count} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
