#!/usr/bin/python3
"""Checks the fused attention (dl-to-linalg's runtime-calls: Q K^T, the
scale, the mask, the softmax and the product with V as one dlc_attention
or dlc_attention4 call) end to end against PyTorch's nn.MultiheadAttention, exported to ONNX
with static shapes: self-attention at 64 and 512 positions, without a mask,
with a causal -inf mask and with an additive random mask; inputs with large
logits (scores in the hundreds: the softmax saturates) and rows of equal
scores. Per case it prints
whether the output matches (rtol 1e-3, atol 1e-5), how many dlc_attention
(or dlc_attention4) calls and separate softmax kernels `dlc --report=fusion` lists and, at 512
positions, the call's peak memory (the generated code's buffers, from
dlc_last_call_memory) against one heads x seq x seq score tensor.

usage: attention_check.py DLC OUTDIR
"""
import ctypes
import math
import os
import re
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from dlc import CompiledModel  # noqa: E402
from dlc.abi import last_call_memory  # noqa: E402

dlc, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
torch.manual_seed(3)
failures = 0
EMBED, HEADS = 128, 4


class SelfAttention(torch.nn.Module):
    def __init__(self, mask):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(EMBED, HEADS)
        self.mask = mask
        if mask is not None:
            self.register_buffer("attn_mask", mask)

    def forward(self, x):
        mask = self.attn_mask if self.mask is not None else None
        return self.mha(x, x, x, need_weights=False, attn_mask=mask)[0]


def peak_bytes(lib):
    return last_call_memory(ctypes.CDLL(os.path.abspath(lib)))["peak_bytes"]


def compile_model(name, path, kernel):
    """Compiles the exported model; returns the library, how many `kernel`
    calls and how many separate softmax kernels `dlc --report=fusion`
    lists, or (None, 0, 0) after counting a compile error."""
    global failures
    lib = os.path.join(out, name + ".so")
    r = subprocess.run([dlc, path, "--emit=shared", "-O3", "-o", lib, "--entry", "f",
                        "--report=fusion"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"{name}: compile error: {r.stderr.strip()}")
        failures += 1
        return None, 0, 0
    calls = len(re.findall(rf"kernel \d+: {kernel}:", r.stderr))
    softmaxes = len(re.findall(r"kernel \d+: [^:]*: [^\n]*\(Softmax\)", r.stderr)) - calls
    return lib, calls, softmaxes


def case(name, seq, mask=None, x=None, ill_conditioned=False, axes=None,
         more=()):
    """ill_conditioned: PyTorch's own float32 result is off the exact one
    by more than the tolerance; then dlc's error against the exact (float64)
    result must be at most 1.5x PyTorch's instead. axes: the input's
    dynamic axes in the export; more: further inputs the same compiled
    model must match PyTorch on (other batch sizes or lengths)."""
    global failures
    model = SelfAttention(mask).eval()
    if x is None:
        x = torch.randn(seq, 1, EMBED)
    path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=17, input_names=["x"],
                      dynamic_axes={"x": axes} if axes else None)
    # dlc_attention4 where dl-attention-heads splits the export's merged
    # batch x heads dim into two (the heads are then views of the
    # projection); dlc_attention where it cannot (two dynamic dims).
    lib, calls, softmaxes = compile_model(name, path, "dlc_attention4?")
    if lib is None:
        return
    with torch.no_grad():
        want = model(x).numpy()
        exact = model.double()(x.double()).numpy()
    got = CompiledModel(lib, "f")(x.numpy())[0]
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-5)
    err = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("inf")
    for y in more:
        with torch.no_grad():
            want_y = model.float()(y).numpy()
        got_y = CompiledModel(lib, "f")(y.numpy())[0]
        same = got_y.shape == want_y.shape
        ok = ok and same and np.allclose(got_y, want_y, rtol=1e-3, atol=1e-5)
        err = max(err, float(np.max(np.abs(got_y - want_y))) if same else float("inf"))
    if ill_conditioned and got.shape == want.shape:
        torch_err = float(np.max(np.abs(want - exact)))
        err = float(np.max(np.abs(got - exact)))
        ok = err <= 1.5 * torch_err
        print(f"{name}: against float64, PyTorch's float32 error {torch_err:.1e}, "
              f"dlc's {err:.1e}")
    peak = peak_bytes(lib)
    scores = HEADS * seq * seq * 4
    # At 512 positions one score tensor (4 MiB) outweighs every other
    # buffer; at 64 it is smaller than the input projections.
    small = peak is not None and (seq < 512 or peak < scores)
    if not ok or not small or calls != 1 or softmaxes != 0:
        failures += 1
    memory = f", peak {peak} B {'<' if peak < scores else '>='} {scores} B" if seq >= 512 else ""
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.1e}), "
          f"dlc_attention calls: {calls}, separate softmax kernels: {softmaxes}{memory}")


