#!/usr/bin/python3
"""Compares dlc with ONNX Runtime (onnxruntime-node, CPU EP) on inference.

For each model it exports or builds the ONNX file, compiles it with
`dlc --emit=shared -O3`, then starts two long-lived worker processes, one per
engine, each holding the loaded model and warmed up:

  dlc  this script in --dlc-worker mode: loads the .so through
       python/dlc/loader.py and times CompiledModel.__call__;
  ORT  bench/ort_runner.js --serve: times InferenceSession.run().

It then alternates them in rounds (dlc then ORT, then ORT then dlc, ...), each
turn running enough calls to fill about --target-s seconds, so machine drift
lands on both sides alike. Medians are over all timed calls of all rounds.
Both engines get the same input; the first outputs of both are compared and
the max abs difference reported.

usage: bench/run.py [--models matmul,resnet18,mobilenet_v2,transformer|all]
                    [--threads 1,2] [--rounds 5] [--quick] [--out FILE]
Writes bench/results.md (or --out) and prints the same Markdown.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
MODEL_NAMES = ["matmul", "resnet18", "mobilenet_v2", "transformer"]
# Single kernels, with their FLOP counts for GFLOP/s and % of peak.
KERNEL_NAMES = ["gemm256", "gemm512", "gemm1024", "conv3x3", "dwconv3x3"]
KERNEL_FLOPS = {"gemm256": 2 * 256**3, "gemm512": 2 * 512**3,
                "gemm1024": 2 * 1024**3,
                "conv3x3": 2 * 56 * 56 * 64 * 64 * 9,
                "dwconv3x3": 2 * 56 * 56 * 144 * 9}
OPSET = 17
# Outputs agree when max|dlc - ORT| <= TOLERANCE * max|ORT|. Relative to the
# output's scale: float32 rounding grows with it, and mobilenet_v2 with random
# weights has logits near 1e-9, where any absolute bound would pass anything.
TOLERANCE = 1e-3


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

def build_matmul(path):
    """input[512,512] @ B[512,512] + bias[512], then Relu; B and bias are
    initializers, as in a dense layer."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rs = np.random.RandomState(1)
    b = numpy_helper.from_array(
        (rs.randn(512, 512) / np.sqrt(512)).astype(np.float32), "B")
    bias = numpy_helper.from_array(rs.randn(512).astype(np.float32), "bias")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "B"], ["mm"]),
         helper.make_node("Add", ["mm", "bias"], ["sum"]),
         helper.make_node("Relu", ["sum"], ["output"])],
        "matmul_add_relu",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [512, 512])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [512, 512])],
        [b, bias])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return (512, 512)


def build_kernel(name, path):
    """One op with random initializer weights: gemmN is input[N,N] @ B[N,N];
    conv3x3 a 3x3 conv 1x64x56x56 -> 64 (pad 1, bias); dwconv3x3 a depthwise
    3x3 conv 1x144x56x56 (groups 144, pad 1, bias)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rs = np.random.RandomState(2)
    if name.startswith("gemm"):
        n = int(name[4:])
        b = numpy_helper.from_array(
            (rs.randn(n, n) / np.sqrt(n)).astype(np.float32), "B")
        nodes = [helper.make_node("MatMul", ["input", "B"], ["output"])]
        inits, shape, out = [b], [n, n], [n, n]
    else:
        c = 64 if name == "conv3x3" else 144
        groups = 1 if name == "conv3x3" else c
        w = numpy_helper.from_array(
            (rs.randn(c, c // groups, 3, 3) / np.sqrt(9 * c // groups)).astype(np.float32), "W")
        bias = numpy_helper.from_array(rs.randn(c).astype(np.float32), "bias")
        nodes = [helper.make_node("Conv", ["input", "W", "bias"], ["output"],
                                  kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=groups)]
        inits, shape, out = [w, bias], [1, c, 56, 56], [1, c, 56, 56]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, out)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return tuple(shape)


def measure_peak():
    """The single-thread FMA peak in GFLOP/s from bench/probe/peak.c (built
    here with cc against the runtime); None if it cannot be built."""
    exe = os.path.join(BENCH, ".work", "peak")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    src = os.path.join(BENCH, "probe", "peak.c")
    lib = os.path.join(REPO, "build", "runtime", "libdlcrt.a")
    try:
        subprocess.run(["cc", "-O2", "-I", os.path.join(REPO, "runtime", "include"),
                        src, lib, "-lpthread", "-o", exe], check=True,
                       capture_output=True)
        out = subprocess.run([exe, "--json", "64"], check=True, capture_output=True,
                             text=True, env=dict(os.environ, DLC_NUM_THREADS="1")).stdout
        return json.loads(out)["peak_gflops"]
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return None


def prepare_model(name, workdir):
    """Writes WORKDIR/NAME.onnx; returns (path, input shape)."""
    path = os.path.join(workdir, f"{name}.onnx")
    if name == "matmul":
        return path, build_matmul(path)
    if name in KERNEL_NAMES:
        return path, build_kernel(name, path)
    sys.path.insert(0, os.path.join(REPO, "test", "e2e"))
    from export_models import MODELS, export
    exported = export(name, OPSET, workdir)  # dynamic batch, run at batch 1
    os.replace(exported, path)
    return path, MODELS[name][1]


def io_ranks(onnx_path):
    import onnx
    graph = onnx.load(onnx_path, load_external_data=False).graph
    inits = {i.name for i in graph.initializer}
    rank = lambda v: len(v.type.tensor_type.shape.dim)
    return ([rank(v) for v in graph.input if v.name not in inits],
            [rank(v) for v in graph.output])


def compile_dlc(dlc, onnx_path, lib, pin=None):
    """`pin`: compile for this input shape (--input-shape) instead of the
    model's dynamic batch."""
    t0 = time.perf_counter()
    extra = []
    if pin:
        import onnx
        graph = onnx.load(onnx_path, load_external_data=False).graph
        inits = {i.name for i in graph.initializer}
        name = [v.name for v in graph.input if v.name not in inits][0]
        extra = [f"--input-shape={name}={'x'.join(map(str, pin))}"]
    proc = subprocess.run([dlc, onnx_path, "--emit=shared", "-O3", "-o", lib,
                           "--entry", "forward"] + extra, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dlc failed on {onnx_path} (exit {proc.returncode}):\n"
                           f"{proc.stderr[-4000:]}")
    return time.perf_counter() - t0


