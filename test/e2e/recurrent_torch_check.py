#!/usr/bin/python3
"""Recurrent layers and control flow exported from PyTorch, against PyTorch.

- An LSTM and a GRU language model (embedding, 2 layers, bidirectional,
  batch first), compiled once each with a dynamic batch and run at batch 1
  and 5: logits must match within rtol 1e-3, atol 1e-5.
- A torch.jit.script'ed module with a data-dependent `if` and a `for` loop
  (ONNX If and Loop), run on inputs that take each branch.
- `dlc --train` on the LSTM language model: one SGD step with lr 1 turns
  the state update into the gradient, compared with autograd's.

usage: recurrent_torch_check.py DLC WORKDIR [--only NAME]
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import CompiledModel, TensorSpec, Trainer  # noqa: E402

warnings.filterwarnings("ignore")
RTOL, ATOL = 1e-3, 1e-5
nn, F = torch.nn, torch.nn.functional
dlc, work = sys.argv[1], sys.argv[2]
only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
os.makedirs(work, exist_ok=True)
failures = []
VOCAB, SEQ = 40, 7


class LanguageModel(nn.Module):
    def __init__(self, cell):
        super().__init__()
        torch.manual_seed(5)
        self.embed = nn.Embedding(VOCAB, 12)
        self.rnn = cell(12, 16, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(32, VOCAB)

    def forward(self, tokens, *state):
        # The state is passed in (as a streaming language model carries it)
        # or, for training, starts at zeros.
        out, _ = self.rnn(self.embed(tokens), *([tuple(state)] if len(state) > 1 else state))
        return self.head(out).reshape(-1, VOCAB)


class Controlled(nn.Module):
    """Data-dependent branch and a loop whose trip count is an input's dim."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(6)
        self.lin = nn.Linear(8, 8)

    def forward(self, x):
        h = x
        for _ in range(x.size(1) // 4):
            h = torch.tanh(self.lin(h)) + h
        if bool(h.sum() > 0):
            out = h * 2.0
        else:
            out = h - 1.0
        return out


def compare(what, got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = float(np.max(np.abs(got - want))) if got.shape == want.shape and got.size else 0.0
    ok = got.shape == want.shape and np.allclose(got, want, rtol=RTOL, atol=ATOL)
    if not ok:
        failures.append(what)
        print(f"  MISMATCH {what}: shapes {got.shape} {want.shape}, max abs err {err:.3g}")
    return err


def export(model, example, name, states=0):
    path = os.path.join(work, name + ".onnx")
    names = ["x"] + [f"s{i}" for i in range(states)]
    axes = {"x": {0: "batch"}, "y": {0: "batch"}}
    axes.update({f"s{i}": {1: "batch"} for i in range(states)})
    torch.onnx.export(model, example, path, opset_version=17, input_names=names,
                      output_names=["y"], dynamic_axes=axes)
    return path


def compile_shared(path, name):
    lib = os.path.join(work, f"lib{name}.so")
    p = subprocess.run([dlc, path, "--emit=shared", "-o", lib, "--entry", "forward"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        failures.append(name + " compile")
        print(f"{name}: compile failed ({p.returncode}): {p.stderr.strip()[:800]}")
        return None
    return lib


def language_model_case(name, cell):
    if only and only != name:
        return
    model = LanguageModel(cell).eval()
    rng = np.random.default_rng(1)
    states = 2 if cell is nn.LSTM else 1
    example = (torch.zeros(2, SEQ, dtype=torch.int64),) + tuple(
        torch.zeros(4, 2, 16) for _ in range(states))
    lib = compile_shared(export(model, example, name, states), name)
    if not lib:
        return
    compiled = CompiledModel(lib, "forward", [TensorSpec(2, np.int64)] +
                             [TensorSpec(3, np.float32)] * states, [TensorSpec(2, np.float32)])
    worst = 0.0
    for batch in (1, 5):
        tokens = rng.integers(0, VOCAB, (batch, SEQ)).astype(np.int64)
        state = [(0.5 * rng.standard_normal((4, batch, 16))).astype(np.float32)
                 for _ in range(states)]
        with torch.no_grad():
            want = model(torch.from_numpy(tokens), *map(torch.from_numpy, state)).numpy()
        worst = max(worst, compare(f"{name} batch {batch}", compiled(tokens, *state)[0], want))
    print(f"{name}: batches 1 and 5 match PyTorch; max abs err {worst:.2g}")


def control_flow_case():
    name = "scripted_if_loop"
    if only and only != name:
        return
    model = torch.jit.script(Controlled().eval())
    lib = compile_shared(export(model, torch.randn(2, 8), name), name)
    if not lib:
        return
    compiled = CompiledModel(lib, "forward", [TensorSpec(2, np.float32)],
                             [TensorSpec(2, np.float32)])
    worst = 0.0
    branches = set()
    rng = np.random.default_rng(2)
    for batch, shift in ((1, 3.0), (4, -3.0), (3, 0.0)):
        x = (rng.standard_normal((batch, 8)) + shift).astype(np.float32)
        with torch.no_grad():
            want = model(torch.from_numpy(x)).numpy()
            h = torch.from_numpy(x)
            for _ in range(2):
                h = torch.tanh(model.lin(h)) + h
            branches.add(bool(h.sum() > 0))
        worst = max(worst, compare(f"{name} batch {batch}", compiled(x)[0], want))
    if branches != {True, False}:
        failures.append(f"{name}: the inputs did not take both branches")
    print(f"{name}: both branches, batches 1, 4, 3 match PyTorch; max abs err {worst:.2g}")


def train_case():
    name = "lstm_lm_train"
    if only and only != name:
        return
    net = LanguageModel(nn.LSTM)
    rng = np.random.default_rng(3)
    tokens = rng.integers(0, VOCAB, (3, SEQ)).astype(np.int64)
    targets = rng.integers(0, VOCAB, 3 * SEQ).astype(np.int64)
    torch.manual_seed(4)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.05 * torch.randn_like(p))
    path = os.path.join(work, name + ".onnx")
    torch.onnx.export(net.eval(), torch.from_numpy(tokens), path, opset_version=17,
                      do_constant_folding=False, input_names=["x"], output_names=["y"])
    lib = os.path.join(work, f"lib{name}.so")
    p = subprocess.run([dlc, path, "--train", "--optimizer=sgd", "--emit=shared", "-o", lib],
                       capture_output=True, text=True)
    if p.returncode != 0:
        failures.append(name + " compile")
        print(f"{name}: compile failed ({p.returncode}): {p.stderr.strip()[:800]}")
        return
    trainer = Trainer(lib)
    before = {k: v.copy() for k, v in trainer.named_state().items()}
    loss, pred = trainer.step(tokens, targets, lr=1.0)
    after = trainer.named_state()
    net.train()
    net.zero_grad()
    out = net(torch.from_numpy(tokens))
    ref = F.cross_entropy(out, torch.from_numpy(targets))
    ref.backward()
    worst = {"loss": compare(f"{name} loss", loss, ref.item()),
             "prediction": compare(f"{name} prediction", pred, out.detach().numpy())}
    # Exported without constant folding, the parameters are the state
    # tensors under their PyTorch names (the exporter's Slice/Concat nodes
    # repack them into ONNX's gate order inside the step).
    grad_err, matched = 0.0, 0
    for pname, p in net.named_parameters():
        if pname not in before:
            failures.append(f"{name}: parameter {pname} is not in dlc's state")
            print(f"  MISMATCH {name}: parameter {pname} is not in dlc's state")
            continue
        grad_err = max(grad_err, compare(f"{name} grad {pname}",
                                         before[pname] - after[pname], p.grad.numpy()))
        matched += 1
    worst["gradients"] = grad_err
    count = sum(p.numel() for p in net.parameters())
    print(f"{name}: loss, prediction and {count} gradient elements ({matched} tensors) vs "
          "autograd; max abs err " + ", ".join(f"{k} {v:.2g}" for k, v in worst.items()))


language_model_case("lstm_lm", nn.LSTM)
language_model_case("gru_lm", nn.GRU)
control_flow_case()
train_case()
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
