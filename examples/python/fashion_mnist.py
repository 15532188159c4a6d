#!/usr/bin/python3
"""An MLP or a CNN on Fashion-MNIST, defined with dlc.nn, trained with
dlc.train.Trainer (one compiled step: forward, cross-entropy, gradients,
Adam) and compiled for inference with dlc.compile.

usage: fashion_mnist.py [--model mlp|cnn] [--epochs N] [--limit N] [--out DIR]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import dlc  # noqa: E402
import dlc.nn as nn  # noqa: E402
from dlc.datasets import fashion_mnist  # noqa: E402


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["mlp", "cnn"], default="cnn")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=None, help="use the first N training images")
    ap.add_argument("--out", default="fashion_mnist_out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    (x, y), (xt, yt) = fashion_mnist(flatten=args.model == "mlp", limit=args.limit)
    dlc.manual_seed(0)
    net = mlp() if args.model == "mlp" else cnn()
    steps = args.epochs * -(-len(x) // args.batch_size)
    trainer = dlc.train.Trainer(net, loss="cross_entropy", optimizer="adam",
                                lr=dlc.train.CosineLR(2e-3, steps, 1e-4))
    hist = trainer.fit(x, y, epochs=args.epochs, batch_size=args.batch_size,
                       validation=(xt, yt))
    png = hist.plot(os.path.join(args.out, f"{args.model}_curves.png"),
                    f"Fashion-MNIST {args.model} (dlc.nn, Adam, cosine lr)")
    model = dlc.compile(net, x[:1])  # inference library, dynamic batch
    acc = float((model(xt).argmax(1) == yt).mean())
    print(f"{args.model}: {net.num_parameters()} parameters, step compiled in "
          f"{trainer.compile_seconds:.1f} s; loss {hist['step_loss'][0]:.4f} -> {hist['loss'][-1]:.4f}; "
          f"test accuracy {acc:.4f}; curves: {png}")
    return acc


if __name__ == "__main__":
    main()