THREAD_SYMBOLS = ("dlc_parallel_for", "pthread_create", "GOMP_", "__kmpc_", "omp_")


def threading_symbols(lib):
    """The threading entry points the compiled library imports or carries
    (dlc links its runtime in), by `nm -D`: an empty list means its code can
    only run on the calling thread; None means nm could not tell."""
    try:
        proc = subprocess.run(["nm", "-D", lib],
                              capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    names = [line.split()[-1].split("@")[0] for line in proc.stdout.splitlines() if line.strip()]
    return sorted({n for n in names if n.startswith(THREAD_SYMBOLS)})


# --------------------------------------------------------------------------
# Workers: same line protocol for both engines
#   worker prints {"ready": true, "warmup_ms": ...} once warmed up;
#   request "K\n" -> {"times_ms": [K floats]}; "quit\n" ends it.
# --------------------------------------------------------------------------

def dlc_worker(config_json):
    cfg = json.loads(config_json)
    sys.path.insert(0, os.path.join(REPO, "python"))
    from dlc.loader import CompiledModel, TensorSpec
    inputs = [np.load(p) for p in cfg["inputs"]]
    model = CompiledModel(cfg["lib"], "forward",
                          [TensorSpec(a.ndim, a.dtype) for a in inputs],
                          [TensorSpec(r, np.float32) for r in cfg["out_ranks"]])
    warmup_ms = 0.0
    for _ in range(max(cfg["warmup"], 1)):
        t0 = time.perf_counter()
        outputs = model(*inputs)
        warmup_ms = (time.perf_counter() - t0) * 1e3
    np.save(cfg["output"], outputs[0])
    print(json.dumps({"ready": True, "warmup_ms": warmup_ms}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        times = []
        for _ in range(int(cmd)):
            t0 = time.perf_counter()
            model(*inputs)
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"times_ms": times}), flush=True)
    return 0


class Worker:
    def __init__(self, label, argv, env):
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)
        self.ready = self._read()
        self.times = []
        self.round_medians = []

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"{self.label} worker exited ({self.proc.returncode}) "
                               "before answering; its stderr is above")
        msg = json.loads(line)
        if "error" in msg:
            raise RuntimeError(f"{self.label} worker: {msg['error']}")
        return msg

    def run(self, count):
        self.proc.stdin.write(f"{count}\n")
        self.proc.stdin.flush()
        times = self._read()["times_ms"]
        self.times += times
        self.round_medians.append(statistics.median(times))

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout=60)


def runs_for(warmup_ms, target_s, min_runs, max_runs):
    return max(min_runs, min(max_runs, int(round(target_s * 1e3 / max(warmup_ms, 1e-3)))))