class PerHeadAttention(torch.nn.Module):
    """Self-attention written with per-head tensors [batch, heads, rows,
    dims] (as BERT-style models are): the scores divided by sqrt(dims)
    after the product, a padding mask per sample (1 keep, 0 pad) added as
    (1 - mask) * -10000."""

    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(EMBED, 3 * EMBED)
        self.out = torch.nn.Linear(EMBED, EMBED)

    def forward(self, x, mask):
        b, s, _ = x.shape
        d = EMBED // HEADS

        def heads(t):
            return t.reshape(b, s, HEADS, d).transpose(1, 2)

        q, k, v = (heads(t) for t in self.qkv(x).split(EMBED, -1))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        scores = scores + (1.0 - mask[:, None, None, :]) * -10000.0
        o = torch.matmul(torch.softmax(scores, -1), v)
        return self.out(o.transpose(1, 2).reshape(b, s, EMBED))


def case_per_head(name, seq, batches):
    """PerHeadAttention exported with a dynamic batch, run at each batch
    size with some samples padded: one dlc_attention4 call."""
    global failures
    model = PerHeadAttention().eval()

    def inputs(b):
        mask = torch.ones(b, seq)
        for i in range(1, b):
            mask[i, seq // (i + 1):] = 0  # sample i keeps 1 / (i + 1)
        return torch.randn(b, seq, EMBED), mask

    path = os.path.join(out, name + ".onnx")
    torch.onnx.export(model, inputs(batches[0]), path, opset_version=17,
                      input_names=["x", "mask"],
                      dynamic_axes={"x": {0: "batch"}, "mask": {0: "batch"}})
    lib, calls, softmaxes = compile_model(name, path, "dlc_attention4")
    if lib is None:
        return
    ok, err = True, 0.0
    for b in batches:
        x, mask = inputs(b)
        with torch.no_grad():
            want = model(x, mask).numpy()
        got = CompiledModel(lib, "f")(x.numpy(), mask.numpy())[0]
        same = got.shape == want.shape
        ok = ok and same and np.allclose(got, want, rtol=1e-3, atol=1e-5)
        err = max(err, float(np.max(np.abs(got - want))) if same else float("inf"))
    if not ok or calls != 1 or softmaxes != 0:
        failures += 1
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.1e}), "
          f"dlc_attention4 calls: {calls}, separate softmax kernels: {softmaxes}")


causal = {s: torch.triu(torch.full((s, s), float("-inf")), 1) for s in (64, 512)}
case("seq64", 64)
case("seq64_causal", 64, causal[64])
case("seq64_additive", 64, torch.randn(64, 64))
case("seq512", 512)
case("seq512_causal", 512, causal[512])
case("seq512_additive", 512, torch.randn(512, 512))
# Scores in the hundreds: exp without the running maximum subtracted
# overflows; a near one-hot softmax whose float32 rounding alone moves the
# output by 1e-4 (PyTorch's too).
case("large_logits", 64, x=torch.randn(64, 1, EMBED) * 12, ill_conditioned=True)
case("equal_rows", 64, x=torch.ones(64, 1, EMBED) * 0.3)
# A dynamic batch (heads x batch groups), then dynamic lengths as well
# (queries and keys): one call still, at each size the model is run with.
case("dynamic_batch", 64, causal[64], x=torch.randn(64, 3, EMBED),
     axes={1: "batch"}, more=(torch.randn(64, 1, EMBED),))
case("dynamic_length", 64, x=torch.randn(64, 2, EMBED),
     axes={0: "seq", 1: "batch"},
     more=(torch.randn(17, 1, EMBED), torch.randn(100, 3, EMBED)))
# Rank 4 with a padding mask per sample, at 64 and 512 positions.
case_per_head("per_head64", 64, (3, 1))
case_per_head("per_head512", 512, (2,))
print(f"{failures} failures")
sys.exit(1 if failures else 0)
