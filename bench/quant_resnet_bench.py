#!/usr/bin/python3
"""ResNet-18 in INT8: dlc --quantize=static vs dlc float32 vs ONNX Runtime
running the same quantization as a QDQ model.

1. Exports torchvision resnet18 (random weights: no pretrained weights
   offline; batch-norm folded into the convs by the exporter) and writes
   calibration sets (standard normal images).
2. Compiles it with dlc -O3 in float32 and with --quantize=static
   --calibration (minmax).
3. Writes the QDQ model ONNX Runtime runs: the float model compiled by dlc
   with every conv/gemm input and output as an extra output gives the same
   min/max ranges dlc calibrates, and from them the same parameters
   (uint8 activations with a zero point, symmetric int8 weights per output
   channel, int32 biases at x_scale * w_scale) as QuantizeLinear /
   DequantizeLinear pairs around every Conv and Gemm (ORT's QDQ format).
4. Times the three engines in alternating rounds at each thread count
   (dlc in this process through ctypes, ORT in bench/ort_runner.js --serve),
   wall time and CPU time (process time, all threads) per call, medians.

usage: bench/quant_resnet_bench.py [--threads 1,2] [--rounds 5] [--calls 10]
       [--work DIR] [--out bench/results-int8-resnet18.md]
ORT needs bench/node_modules (cd bench && npm install --ignore-scripts
onnxruntime-node) or NODE_PATH naming a node_modules that has it.
"""
import argparse
import ctypes
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(REPO, "python"))
from dlc import Entry  # noqa: E402

SHAPE = (1, 3, 224, 224)


