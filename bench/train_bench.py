#!/usr/bin/python3
"""Training-step benchmark: dlc's compiled train step against PyTorch.

The same networks as examples/fashion_mnist (the MLP 784-512-256-10 and the
small CNN), batch 64, cross-entropy, Adam: one step is forward, loss,
backward and the optimizer update. Each (framework, threads) pair runs in its
own process (both read their thread count once: DLC_NUM_THREADS,
torch.set_num_threads); the two frameworks alternate for several rounds and
the table gives medians of the per-round medians.

usage: bench/train_bench.py [--dlc build/bin/dlc] [--threads 1,2]
                            [--rounds 3] [--steps 30] [--out FILE]
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
BATCH = 64


def batches_for(model, count):
    """A fresh random batch for every step: stepping on one batch again and
    again memorizes it, and the vanishing gradients turn denormal, which
    slows both frameworks down by several times."""
    rng = np.random.default_rng(0)
    shape = (BATCH, 784) if model == "mlp" else (BATCH, 1, 28, 28)
    return [(rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, BATCH))
            for _ in range(count)]


def keep_freed_memory():
    """glibc returns every freed block above its mmap threshold to the
    kernel, so a step that allocates its large activations afresh page-faults
    on all of them each time. Both workers raise the threshold (one process
    setting, as a training program would) so freed blocks are reused."""
    import ctypes
    M_MMAP_THRESHOLD, M_TRIM_THRESHOLD = -3, -1
    libc = ctypes.CDLL(None)
    libc.mallopt(M_MMAP_THRESHOLD, 1 << 30)
    libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)


def worker_dlc(model, lib, steps, warmup):
    from dlc import Trainer
    trainer = Trainer(lib)
    batches = batches_for(model, warmup + steps)
    times = []
    for x, y in batches:
        t = time.perf_counter()
        trainer.step(x, y, lr=1e-3)
        times.append(time.perf_counter() - t)
    return times[warmup:]


def worker_torch(model, threads, steps, warmup):
    import torch
    torch.set_num_threads(threads)
    nn = torch.nn
    if model == "mlp":
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                            nn.Linear(256, 10))
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                            nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    batches = [(torch.from_numpy(x), torch.from_numpy(y))
               for x, y in batches_for(model, warmup + steps)]
    times = []
    for x, y in batches:
        t = time.perf_counter()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t)
    return times[warmup:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dlc", default=os.path.join(ROOT, "build", "bin", "dlc"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--workdir", default=os.path.join(HERE, ".work", "train"))
    ap.add_argument("--out", default=None, help="also write the table here")
    ap.add_argument("--worker", choices=["dlc", "torch"], help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--lib", help=argparse.SUPPRESS)
    ap.add_argument("--nthreads", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        keep_freed_memory()
        times = (worker_dlc(args.model, args.lib, args.steps, args.warmup)
                 if args.worker == "dlc"
                 else worker_torch(args.model, args.nthreads, args.steps, args.warmup))
        print(json.dumps({"median_ms": 1e3 * statistics.median(times)}))
        return 0

    import onnx
    import train as example  # examples/fashion_mnist/train.py
    from dlc import compile_training
    os.makedirs(args.workdir, exist_ok=True)
    rows = []
    for model in args.models.split(","):
        path = os.path.join(args.workdir, f"{model}.onnx")
        onnx.save(example.mlp_model() if model == "mlp" else example.cnn_model(), path)
        lib = os.path.join(args.workdir, f"lib{model}_train.so")
        compile_training(args.dlc, path, lib, "--loss=cross_entropy", "--optimizer=adam")
        for threads in [int(t) for t in args.threads.split(",")]:
            env = dict(os.environ, DLC_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
            results = {"dlc": [], "torch": []}
            for _ in range(args.rounds):
                for fw in ("dlc", "torch"):
                    cmd = [sys.executable, __file__, "--worker", fw, "--model", model,
                           "--lib", lib, "--nthreads", str(threads),
                           "--steps", str(args.steps), "--warmup", str(args.warmup)]
                    out = subprocess.run(cmd, env=env, check=True, capture_output=True,
                                         text=True).stdout
                    results[fw].append(json.loads(out.strip().splitlines()[-1])["median_ms"])
            d, t = statistics.median(results["dlc"]), statistics.median(results["torch"])
            rows.append((model, threads, d, t))
            print(f"{model} threads {threads}: dlc {d:.2f} ms, PyTorch {t:.2f} ms, "
                  f"PyTorch/dlc {t / d:.2f}", flush=True)
    import torch
    lines = [f"Train step (batch {BATCH}, cross-entropy, Adam), median ms per step; "
             f"PyTorch {torch.__version__} (Debian), {args.rounds} alternating rounds "
             f"of {args.steps} steps. A ratio above 1 means dlc is faster.", "",
             "| model | threads | dlc ms | PyTorch ms | PyTorch/dlc |",
             "|---|---:|---:|---:|---:|"]
    for model, threads, d, t in rows:
        lines.append(f"| {model} | {threads} | {d:.2f} | {t:.2f} | {t / d:.2f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