def measure(name, onnx_path, lib, input_paths, out_ranks, threads, args, workdir,
            dlc_threading):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               DLC_NUM_THREADS=str(threads))  # no effect yet: dlc's code is serial
    dlc_out = os.path.join(workdir, f"{name}.t{threads}.dlc_out.npy")
    ort_out = os.path.join(workdir, f"{name}.t{threads}.ort_out.npy")
    cfg = {"lib": lib, "inputs": input_paths, "out_ranks": out_ranks,
           "warmup": args.warmup, "output": dlc_out}
    # One at a time, so warmups do not overlap.
    dlc = Worker("dlc", [sys.executable, os.path.abspath(__file__),
                         "--dlc-worker", json.dumps(cfg)], env)
    ort = Worker("ORT", ["node", os.path.join(BENCH, "ort_runner.js"), "--serve",
                         "--model", onnx_path, "--inputs", ",".join(input_paths),
                         "--threads", str(threads), "--warmup", str(args.warmup),
                         "--output", ort_out], env)
    try:
        counts = {w: runs_for(w.ready["warmup_ms"], args.target_s, args.min_runs,
                              args.max_runs) for w in (dlc, ort)}
        for r in range(args.rounds):
            order = (dlc, ort) if r % 2 == 0 else (ort, dlc)
            for w in order:
                w.run(counts[w])
                # Lets ORT's spinning pool threads park before the other turn.
                time.sleep(0.05)
    finally:
        dlc.close()
        ort.close()

    a, b = np.load(dlc_out), np.load(ort_out)
    if a.shape != b.shape or a.size == 0:
        diff, scale = float("inf"), 0.0
    else:
        diff = float(np.max(np.abs(a.astype(np.float64) - b)))
        scale = float(np.max(np.abs(b)))
    ok = diff <= TOLERANCE * scale or diff == 0.0
    return {"model": name, "threads": threads,
            "dlc_ms": statistics.median(dlc.times), "ort_ms": statistics.median(ort.times),
            "dlc_runs": len(dlc.times), "ort_runs": len(ort.times),
            "dlc_rounds": dlc.round_medians, "ort_rounds": ort.round_medians,
            "dlc_min": min(dlc.times), "ort_min": min(ort.times),
            "diff": diff, "scale": scale, "ok": ok, "load": os.getloadavg()[0],
            "dlc_threading": dlc_threading, "ort_version": ort.ready.get("ort_version", "?")}


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def cpu_model():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or "unknown"
    flags = info.get("flags", "").split()
    isa = "avx512f" if "avx512f" in flags else "avx2" if "avx2" in flags else "no avx2"
    return (f"{info.get('model name', 'unknown')} (family {info.get('cpu family', '?')}, "
            f"model {info.get('model', '?')}, {isa})")


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--",
                                "lib", "include", "runtime", "tools"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" + uncommitted compiler changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def snapshot_dlc(dlc, workdir):
    """Copies the compiler into WORKDIR so every model of the run is compiled
    by the same binary even if build/ is rebuilt meanwhile; returns the copy
    and a description (hash, build time)."""
    copy = os.path.join(workdir, "dlc")
    shutil.copy2(dlc, copy)
    with open(copy, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    built = datetime.datetime.fromtimestamp(os.stat(copy).st_mtime, datetime.timezone.utc)
    return copy, f"binary sha256 {digest}, built {built:%Y-%m-%d %H:%M} UTC"


def paired_ratio(r):
    """The median over rounds of ORT's round median / dlc's."""
    return statistics.median(o / d for d, o in zip(r["dlc_rounds"], r["ort_rounds"]))


def fmt_ms(ms):
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def report(rows, compile_s, args, started, load, dlc_id, peaks=()):
    lines = [
        "# dlc vs ONNX Runtime: CPU inference",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC",
        f"- machine: nproc {os.cpu_count()}, {cpu_model()}, load average at start "
        f"{load[0]:.2f} / at end {os.getloadavg()[0]:.2f}",
        f"- dlc: tree {git_rev()}; {dlc_id}; `dlc --emit=shared -O3"
        f"{' --input-shape=INPUT=<the run shape>' if args.pin_batch else ''}`, called "
        "through python/dlc/loader.py (ctypes)"
        f"{'; the batch pinned to 1 (--pin-batch), ORT runs the dynamic-batch model' if args.pin_batch else ''}",
        f"- ONNX Runtime: onnxruntime-node {rows[0]['ort_version'] if rows else '?'}, "
        "CPU EP, graph optimizations all, interOpNumThreads 1, "
        "intraOpNumThreads = threads",
        f"- method: {args.rounds} alternating rounds per row, each engine ~{args.target_s:g} s "
        f"per round (at least {args.min_runs} calls), after {args.warmup} warmup "
        f"call(s); batch 1; median over all timed calls"
        + (" (--quick: smoke test, not a measurement)" if args.quick else ""),
        "",
        "| model | threads | dlc median ms | ORT median ms | ratio ORT/dlc "
        "| paired ratio | max abs diff (/ max abs ORT) | runs dlc / ORT |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        # † only where nm shows the library cannot start a thread.
        dagger = " †" if r["threads"] > 1 and r["dlc_threading"] == [] else ""
        rel = r["diff"] / r["scale"] if r["scale"] else float("inf")
        diff = f"{r['diff']:.2e} ({rel:.1e})" + ("" if r["ok"] else " MISMATCH")
        lines.append(
            f"| {r['model']} | {r['threads']} | {fmt_ms(r['dlc_ms'])}{dagger} "
            f"| {fmt_ms(r['ort_ms'])} | {r['ort_ms'] / r['dlc_ms']:.3g} "
            f"| {paired_ratio(r):.3g} | {diff} "
            f"| {r['dlc_runs']} / {r['ort_runs']} |")
    lines += [
        "",
        "ratio > 1 means dlc is faster; it compares the medians over all timed "
        "calls. paired ratio is the median over rounds of each round's ORT "
        "median / dlc median: the two turns of a round run back to back, so a "
        "slow phase of this shared machine that spans a round weighs on both "
        "sides of its ratio instead of on whichever engine it hit. "
        "matmul is a 512x512x512 MatMul + Add + Relu "
        "(weights as initializers); resnet18 and mobilenet_v2 are torchvision's "
        "(random weights, 1x3x224x224); transformer is a TransformerEncoder (2 layers, "
        "d_model 128, 4 heads, 1x64x128). max abs diff compares the two engines' "
        "first outputs on the same input; in brackets, the same divided by the "
        "largest |ORT output| (random-weight mobilenet_v2's logits are ~1e-9); "
        f"MISMATCH marks a relative difference above {TOLERANCE:g}.",
        "",
    ]
    if any(r["threads"] > 1 and r["dlc_threading"] == [] for r in rows):
        lines += [
            "† dlc has no thread control yet: DLC_NUM_THREADS is set to the row's "
            "count, but the compiled library names no threading entry point "
            f"(`nm -D`: none of {', '.join(THREAD_SYMBOLS)}), so it runs the same "
            "single-threaded code as in the 1-thread row; only ORT uses the threads.",
            "",
        ]
    kernel_rows = [r for r in rows if r["model"] in KERNEL_FLOPS]
    peak_list = [p for p in peaks if p]
    if kernel_rows:
        peak = max(peak_list) if peak_list else None
        lines += [
            "Single kernels as GFLOP/s (median time) and as a share of one core's "
            "measured FMA peak" + (f" ({peak:.0f} GFLOP/s: bench/probe/peak.c, "
                                   "12 independent zmm FMA chains; measured "
                                   + " / ".join(f"{p:.0f}" for p in peak_list)
                                   + " at start / end)" if peak else "") + ". "
            "With 2 threads the share is of one core's peak (200% is both cores "
            "at peak); this machine's 2 cores may be one core's two hyperthreads, "
            "which share one FMA unit pair:",
            "",
            "| kernel | threads | dlc GFLOP/s | dlc % of peak | ORT GFLOP/s | ORT % of peak |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in kernel_rows:
            f = KERNEL_FLOPS[r["model"]]
            dg, og = f / r["dlc_ms"] * 1e-6, f / r["ort_ms"] * 1e-6
            pct = (lambda g: f"{100 * g / peak:.0f}%") if peak else (lambda g: "?")
            lines.append(f"| {r['model']} | {r['threads']} | {dg:.0f} | {pct(dg)} "
                         f"| {og:.0f} | {pct(og)} |")
        lines += ["", "gemmN is an NxNxN MatMul with the right operand an initializer; "
                  "conv3x3 a 3x3 conv 1x64x56x56 -> 64 (pad 1, bias); dwconv3x3 a "
                  "depthwise 3x3 conv 1x144x56x56 (pad 1, bias).", ""]
    lines += [
        "Per-round medians, ms (drift check), and the 1-minute load average when "
        "the row ended (this benchmark itself adds 1 to 2):",
        "",
        "| model | threads | dlc | ORT | load |",
        "|---|---:|---|---|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['model']} | {r['threads']} "
                     f"| {' '.join(fmt_ms(t) for t in r['dlc_rounds'])} "
                     f"| {' '.join(fmt_ms(t) for t in r['ort_rounds'])} "
                     f"| {r['load']:.2f} |")
    threaded = sorted({r["model"] for r in rows if r["dlc_threading"]})
    symbols = sorted({n for r in rows for n in (r["dlc_threading"] or [])})
    unknown = sorted({r["model"] for r in rows if r["dlc_threading"] is None})
    if threaded:
        lines += ["", f"dlc's libraries for {', '.join(threaded)} can run threads "
                  f"(`nm -D` names {', '.join(symbols[:6])}"
                  + (", ..." if len(symbols) > 6 else "") + "); DLC_NUM_THREADS "
                  "is set to the row's thread count for them."]
    if unknown:
        lines += ["", "nm could not inspect dlc's library for: " + ", ".join(unknown) + "."]
    lines += ["", "dlc compile time (`--emit=shared -O3`, wall clock):", "",
              "| model | seconds |", "|---|---:|"]
    lines += [f"| {m} | {s:.1f} |" for m, s in compile_s.items()]
    lines += ["", f"Command: `{' '.join(['bench/run.py'] + sys.argv[1:])}`", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(MODEL_NAMES),
                    help="comma-separated subset of " + ",".join(MODEL_NAMES + KERNEL_NAMES)
                    + ", or all")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--target-s", type=float, default=3.0,
                    help="seconds each engine runs per round (sets the call count)")
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 2 rounds, ~0.2 s per turn, 1 warmup")
    ap.add_argument("--dlc", default=os.path.join(REPO, "build", "bin", "dlc"))
    ap.add_argument("--pin-batch", action="store_true",
                    help="compile dlc's model for the benchmark's input shape "
                         "(--input-shape, batch 1) instead of its dynamic batch")
    ap.add_argument("--workdir", default=os.path.join(BENCH, ".work"))
    ap.add_argument("--out", help="default: bench/results.md; with --quick, "
                    "WORKDIR/results-quick.md, so a smoke test keeps the real table")
    ap.add_argument("--dlc-worker", metavar="CONFIG_JSON", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.dlc_worker:
        return dlc_worker(args.dlc_worker)
    if args.quick:
        args.rounds, args.target_s, args.min_runs, args.warmup = 2, 0.2, 1, 1
    if not args.out:
        args.out = (os.path.join(args.workdir, "results-quick.md") if args.quick
                    else os.path.join(BENCH, "results.md"))

    models = args.models.split(",")
    if args.models == "all":
        models = MODEL_NAMES + KERNEL_NAMES
    unknown = [m for m in models if m not in MODEL_NAMES + KERNEL_NAMES]
    if unknown:
        ap.error(f"unknown model(s) {','.join(unknown)}; choose from "
                 f"{','.join(MODEL_NAMES + KERNEL_NAMES)} or all")
    threads = [int(t) for t in args.threads.split(",")]
    if not os.path.exists(os.path.join(BENCH, "node_modules", "onnxruntime-node")):
        sys.exit("bench/node_modules has no onnxruntime-node: run "
                 "`npm install --ignore-scripts` in bench/ first")
    if not os.access(args.dlc, os.X_OK):
        sys.exit(f"no dlc at {args.dlc}: build it first (or pass --dlc)")
    os.makedirs(args.workdir, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()
    dlc, dlc_id = snapshot_dlc(args.dlc, args.workdir)

    peaks = [measure_peak()]
    rows, compile_s = [], {}
    for name in models:
        print(f"[{name}] preparing", file=sys.stderr, flush=True)
        onnx_path, shape = prepare_model(name, args.workdir)
        x = np.random.RandomState(0).randn(*shape).astype(np.float32)
        input_path = os.path.join(args.workdir, f"{name}.input.npy")
        np.save(input_path, x)
        _, out_ranks = io_ranks(onnx_path)
        lib = os.path.join(args.workdir, f"{name}.so")
        compile_s[name] = compile_dlc(dlc, onnx_path, lib,
                                      shape if args.pin_batch else None)
        print(f"[{name}] compiled in {compile_s[name]:.1f} s", file=sys.stderr, flush=True)
        dlc_threading = threading_symbols(lib)
        for t in threads:
            row = measure(name, onnx_path, lib, [input_path], out_ranks, t, args,
                          args.workdir, dlc_threading)
            rows.append(row)
            print(f"[{name}] threads {t}: dlc {fmt_ms(row['dlc_ms'])} ms, ORT "
                  f"{fmt_ms(row['ort_ms'])} ms, max abs diff {row['diff']:.2e}"
                  + ("" if row["ok"] else " MISMATCH"),
                  file=sys.stderr, flush=True)

    peaks.append(measure_peak())
    text = report(rows, compile_s, args, started, load, dlc_id, peaks)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
