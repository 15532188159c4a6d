#!/usr/bin/python3
"""Per-output SQNR of a statically quantized torchvision ResNet-18 against
the float model on held-back inputs.

Exports resnet18 with test/e2e/export_models.py (random weights: no
pretrained weights offline), writes --calibration sets and separate
held-back inputs (standard normal images), compiles the model with
`dlc --quantize=static`, runs it on the held-back inputs and prints the
SQNR of each output, 10 log10(sum f^2 / sum (f - q)^2), against the float
model: the same torchvision module in PyTorch (dlc's own f32 build matches
it, test/e2e/torch_models.test; PyTorch saves this test a compile).

usage: quant_resnet_check.py DLC OUTDIR [--batch 1] [--min-sqnr 25]
Exits 1 when an output's SQNR is below --min-sqnr dB.
"""
import argparse
import ctypes
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import Entry  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dlc")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--calibration-sets", type=int, default=8)
    ap.add_argument("--held-back", type=int, default=4)
    ap.add_argument("--calibrate", default="minmax")
    ap.add_argument("--min-sqnr", type=float, default=25.0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "export_models.py"), args.out,
                    "--opsets", "17", "--models", "resnet18"], check=True,
                   stdout=subprocess.DEVNULL)
    model = os.path.join(args.out, "resnet18_op17.onnx")
    shape = (args.batch, 3, args.size, args.size)
    rng = np.random.default_rng(0)
    cdir = os.path.join(args.out, "calibration")
    os.makedirs(cdir, exist_ok=True)
    for s in range(args.calibration_sets):
        np.save(os.path.join(cdir, f"set_{s}.npy"), rng.standard_normal(shape, np.float32))
    held = [rng.standard_normal(shape, np.float32) for _ in range(args.held_back)]

    pin = f"input={'x'.join(map(str, shape))}"
    qlib = os.path.join(args.out, "libquant.so")
    subprocess.run([args.dlc, model, "--input-shape", pin, "--emit=shared", "-o", qlib,
                    "--quantize=static", "--calibration", cdir,
                    f"--calibrate={args.calibrate}"], check=True)
    # The module export_models.py exported: same constructor, same seed.
    import torch
    sys.path.insert(0, HERE)
    import export_models
    torch.manual_seed(0)
    net = export_models.MODELS["resnet18"][0]().eval()

    def f(x):
        with torch.no_grad():
            return [net(torch.from_numpy(x)).numpy()]

    q = Entry(ctypes.CDLL(os.path.abspath(qlib)), "quant_run", "quant_release")
    signal, noise = None, None
    for x in held:
        fo, qo = f(x), q(x)
        if signal is None:
            signal, noise = [0.0] * len(fo), [0.0] * len(fo)
        for i, (a, b) in enumerate(zip(fo, qo)):
            a, b = a.astype(np.float64), b.astype(np.float64)
            signal[i] += float((a * a).sum())
            noise[i] += float(((a - b) ** 2).sum())
    ok = True
    for i, (s, n) in enumerate(zip(signal, noise)):
        sqnr = 10 * np.log10(s / n) if n > 0 else float("inf")
        good = sqnr >= args.min_sqnr
        ok = ok and good
        print(f"resnet18 int8 static ({args.calibrate}, {args.calibration_sets} x {args.batch} "
              f"calibration images {args.size}x{args.size}): output {i} SQNR {sqnr:.1f} dB "
              f"on {len(held) * args.batch} held-back images (at least {args.min_sqnr}): "
              f"{'ok' if good else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
