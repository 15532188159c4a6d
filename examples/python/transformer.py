#!/usr/bin/python3
"""A small Transformer sequence classifier (token embedding + learned
positions, TransformerEncoderLayer blocks, mean pooling, a linear head),
defined with dlc.nn and trained with dlc.train.Trainer.

The task, synthetic so it needs no download: sequences of 16 tokens from a
vocabulary of 12; the label says which of tokens 1, 2 and 3 occurs most
often (ties to the smallest). It needs attention across the whole
sequence: no single position decides it.

usage: transformer.py [--epochs N] [--train N] [--out DIR]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import dlc  # noqa: E402
import dlc.nn as nn  # noqa: E402

VOCAB, LENGTH, CLASSES = 12, 16, 3


def make_data(n, rng):
    x = rng.integers(0, VOCAB, (n, LENGTH)).astype(np.int64)
    counts = np.stack([(x == t).sum(1) for t in (1, 2, 3)], 1)
    return x, counts.argmax(1).astype(np.int64)


class Classifier(nn.Module):
    def __init__(self, d=32, heads=4, layers=2):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(np.random.default_rng(0).normal(0, 0.02, (1, LENGTH, d)))
        self.encoder = nn.ModuleList([
            nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.0, batch_first=True,
                                       norm_first=True) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, CLASSES)

    def forward(self, tokens):
        h = self.embed(tokens) + self.pos
        for layer in self.encoder:
            h = layer(h)
        return self.head(self.norm(h).mean(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--train", type=int, default=8000)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--out", default="transformer_out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(0)
    x, y = make_data(args.train, rng)
    xt, yt = make_data(2000, rng)
    dlc.manual_seed(0)
    net = Classifier(layers=args.layers)
    trainer = dlc.train.Trainer(net, loss="cross_entropy", optimizer="adamw", weight_decay=0.01,
                                lr=dlc.train.WarmupLR(1e-3, 50), clip_norm=1.0)
    hist = trainer.fit(x, y, epochs=args.epochs, batch_size=64, validation=(xt, yt))
    hist.plot(os.path.join(args.out, "transformer_curves.png"),
              "Which token is most frequent (dlc.nn Transformer)")
    print(f"transformer: {net.num_parameters()} parameters; loss {hist['step_loss'][0]:.4f} -> "
          f"{hist['loss'][-1]:.4f}; test accuracy {hist['val_accuracy'][-1]:.4f} (chance "
          f"{np.bincount(yt).max() / len(yt):.2f})")


if __name__ == "__main__":
    main()
