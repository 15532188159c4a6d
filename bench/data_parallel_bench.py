#!/usr/bin/python3
"""Data-parallel training over MPI: samples per second of the CNN train step
(examples/fashion_mnist, batch 64 per rank, Adam) on 1 process against 2
ranks under `mpirun -np 2` (loopback), each with 1 thread; and the share of
the step the ranks spend in the all-reduce (waiting for it and copying the
gradients into and out of the buckets).

With --bytes it also compiles torchvision ResNet-18 and the Transformer
encoder of test/e2e/export_models.py with --data-parallel, runs one step
under mpirun -np 2 and prints the bytes the step all-reduced (per rank, from
the runtime's counters), with estimates of the all-reduce time on 10, 25
and 100 Gbit/s links (docs/data-parallel.md).

usage: bench/data_parallel_bench.py [--dlc build/bin/dlc] [--steps 30]
                                    [--rounds 3] [--bytes]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "examples", "fashion_mnist"))
sys.path.insert(0, HERE)
from dlc import distributed  # noqa: E402

BATCH = 64


def worker(lib, steps, warmup):
    """Times `steps` steps after `warmup`; prints one JSON line (rank 0)."""
    from train_bench import batches_for, keep_freed_memory
    from dlc import Trainer
    keep_freed_memory()
    t = Trainer(lib)
    batches = batches_for("cnn", warmup + steps)
    for x, y in batches[:warmup]:
        t.step(x, y, lr=1e-3)
    if t.dist:
        t.dist.barrier()
        t.dist.reset_stats()
    start = time.perf_counter()
    for x, y in batches[warmup:]:
        t.step(x, y, lr=1e-3)
    if t.dist:
        t.dist.barrier()
    elapsed = time.perf_counter() - start
    ranks = t.dist.size if t.dist else 1
    out = {"ranks": ranks, "seconds": elapsed,
           "samples_per_s": ranks * steps * BATCH / elapsed}
    if t.dist:
        s = t.dist.stats()
        out.update(comm_share=(s["wait_seconds"] + s["copy_seconds"]) / elapsed,
                   wait_share=s["wait_seconds"] / elapsed,
                   bytes_per_step=s["bytes"] / steps)
    # Every rank reports; the caller takes the slowest.
    sys.stdout.write("RESULT " + json.dumps(dict(out, rank=distributed.rank())) + "\n")
    sys.stdout.flush()


def results(proc):
    # mpirun may join the ranks' lines: decode from every marker.
    out, dec = proc.stdout, json.JSONDecoder()
    found, at = [], out.find("RESULT ")
    while at >= 0:
        found.append(dec.raw_decode(out, at + 7)[0])
        at = out.find("RESULT ", at + 7)
    return found


def run(cmd, env):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return results(proc)


def bytes_mode(args, work):
    """Bytes all-reduced per step for ResNet-18 and the Transformer."""
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
    from export_models import export
    from dlc import compile_training
    rows = []
    for name, opts, shape in (
            ("resnet18", ["--loss=cross_entropy"], "input=1x3x224x224"),
            ("transformer", ["--loss=mse"], "input=1x64x128")):
        path = export(name, 17, work)
        lib = os.path.join(work, f"lib{name}_dp.so")
        t0 = time.time()
        compile_training(args.dlc, path, lib, *opts, "--optimizer=adam", "--data-parallel",
                         "--input-shape", shape)
        print(f"compiled {lib} in {time.time() - t0:.0f} s", file=sys.stderr)
        cmd = distributed.mpirun_command(2) + [
            "-x", "DLC_NUM_THREADS=1", sys.executable, os.path.abspath(__file__),
            "--bytes-worker", lib, name]
        res = run(cmd, os.environ)
        rows.append((name, res[0]))
    return rows


def bytes_worker(lib, name):
    from dlc import Trainer
    t = Trainer(lib)
    rng = np.random.default_rng(0)
    if name == "resnet18":
        batch = (rng.standard_normal((1, 3, 224, 224)).astype(np.float32),
                 np.zeros((1,), np.int64))
    else:
        x = rng.standard_normal((1, 64, 128)).astype(np.float32)
        batch = (x, np.zeros_like(x))
    t.step(*batch, lr=1e-3)  # warm-up
    t.dist.barrier()
    t.dist.reset_stats()
    start = time.perf_counter()
    t.step(*batch, lr=1e-3)
    elapsed = time.perf_counter() - start
    s = t.dist.stats()
    slots = (".exp_avg", ".exp_avg_sq", ".running_mean", ".running_var", ".num_batches_tracked")
    params = sum(a.size for nm, a in t.named_state().items()
                 if not nm.endswith(slots) and nm != "step")
    print("RESULT " + json.dumps({"bytes": s["bytes"], "collectives": s["collectives"],
                                  "params": int(params), "step_s": elapsed,
                                  "wait_s": s["wait_seconds"]}), flush=True)


def fma_sharing(work):
    """Whether this machine's cores can each run FMAs at full rate at once:
    bench/probe/peak.c's single-thread FMA peak alone, and in 2 processes
    started together. Returns (alone, [concurrent...]) in GFLOP/s, or None
    if the probe cannot be built. On a VM whose 2 vCPUs are SMT siblings of
    one physical core, the 2 concurrent peaks add up to about one alone, and
    no compute-bound step can run 2x faster on 2 ranks."""
    exe = os.path.join(work, "peak")
    try:
        subprocess.run(["cc", "-O2", "-I", os.path.join(ROOT, "runtime", "include"),
                        os.path.join(HERE, "probe", "peak.c"),
                        os.path.join(ROOT, "build", "runtime", "libdlcrt.a"), "-lpthread",
                        "-o", exe], check=True, capture_output=True)
        env = dict(os.environ, DLC_NUM_THREADS="1")
        peak = lambda p: json.loads(p.communicate()[0])["peak_gflops"]
        spawn = lambda: subprocess.Popen([exe, "--json", "64"], stdout=subprocess.PIPE,
                                         text=True, env=env)
        alone = peak(spawn())
        pair = [spawn(), spawn()]
        return alone, [peak(p) for p in pair]
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dlc", default=os.path.join(ROOT, "build", "bin", "dlc"))
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bytes", action="store_true")
    ap.add_argument("--bytes-only", action="store_true")
    ap.add_argument("--worker", nargs=1)
    ap.add_argument("--bytes-worker", nargs=2)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker[0], args.steps, args.warmup)
    if args.bytes_worker:
        return bytes_worker(*args.bytes_worker)

    work = os.path.join(HERE, ".work")
    os.makedirs(work, exist_ok=True)
    if args.bytes_only:
        return print_bytes(args, work)
    import onnx
    import train as example
    from dlc import compile_training
    path = os.path.join(work, "cnn.onnx")
    onnx.save(example.cnn_model(), path)
    single = os.path.join(work, "libcnn_single.so")
    dp = os.path.join(work, "libcnn_dp.so")
    compile_training(args.dlc, path, single, "--loss=cross_entropy", "--optimizer=adam")
    compile_training(args.dlc, path, dp, "--loss=cross_entropy", "--optimizer=adam",
                     "--data-parallel")
    env = dict(os.environ, DLC_NUM_THREADS="1", OMP_NUM_THREADS="1")
    me = [sys.executable, os.path.abspath(__file__), "--steps", str(args.steps),
          "--warmup", str(args.warmup), "--worker"]
    one, two = [], []
    for r in range(args.rounds):
        one.append(run(me + [single], env)[0])
        res = run(distributed.mpirun_command(2) + ["-x", "DLC_NUM_THREADS=1"] + me + [dp], env)
        # The slowest rank sets the pace.
        two.append(min(res, key=lambda d: d["samples_per_s"]))
        two[-1]["comm_share"] = max(d["comm_share"] for d in res)
        two[-1]["wait_share"] = max(d["wait_share"] for d in res)
        print(f"round {r + 1}: 1 process {one[-1]['samples_per_s']:.0f} samples/s, "
              f"2 ranks {two[-1]['samples_per_s']:.0f} samples/s", file=sys.stderr)
    s1 = statistics.median(d["samples_per_s"] for d in one)
    s2 = statistics.median(d["samples_per_s"] for d in two)
    comm = statistics.median(d["comm_share"] for d in two)
    wait = statistics.median(d["wait_share"] for d in two)
    mb = two[0]["bytes_per_step"] / 1e6
    print(f"| CNN train step, batch {BATCH} per rank, 1 thread per rank | samples/s | speed-up |")
    print("|---|---|---|")
    print(f"| 1 process | {s1:.0f} | 1.00 |")
    print(f"| 2 ranks (mpirun -np 2) | {s2:.0f} | {s2 / s1:.2f} |")
    print(f"\nall-reduced per step and rank: {mb:.2f} MB; communication share of the step "
          f"(waiting + bucket copies, slowest rank): {100 * comm:.1f}% "
          f"(waiting alone {100 * wait:.1f}%); medians of {args.rounds} rounds of "
          f"{args.steps} steps; load average before: {os.getloadavg()[0]:.1f}")
    fma = fma_sharing(work)
    if fma:
        alone, pair = fma
        print(f"FMA probe (bench/probe/peak.c, 1 thread): {alone:.0f} GFLOP/s alone; 2 "
              f"processes at once: {pair[0]:.0f} + {pair[1]:.0f} = {sum(pair):.0f} GFLOP/s "
              f"({sum(pair) / alone:.2f}x one alone: the most any compute-bound step can "
              f"gain from 2 ranks on this machine)")
    if args.bytes:
        print_bytes(args, work)
    return 0


def print_bytes(args, work):
    for name, r in bytes_mode(args, work):
        b = r["bytes"]
        # A ring all-reduce sends (and receives) 2 (N - 1) / N times the
        # buffer per rank: 1x for 2 ranks, about 2x for many.
        est = "; ".join(
            f"{g} Gbit/s: {b * 8 / (g * 1e9) * 1e3:.1f} ms (2 ranks), "
            f"{2 * b * 8 / (g * 1e9) * 1e3:.1f} ms (many)" for g in (10, 25, 100))
        print(f"{name}: {r['params']} parameters, {b} bytes all-reduced per step "
              f"in {r['collectives']} buckets; one step {r['step_s']:.2f} s here "
              f"(1 thread per rank); all-reduce time at line rate: {est}", flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
