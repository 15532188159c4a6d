#!/usr/bin/python3
"""Small PyTorch models whose ONNX exports use what real models need and the
node tests do not cover together: nn.MultiheadAttention with a
key_padding_mask (its ConstantOfShape -> Mul -> Equal -> Where -> Expand
shape chain), cumsum / scatter / gather / cross-entropy, and a text
recognizer in the paddle2onnx style (CNN -> reshape through Shape/Gather/
Concat arithmetic -> Transformer layer -> CTC log-softmax head).

usage: torch_exports_check.py DLC OUTDIR

Each model is exported with dynamic dims (the recognizer: batch only; a
dynamic width needs convs with dynamic spatial dims), compiled once by dlc
and run at two shapes; outputs must match PyTorch within rtol 1e-3, atol 1e-5. Exits 1 on
any failure.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(16, 2, batch_first=True)

    def forward(self, x, mask):
        return self.mha(x, x, x, key_padding_mask=mask, need_weights=False)[0]


class ScanScatter(nn.Module):
    """cumsum, scatter (ScatterElements), gather and cross-entropy
    (SoftmaxCrossEntropyLoss with ignore_index)."""

    def forward(self, x, idx, target):
        c = torch.cumsum(x, dim=1)
        s = torch.zeros_like(x).scatter(1, idx, x[:, :idx.shape[1]])
        g = torch.gather(c, 1, idx)
        loss = F.cross_entropy(c, target, ignore_index=1)
        return c + s, g, loss


class Recognizer(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                                 nn.MaxPool2d((2, 1)))
        self.enc = nn.TransformerEncoderLayer(32, 2, 64, dropout=0.0,
                                              batch_first=True)
        self.head = nn.Linear(32, 11)

    def forward(self, x):
        y = self.cnn(x)
        b, c, h, w = y.shape
        y = y.permute(0, 3, 1, 2).reshape(b, w, c * h)
        return F.log_softmax(self.head(self.enc(y)), dim=-1)


def attention_inputs(b, t):
    mask = torch.zeros(b, t, dtype=torch.bool)
    mask[-1, t - 2:] = True
    return [torch.randn(b, t, 16), mask]


def scan_inputs(b, n):
    idx = torch.stack([torch.randperm(n)[:3] for _ in range(b)])
    target = torch.randint(0, n, (b,))
    target[0] = 1  # ignored
    return [torch.randn(b, n), idx, target]


CASES = [
    ("attention", Attention, ["x", "mask"],
     {"x": {0: "b", 1: "t"}, "mask": {0: "b", 1: "t"}},
     attention_inputs, [(2, 5), (3, 7)]),
    ("scan_scatter", ScanScatter, ["x", "idx", "target"],
     {"x": {0: "b"}, "idx": {0: "b"}, "target": {0: "b"}},
     scan_inputs, [(4, 6), (2, 6)]),
    ("recognizer", Recognizer, ["x"], {"x": {0: "b"}},
     lambda b, w: [torch.randn(b, 1, 8, w)], [(1, 32), (3, 32)]),
]


def main():
    dlc, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    failures = 0
    for name, ctor, names, dynamic, make_inputs, shapes in CASES:
        torch.manual_seed(0)
        model = ctor().eval()
        sample = make_inputs(*shapes[0])
        with torch.no_grad():
            outs = model(*sample)
        outs = outs if isinstance(outs, tuple) else (outs,)
        out_names = [f"y{i}" for i in range(len(outs))]
        path = os.path.join(outdir, f"{name}.onnx")
        torch.onnx.export(model, tuple(sample), path, input_names=names,
                          output_names=out_names, dynamic_axes=dynamic,
                          opset_version=17)
        lib = os.path.join(outdir, f"{name}.so")
        p = subprocess.run([dlc, path, "--emit=shared", "-o", lib, "--entry",
                            "f"], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"{name}: compile failed: {p.stderr.strip()[:500]}")
            failures += 1
            continue
        compiled = CompiledModel(
            lib, "f", [TensorSpec(a.dim(), a.numpy().dtype) for a in sample],
            [TensorSpec(o.dim(), o.numpy().dtype) for o in outs])
        for shape in shapes:
            inputs = make_inputs(*shape)
            with torch.no_grad():
                want = model(*inputs)
            want = want if isinstance(want, tuple) else (want,)
            got = compiled(*[a.numpy() for a in inputs])
            for i, (g, w) in enumerate(zip(got, want)):
                w = w.numpy()
                ok = g.shape == w.shape and np.allclose(g, w, rtol=1e-3,
                                                        atol=1e-5)
                err = np.abs(g - w).max() if g.shape == w.shape else "shape"
                print(f"{name} {shape} output {i}: "
                      f"{'ok' if ok else 'MISMATCH'} max_abs_err={err}")
                failures += not ok
    print(f"torch exports: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
