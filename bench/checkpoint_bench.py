#!/usr/bin/python3
"""Gradient checkpointing: peak memory against step time, per policy.

For each model, `dlc --train --checkpoint=POLICY --report=memory` compiles
the train step (SGD, cross-entropy); the table gives dl-checkpoint's
estimated peak, the measured peak of the generated code's buffers in a step
(the runtime's dlc_last_call_memory: activations, gradients and the new
state, as freed at last use) and the median step time. `--depth-plot`
sweeps a deep MLP's depth and plots the measured peak with and without
checkpointing (PNG).

usage: bench/checkpoint_bench.py [--dlc build/bin/dlc] [--models resnet18,transformer]
           [--policies none,sqrt,per-block,budget=...] [--steps 5]
           [--depth-plot bench/checkpoint_depth.png] [--depths 10,25,50,100,200]
           [--out bench/results-checkpoint.md]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
from dlc import Trainer  # noqa: E402

WORK = os.path.join(HERE, ".work", "checkpoint")


def export_resnet18(path):
    import torch
    import torchvision
    torch.manual_seed(0)
    net = torchvision.models.resnet18(num_classes=10).eval()
    # Fresh BatchNorm layers all have weight 1 and bias 0, and the exporter
    # merges equal initializers: make them differ (as in a trained model),
    # or the file's BN layers share one scale and shift per width.
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.add_(torch.randn_like(m.weight) * 0.01)
                m.bias.add_(torch.randn_like(m.bias) * 0.01)
    torch.onnx.export(net, torch.randn(16, 3, 112, 112), path, opset_version=17,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["x"], output_names=["y"])
    return (16, 3, 112, 112), 10


def export_transformer(path):
    import torch
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 6, enable_nested_tensor=False)
            self.head = nn.Linear(256, 10)
            # The encoder's layers are deep copies of `layer`, and the
            # exporter merges equal initializers: make them differ (as in a
            # trained model), or the file's 6 layers share one set of weights.
            with torch.no_grad():
                for p in self.encoder.parameters():
                    p.add_(torch.randn_like(p) * 0.01)

        def forward(self, x):
            return self.head(self.encoder(x).mean(dim=1))

    torch.manual_seed(0)
    torch.onnx.export(Net().eval(), torch.randn(16, 128, 256), path, opset_version=17,
                      do_constant_folding=False, input_names=["x"], output_names=["y"])
    return (16, 128, 256), 10


def export_mlp(path, depth, width=64, batch=1024):
    # Narrow and with a big batch, so activations (batch x width per layer)
    # and not weights (width^2) make up the step's memory.
    import torch
    nn = torch.nn
    torch.manual_seed(0)
    layers = [nn.Linear(width, width)]
    for _ in range(depth - 1):
        layers += [nn.Tanh(), nn.Linear(width, width)]
    torch.onnx.export(nn.Sequential(*layers).eval(), torch.randn(batch, width), path,
                      opset_version=17, do_constant_folding=False,
                      input_names=["x"], output_names=["y"])
    return (batch, width), width


def measure(dlc, model, name, policy, x_shape, classes, steps):
    lib = os.path.join(WORK, f"lib{name}_{re.sub('[^a-z0-9]', '_', policy)}.so")
    t = time.time()
    r = subprocess.run([dlc, model, "--train", "--optimizer=sgd", f"--checkpoint={policy}",
                        "--report=memory", "--emit=shared", "-O3", "-o", lib],
                       capture_output=True, text=True)
    compile_s = time.time() - t
    if r.returncode != 0:
        return {"policy": policy, "error": r.stderr.strip().splitlines()[-1]}
    est = re.search(r"estimated peak: ([\d.]+ \w+) without checkpointing, ([\d.]+ \w+) with",
                    r.stderr)
    rec = re.search(r"recompute: (.*)", r.stderr)
    segs = re.search(r"segments: (\d+), (\d+) recomputed", r.stderr)
    trainer = Trainer(lib)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    y = rng.integers(0, classes, x_shape[0]).astype(np.int64)
    times, peak = [], 0
    for i in range(steps + 1):
        t = time.perf_counter()
        trainer.step(x, y, lr=1e-3)
        if i:
            times.append(time.perf_counter() - t)
        peak = max(peak, trainer.last_call_memory()["peak_bytes"])
    state = sum(v.nbytes for v in trainer.state)
    return {"policy": policy, "estimate": est.group(2) if est else "?",
            "plain_estimate": est.group(1) if est else "?",
            "segments": f"{segs.group(1)} ({segs.group(2)} recomputed)" if segs else "?",
            "recompute": rec.group(1) if rec else "?", "peak": peak, "state": state,
            "step_ms": 1e3 * statistics.median(times), "compile_s": compile_s}


def mib(b):
    return f"{b / 2**20:.1f}"


def table(name, rows):
    base = next((r for r in rows if r["policy"] == "none" and "error" not in r), None)
    out = [f"### {name}", "",
           "| policy | segments | estimated peak | measured peak (MiB) | peak − state (MiB) "
           "| vs none | step (ms) | vs none | recompute |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['policy']} | error: {r['error']} | | | | | | | |")
            continue
        act = r["peak"] - r["state"]
        ratio = f"{(base['peak'] - base['state']) / act:.2f}x less" if base and act > 0 else ""
        slow = f"{100 * (r['step_ms'] / base['step_ms'] - 1):+.0f}%" if base else ""
        out.append(f"| {r['policy']} | {r['segments']} | {r['estimate']} | {mib(r['peak'])} "
                   f"| {mib(act)} | {ratio} | {r['step_ms']:.1f} | {slow} | {r['recompute']} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dlc", default=os.path.join(ROOT, "build", "bin", "dlc"))
    ap.add_argument("--models", default="resnet18,transformer")
    ap.add_argument("--policies", default="none,sqrt,per-block")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--depth-plot", default=None)
    ap.add_argument("--depths", default="10,25,50,100,200")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    text = []
    exporters = {"resnet18": export_resnet18, "transformer": export_transformer}
    for name in filter(None, args.models.split(",")):
        path = os.path.join(WORK, name + ".onnx")
        x_shape, classes = exporters[name](path)
        rows = [measure(args.dlc, path, name, p, x_shape, classes, args.steps)
                for p in args.policies.split(",")]
        text.append(table(name, rows))
        print(text[-1], flush=True)
    if args.depth_plot:
        depths = [int(d) for d in args.depths.split(",")]
        series = {"none": [], "sqrt": []}
        rows = []
        for d in depths:
            path = os.path.join(WORK, f"mlp{d}.onnx")
            x_shape, classes = export_mlp(path, d)
            for p in series:
                r = measure(args.dlc, path, f"mlp{d}", p, x_shape, classes, 2)
                series[p].append((r["peak"] - r["state"]) / 2**20)
                rows.append(f"| {d} | {p} | {mib(r['peak'])} | {mib(r['peak'] - r['state'])} "
                            f"| {r['step_ms']:.1f} |")
                print(rows[-1], flush=True)
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.figure(figsize=(6, 4))
        for p, ys in series.items():
            plt.plot(depths, ys, "o-", label=f"--checkpoint={p}")
        plt.xlabel("MLP depth (Linear 64x64 + Tanh layers, batch 1024)")
        plt.ylabel("measured peak minus state (MiB)")
        plt.title("dlc train step: peak memory vs depth")
        plt.grid(True, alpha=0.3)
        plt.legend()
        plt.tight_layout()
        plt.savefig(args.depth_plot, dpi=100)
        text.append("### deep MLP\n\n| depth | policy | measured peak (MiB) | peak − state (MiB) "
                    "| step (ms) |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(text))


if __name__ == "__main__":
    main()
