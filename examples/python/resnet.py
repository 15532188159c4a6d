#!/usr/bin/python3
"""A small ResNet (residual blocks with batch norm, a strided projection
shortcut) on Fashion-MNIST, defined with dlc.nn and trained with
dlc.train.Trainer (SGD with Nesterov momentum, warmup then cosine lr).

usage: resnet.py [--epochs N] [--limit N] [--width W] [--out DIR]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import dlc  # noqa: E402
import dlc.nn as nn  # noqa: E402
from dlc.datasets import fashion_mnist  # noqa: E402


class Block(nn.Module):
    """conv-bn-relu-conv-bn plus the input (projected when the shape changes)."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, width=16, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.layers = nn.Sequential(Block(width, width), Block(width, 2 * width, stride=2),
                                    Block(2 * width, 4 * width, stride=2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4 * width, classes)

    def forward(self, x):
        x = self.pool(self.layers(self.stem(x)))
        return self.fc(x.flatten(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--out", default="resnet_out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    (x, y), (xt, yt) = fashion_mnist(limit=args.limit)
    dlc.manual_seed(0)
    net = ResNet(args.width)
    steps = args.epochs * -(-len(x) // args.batch_size)
    lr = dlc.train.WarmupLR(dlc.train.CosineLR(0.05, steps), warmup_steps=min(100, steps // 10))
    trainer = dlc.train.Trainer(net, loss="cross_entropy", optimizer="nesterov", momentum=0.9,
                                lr=lr, weight_decay=5e-4)
    hist = trainer.fit(x, y, epochs=args.epochs, batch_size=args.batch_size,
                       validation=(xt, yt))
    hist.plot(os.path.join(args.out, "resnet_curves.png"), "Fashion-MNIST ResNet (dlc.nn)")
    print(f"resnet: {net.num_parameters()} parameters; loss {hist['step_loss'][0]:.4f} -> "
          f"{hist['loss'][-1]:.4f}; test accuracy {hist['val_accuracy'][-1]:.4f}")


if __name__ == "__main__":
    main()
