#!/usr/bin/python3
"""A small GAN on Fashion-MNIST with dlc.nn: two networks trained
alternately, each with its own compiled training step.

- The discriminator's step: D(images) against labels 1 (real) and 0
  (generated), binary cross-entropy of logits.
- The generator's step: D(G(z)) against label 1 (the non-saturating loss).
  D's parameters are `live` there: inputs of G's step, read from D's arrays
  at every call (D's own step updates them in place), so G always trains
  against the current D and never changes it.

Both with Adam (lr 2e-4, beta1 0.5). At the end a PNG grid of G(z).

usage: gan.py [--epochs N] [--limit N] [--out DIR]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import dlc  # noqa: E402
import dlc.nn as nn  # noqa: E402
from dlc.datasets import fashion_mnist, image_grid  # noqa: E402

LATENT = 64


def generator():
    return nn.Sequential(nn.Linear(LATENT, 256), nn.LeakyReLU(0.2),
                         nn.Linear(256, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2),
                         nn.Linear(512, 784), nn.Tanh())


def discriminator():
    return nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2),
                         nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))


class Stacked(nn.Module):
    """D(G(z)): the generator's training objective."""

    def __init__(self, g, d):
        super().__init__()
        self.g, self.d = g, d

    def forward(self, z):
        return self.d(self.g(z))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--out", default="gan_out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    (x, _), _ = fashion_mnist(flatten=True, normalize="symmetric", limit=args.limit)
    dlc.manual_seed(0)
    g, d = generator(), discriminator()
    adam = dict(optimizer="adam", lr=2e-4, betas=(0.5, 0.999))
    d_trainer = dlc.train.Trainer(d, loss="bce_with_logits", name="discriminator", **adam)
    g_trainer = dlc.train.Trainer(Stacked(g, d), loss="bce_with_logits", live=[d],
                                  name="generator", **adam)
    # G alone for the fakes D sees, reading G's weights live (batch norm on
    # its running statistics; G's own step uses batch statistics).
    sample = dlc.compile(g, [np.zeros((1, LATENT), np.float32)], live=[g])
    rng = np.random.default_rng(0)
    bs = args.batch_size
    ones, zeros = np.ones((bs, 1), np.float32), np.zeros((bs, 1), np.float32)
    history = dlc.train.History()
    for epoch in range(1, args.epochs + 1):
        start, d_total, g_total, n = time.time(), 0.0, 0.0, 0
        order = rng.permutation(len(x))
        for i in range(0, len(x) - bs + 1, bs):
            real = x[order[i:i + bs]]
            fake = sample(rng.standard_normal((bs, LATENT)).astype(np.float32))
            d_loss, _ = d_trainer.step(np.concatenate([real, fake]),
                                       np.concatenate([ones, zeros]))
            g_loss, _ = g_trainer.step(rng.standard_normal((bs, LATENT)).astype(np.float32),
                                       ones)
            d_total, g_total, n = d_total + d_loss, g_total + g_loss, n + 1
            history["step_loss"].append(g_loss)
        for k, v in (("loss", g_total / n), ("val_loss", d_total / n), ("accuracy", None),
                     ("val_accuracy", None), ("lr", 2e-4), ("time", time.time() - start)):
            history[k].append(v)
        print(f"epoch {epoch}: D loss {d_total / n:.3f}, G loss {g_total / n:.3f} "
              f"({time.time() - start:.1f} s)", flush=True)
    z = np.random.default_rng(1).standard_normal((64, LATENT)).astype(np.float32)
    png = image_grid(sample(z), os.path.join(args.out, "gan_samples.png"), nrow=8,
                     title=f"GAN samples after {args.epochs} epochs", value_range=(-1.0, 1.0))
    print(f"gan: D loss {history['val_loss'][-1]:.3f}, G loss {history['loss'][-1]:.3f}; "
          f"samples: {png}")
    return history


if __name__ == "__main__":
    main()