def u8_params(lo, hi):
    """dl-quantize's activation parameters (Quantize.cpp, u8Params)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    if not scale > 0 or not np.isfinite(scale):
        return 1.0, 0
    return scale, int(min(max(np.rint(-lo / scale), 0), 255))


def layers(model):
    """(node, input, output after a sole Relu) of every Conv and Gemm."""
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    out = []
    for n in model.graph.node:
        if n.op_type not in ("Conv", "Gemm"):
            continue
        y = n.output[0]
        users = consumers.get(y, [])
        if len(users) == 1 and users[0].op_type == "Relu":
            y = users[0].output[0]
        out.append((n, n.input[0], y))
    return out


def calibrate(dlc, model_path, calib, work):
    """min/max of every layer input and output over the calibration sets,
    with the float model compiled by dlc."""
    model = onnx.load(model_path)
    names = []
    for _, x, y in layers(model):
        for t in (x, y):
            if t not in names:
                names.append(t)
    outputs = {o.name for o in model.graph.output}
    typed = {v.name: v for v in onnx.shape_inference.infer_shapes(model).graph.value_info}
    typed.update({v.name: v for v in model.graph.input})
    for t in names:
        if t not in outputs:
            model.graph.output.append(typed[t])
    path = os.path.join(work, "resnet18_ranges.onnx")
    onnx.save(model, path)
    lib = os.path.join(work, "libranges.so")
    subprocess.run([dlc, path, "--input-shape", "input=" + "x".join(map(str, SHAPE)),
                    "--emit=shared", "-o", lib], check=True)
    entry = Entry(ctypes.CDLL(os.path.abspath(lib)), "ranges_run", "ranges_release")
    order = [o.name for o in model.graph.output]
    ranges = {}
    for x in calib:
        for name, v in zip(order, entry(x)):
            lo, hi = ranges.get(name, (np.inf, -np.inf))
            ranges[name] = (min(lo, float(v.min())), max(hi, float(v.max())))
    return ranges


def qdq_model(model_path, ranges, path):
    """The float model with QuantizeLinear/DequantizeLinear pairs as
    dl-quantize places them (ORT's QDQ format)."""
    model = onnx.load(model_path)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    # The exporter shares equal initializers through Identity nodes.
    for n in graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
    outputs = {o.name for o in graph.output}
    new_nodes, renames, done = [], {}, set()
    ls = layers(model)
    quantized_outputs = {y for _, _, y in ls if y not in outputs}
    input_of = {n.name: x for n, x, _ in ls}

    def qdq(t):
        """t -> Q -> DQ; returns the DQ output's name."""
        scale, zp = u8_params(*ranges[t])
        s, z = f"{t}_scale", f"{t}_zp"
        graph.initializer.extend([numpy_helper.from_array(np.array(scale, np.float32), s),
                                  numpy_helper.from_array(np.array(zp, np.uint8), z)])
        new_nodes.append(helper.make_node("QuantizeLinear", [t, s, z], [f"{t}_q"]))
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{t}_q", s, z], [f"{t}_dq"]))
        return f"{t}_dq", scale

    for n in graph.node:
        inputs = [renames.get(i, i) for i in n.input]
        if n.name in input_of:
            x = input_of[n.name]
            if x not in done:
                renames[x], _ = qdq(x)
                done.add(x)
            inputs[0] = renames[x]
            xscale = u8_params(*ranges[x])[0]
            w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float64)
            trans_b = any(a.name == "transB" and a.i for a in n.attribute)
            axis = 0 if (n.op_type == "Conv" or trans_b) else 1
            red = tuple(i for i in range(w.ndim) if i != axis)
            ws = np.abs(w).max(axis=red) / 127.0
            ws[~(ws > 0)] = 1.0
            shape = [-1 if i == axis else 1 for i in range(w.ndim)]
            wq = np.clip(np.rint(w / ws.reshape(shape)), -127, 127).astype(np.int8)
            wn = n.input[1]
            graph.initializer.extend([
                numpy_helper.from_array(wq, f"{wn}_q"),
                numpy_helper.from_array(ws.astype(np.float32), f"{wn}_scale"),
                numpy_helper.from_array(np.zeros(len(ws), np.int8), f"{wn}_zp")])
            new_nodes.append(helper.make_node("DequantizeLinear",
                                              [f"{wn}_q", f"{wn}_scale", f"{wn}_zp"],
                                              [f"{wn}_dq"], axis=axis))
            inputs[1] = f"{wn}_dq"
            if len(n.input) > 2:
                bn = n.input[2]
                b = numpy_helper.to_array(inits[bn]).astype(np.float64)
                bs = xscale * ws
                bq = np.clip(np.rint(b / bs), -2**31, 2**31 - 1).astype(np.int32)
                graph.initializer.extend([
                    numpy_helper.from_array(bq, f"{bn}_q"),
                    numpy_helper.from_array(bs.astype(np.float32), f"{bn}_scale"),
                    numpy_helper.from_array(np.zeros(len(bs), np.int32), f"{bn}_zp")])
                new_nodes.append(helper.make_node("DequantizeLinear",
                                                  [f"{bn}_q", f"{bn}_scale", f"{bn}_zp"],
                                                  [f"{bn}_dq"], axis=0))
                inputs[2] = f"{bn}_dq"
        node = helper.make_node(n.op_type, inputs, list(n.output), name=n.name)
        node.attribute.extend(n.attribute)
        new_nodes.append(node)
        for y in n.output:
            if y in quantized_outputs and y not in done:
                renames[y], _ = qdq(y)
                done.add(y)
    del graph.node[:]
    graph.node.extend(new_nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


class OrtWorker:
    def __init__(self, model, x_path, threads):
        env = dict(os.environ)
        env.setdefault("NODE_PATH", os.path.join(BENCH, "node_modules"))
        self.proc = subprocess.Popen(
            ["node", os.path.join(BENCH, "ort_runner.js"), "--serve", "--model", model,
             "--inputs", x_path, "--threads", str(threads), "--warmup", "3"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env=env)
        hello = json.loads(self.proc.stdout.readline())
        self.version = hello.get("ort_version", "?")

    def run(self, calls):
        self.proc.stdin.write(f"{calls}\n")
        self.proc.stdin.flush()
        r = json.loads(self.proc.stdout.readline())
        return r["times_ms"], r.get("cpu_ms", [float("nan")] * calls)

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait()


class DlcWorker:
    def __init__(self, lib, name, x):
        self.cdll = ctypes.CDLL(os.path.abspath(lib))
        self.entry = Entry(self.cdll, f"{name}_run", f"{name}_release")
        self.x = x

    def threads(self, n):
        self.cdll.dlc_set_num_threads(ctypes.c_int(n))
        for _ in range(3):
            self.entry(self.x)

    def run(self, calls):
        wall, cpu = [], []
        for _ in range(calls):
            t0, c0 = time.perf_counter(), time.process_time()
            self.entry(self.x)
            wall.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        return wall, cpu


def qpeak():
    """bench/probe/qpeak.c (built here with cc against the runtime), run at
    one thread: the VNNI peak and dlc_qconv2d on ResNet-18's conv layers;
    None if it cannot be built or this CPU has no VNNI."""
    exe = os.path.join(BENCH, ".work", "qpeak")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    try:
        subprocess.run(["cc", "-O2", "-I", os.path.join(REPO, "runtime", "include"),
                        os.path.join(BENCH, "probe", "qpeak.c"),
                        os.path.join(REPO, "build", "runtime", "libdlcrt.a"), "-lpthread",
                        "-o", exe], check=True, capture_output=True)
        out = subprocess.run([exe, "--json"], check=True, capture_output=True, text=True,
                             env=dict(os.environ, DLC_NUM_THREADS="1")).stdout
        result = json.loads(out)
        return result if result.get("peak_gops") else None
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None


def sqnr(f, q):
    f, q = f.astype(np.float64), q.astype(np.float64)
    return 10 * np.log10((f * f).sum() / max(((f - q) ** 2).sum(), 1e-300))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--calibration-sets", type=int, default=8)
    ap.add_argument("--dlc", default=os.path.join(REPO, "build", "bin", "dlc"))
    ap.add_argument("--work", default="/tmp/dlc-quant-resnet-bench")
    ap.add_argument("--out", default=os.path.join(BENCH, "results-int8-resnet18.md"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(REPO, "test", "e2e", "export_models.py"),
                    args.work, "--opsets", "17", "--models", "resnet18"], check=True,
                   stdout=subprocess.DEVNULL)
    model = os.path.join(args.work, "resnet18_op17.onnx")
    rng = np.random.default_rng(0)
    cdir = os.path.join(args.work, "calibration")
    os.makedirs(cdir, exist_ok=True)
    calib = [rng.standard_normal(SHAPE, np.float32) for _ in range(args.calibration_sets)]
    for i, x in enumerate(calib):
        np.save(os.path.join(cdir, f"set_{i}.npy"), x)
    x = rng.standard_normal(SHAPE, np.float32)
    x_path = os.path.join(args.work, "x.npy")
    np.save(x_path, x)

    pin = ["--input-shape", "input=" + "x".join(map(str, SHAPE)), "-O3"]
    f32 = os.path.join(args.work, "libf32.so")
    i8 = os.path.join(args.work, "libi8.so")
    subprocess.run([args.dlc, model, *pin, "--emit=shared", "-o", f32], check=True)
    subprocess.run([args.dlc, model, *pin, "--emit=shared", "-o", i8, "--quantize=static",
                    "--calibration", cdir], check=True)
    ranges = calibrate(args.dlc, model, calib, args.work)
    qdq = os.path.join(args.work, "resnet18_qdq.onnx")
    qdq_model(model, ranges, qdq)

    engines = {"dlc f32": DlcWorker(f32, "f32", x), "dlc int8": DlcWorker(i8, "i8", x)}
    ref = engines["dlc f32"].entry(x)[0]
    agree = {"dlc int8": sqnr(ref, engines["dlc int8"].entry(x)[0])}
    rows = []
    paired = {}
    probe = [qpeak()]
    for threads in [int(t) for t in args.threads.split(",")]:
        ort = OrtWorker(qdq, x_path, threads)
        out_path = os.path.join(args.work, "ort_out.npy")
        subprocess.run(["node", os.path.join(BENCH, "ort_runner.js"), "--model", qdq,
                        "--inputs", x_path, "--runs", "1", "--output", out_path],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "NODE_PATH": os.environ.get(
                           "NODE_PATH", os.path.join(BENCH, "node_modules"))})
        agree["ORT QDQ"] = sqnr(ref, np.load(out_path))
        for e in engines.values():
            e.threads(threads)
        names = ["dlc f32", "dlc int8", "ORT QDQ"]
        wall = {n: [] for n in names}
        cpu = {n: [] for n in names}
        per_round = {n: [] for n in names}
        for r in range(args.rounds):
            order = names if r % 2 == 0 else names[::-1]
            for n in order:
                w, c = (ort if n == "ORT QDQ" else engines[n]).run(args.calls)
                wall[n] += w
                cpu[n] += c
                per_round[n].append(statistics.median(w))
        paired[threads] = statistics.median(
            o / d for o, d in zip(per_round["ORT QDQ"], per_round["dlc int8"]))
        ort.close()
        for n in names:
            rows.append((n, threads, statistics.median(wall[n]), statistics.median(cpu[n])))
        print(f"threads {threads}: " + ", ".join(
            f"{n} {statistics.median(wall[n]):.1f} ms wall / {statistics.median(cpu[n]):.1f} ms cpu"
            for n in names), flush=True)

    probe.append(qpeak())
    base = {(t): (w, c) for n, t, w, c in rows if n == "dlc f32"}
    int8 = {t: w for n, t, w, c in rows if n == "dlc int8"}
    ort_wall = {t: w for n, t, w, c in rows if n == "ORT QDQ"}
    lines = [
        "# ResNet-18 INT8: dlc vs dlc f32 vs ONNX Runtime (QDQ)",
        "",
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
        f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores, shared with "
        "other jobs), by `bench/quant_resnet_bench.py "
        f"--threads {args.threads} --rounds {args.rounds} --calls {args.calls}`.",
        "",
        "- model: torchvision resnet18, random weights (no pretrained weights offline), "
        "batch 1, 3x224x224, opset 17 (batch norm folded by the exporter)",
        f"- dlc int8: `dlc --quantize=static --calibration DIR` (minmax, "
        f"{args.calibration_sets} standard normal images), -O3",
        f"- ORT QDQ: onnxruntime-node {ort.version}, CPU EP, graph optimization all, the same "
        "scales and zero points as QuantizeLinear/DequantizeLinear pairs",
        f"- {args.rounds} alternating rounds of {args.calls} calls per engine; medians of "
        "all calls; CPU = process time of all threads per call",
        "",
        "| engine | threads | wall ms | CPU ms | f32/this (wall) | f32/this (CPU) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for n, t, w, c in rows:
        bw, bc = base[t]
        lines.append(f"| {n} | {t} | {w:.1f} | {c:.1f} | {bw / w:.2f} | {bc / c:.2f} |")
    lines += ["", "ORT QDQ / dlc int8 (wall; above 1 means dlc is faster): " + ", ".join(
        f"{t} thread(s) {ort_wall[t] / int8[t]:.3f} (paired: median over rounds of each "
        f"round's ORT / dlc median, {paired[t]:.3f})" for t in int8)]
    lines += ["", "SQNR of the output against dlc f32 on the timed input: " + ", ".join(
        f"{n} {v:.1f} dB" for n, v in agree.items()), ""]
    runs = [p for p in probe if p]
    if runs:
        best = min(runs, key=lambda p: p["total_ms"])
        peaks = " / ".join(f"{p['peak_gops']:.0f}" for p in runs)
        lines += [
            "dlc_qconv2d alone on ResNet-18's conv layers, 1 thread (`bench/probe/qpeak.c`, "
            "run before and after the engines; the faster run), against the measured int8 "
            f"peak ({peaks} GOP/s: 12 "
            "independent zmm vpdpbusd chains, 64 multiply-adds = 128 ops each):",
            "",
            "| layer | count | ms | GOP/s | % of peak |",
            "| --- | --- | --- | --- | --- |",
        ]
        for layer in best["layers"]:
            lines.append(f"| {layer['layer']} | {layer['count']} | {layer['ms']:.3f} | "
                         f"{layer['gops']:.0f} | {layer['pct_peak']:.0f}% |")
        lines += [f"| all convs | | {best['total_ms']:.2f} | {best['total_gops']:.0f} | "
                  f"{best['total_pct_peak']:.0f}% |", ""]
    text = "\n".join(lines)
    print(text)
    with open(args.out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
