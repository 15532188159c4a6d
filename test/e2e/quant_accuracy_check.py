#!/usr/bin/python3
"""Accuracy of `dlc --quantize=static` on the Fashion-MNIST example's
networks: trains MODEL briefly with examples/fashion_mnist/train.py, writes
500 training images as calibration sets (.npy, one batch of 64 per file),
compiles the trained ONNX file in float and statically quantized (with
--report=quant), and evaluates both on the 10000 test images.

usage: quant_accuracy_check.py DLC OUTDIR --model mlp|cnn [--train-limit N]
       [--calibrate minmax|percentile|entropy] [--max-drop POINTS]
Exits 1 when the quantized accuracy is more than --max-drop points (default
0.5) below the float one.
"""
import argparse
import ctypes
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "examples", "fashion_mnist"))
from dlc import Entry  # noqa: E402
import train  # noqa: E402

BATCH = train.BATCH
CALIBRATION_IMAGES = 500


def accuracy(lib, name, images, labels, shape):
    entry = Entry(ctypes.CDLL(os.path.abspath(lib)), f"{name}_run", f"{name}_release")
    correct = 0
    for i in range(0, len(images), BATCH):
        batch = images[i:i + BATCH]
        n = len(batch)
        if n < BATCH:
            batch = np.concatenate([batch, np.zeros((BATCH - n,) + batch.shape[1:], batch.dtype)])
        logits = entry(np.ascontiguousarray(batch.reshape(shape), np.float32))[0]
        correct += int((logits[:n].argmax(1) == labels[i:i + n]).sum())
    return 100.0 * correct / len(images)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dlc")
    ap.add_argument("out")
    ap.add_argument("--model", choices=["mlp", "cnn"], required=True)
    ap.add_argument("--train-limit", type=int, default=6400)
    ap.add_argument("--calibrate", default="minmax")
    ap.add_argument("--max-drop", type=float, default=0.5)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "fashion_mnist", "train.py"),
                    "--model", args.model, "--epochs", "1", "--train-limit", str(args.train_limit),
                    "--test-limit", str(BATCH), "--out", args.out, "--dlc", args.dlc],
                   check=True, stdout=subprocess.DEVNULL)
    model = os.path.join(args.out, f"{args.model}_trained.onnx")
    shape = (BATCH, 784) if args.model == "mlp" else (BATCH, 1, 28, 28)

    # 500 training images, not seen by the test: 8 sets of 64 (the last one
    # completed with images already used, which changes no range).
    train_x, _ = train.load("train")
    calib = train_x[-CALIBRATION_IMAGES:]
    sets = int(np.ceil(CALIBRATION_IMAGES / BATCH))
    calib = np.concatenate([calib, calib[:sets * BATCH - CALIBRATION_IMAGES]])
    cdir = os.path.join(args.out, "calibration")
    os.makedirs(cdir, exist_ok=True)
    for s in range(sets):
        np.save(os.path.join(cdir, f"set_{s}.npy"),
                np.ascontiguousarray(calib[s * BATCH:(s + 1) * BATCH].reshape(shape), np.float32))

    flib = os.path.join(args.out, "libfloat.so")
    qlib = os.path.join(args.out, "libquant.so")
    subprocess.run([args.dlc, model, "--emit=shared", "-o", flib], check=True)
    report = subprocess.run([args.dlc, model, "--emit=shared", "-o", qlib, "--quantize=static",
                             "--calibration", cdir, f"--calibrate={args.calibrate}",
                             "--report=quant"], check=True, stderr=subprocess.PIPE, text=True)
    sys.stdout.write(report.stderr)
    # What runs: the quantized dl IR through dl-rewrite-qdq (the first pass
    # of the lowering).
    ir = subprocess.run([args.dlc, model, "--quantize=static", "--calibration", cdir,
                         f"--calibrate={args.calibrate}", "--print-weights"],
                        check=True, stdout=subprocess.PIPE, text=True).stdout
    opt = os.path.join(os.path.dirname(args.dlc), "dlc-opt")
    ir = subprocess.run([opt if os.path.exists(opt) else "dlc-opt", "--dl-rewrite-qdq"], input=ir,
                        check=True, stdout=subprocess.PIPE, text=True).stdout
    integer_ops = ir.count("dl.conv_integer") + ir.count("dl.matmul_integer")
    float_ops = ir.count("dl.conv %") + ir.count("dl.matmul %") + ir.count("dl.gemm %")
    print(f"{args.model}: integer contractions {integer_ops}, float contractions {float_ops}")

    test_x, test_y = train.load("t10k")
    acc_f = accuracy(flib, "float", test_x, test_y, shape)
    acc_q = accuracy(qlib, "quant", test_x, test_y, shape)
    drop = acc_f - acc_q
    ok = drop <= args.max_drop
    print(f"{args.model}: float test accuracy {acc_f:.2f}%, int8 static ({args.calibrate}, "
          f"{CALIBRATION_IMAGES} calibration images) {acc_q:.2f}%, drop {drop:.2f} points "
          f"(at most {args.max_drop}): {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
