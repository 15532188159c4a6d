#!/usr/bin/python3
"""Gradient checkpointing changes memory, not results.

For an MLP, a CNN with batch norm and dropout, and a Transformer encoder
block, the train step compiled with each checkpointing policy runs the same
steps (Momentum, so the state carries over) as the plain one, and the loss,
the prediction and every state tensor (parameters, running statistics,
optimizer slots) must be bit-identical, or within 1e-6 relative where the
kernels' floating-point order may differ. The peak memory of each step
(dlc_last_call_memory) is printed; for the deep MLP, sqrt checkpointing
must lower it by a fifth, and a 600 KiB budget must hold.

usage: checkpoint_check.py DLC WORKDIR [--only NAME]
"""
import os
import re
import subprocess
import sys

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import Trainer  # noqa: E402

nn = torch.nn
dlc, work = sys.argv[1], sys.argv[2]
only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
# Extra dlc flags for both the plain and the checkpointed steps.
extra = [a[len("--dlc-flag="):] for a in sys.argv if a.startswith("--dlc-flag=")]
os.makedirs(work, exist_ok=True)
failures = []
STEPS = 3
RTOL = 1e-6


def export(net, example, name, dropout_after=()):
    """ONNX of `net` (eval mode, batch norm kept), with a Dropout (ratio
    0.25) inserted after each node whose output name is in dropout_after:
    the exporter drops them in eval mode, dlc --train turns them into
    training dropout."""
    path = os.path.join(work, name + ".onnx")
    torch.manual_seed(4)
    net.eval()
    torch.onnx.export(net, example, path, opset_version=17, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["x"], output_names=["y"])
    model = onnx.load(path)
    g = model.graph
    for k, node in enumerate(list(g.node)):
        out = node.output[0]
        if node.op_type not in dropout_after:
            continue
        dropped = out + "_dropped"
        for other in g.node:
            for i, inp in enumerate(other.input):
                if inp == out:
                    other.input[i] = dropped
        ratio = onnx.helper.make_tensor(out + "_ratio", onnx.TensorProto.FLOAT, [], [0.25])
        g.initializer.append(ratio)
        idx = list(g.node).index(node)
        g.node.insert(idx + 1, onnx.helper.make_node(
            "Dropout", [out, out + "_ratio"], [dropped], name=node.name + "_dropout"))
    onnx.save(model, path)
    return path


def compile_policy(path, name, policy):
    lib = os.path.join(work, f"lib{name}_{re.sub('[^a-zA-Z0-9]', '_', policy)}.so")
    subprocess.run([dlc, path, "--train", "--optimizer=momentum", "--seed=3",
                    f"--checkpoint={policy}", "--emit=shared", "-o", lib] + extra,
                   check=True)
    return Trainer(lib)


def run_steps(trainer, batches):
    out = []
    peak = 0
    for x, y in batches:
        loss, pred = trainer.step(x, y, lr=0.05)
        peak = max(peak, trainer.last_call_memory()["peak_bytes"])
        out.append(("loss", np.array(loss)))
        out.append(("prediction", pred))
    out += [(k, v.copy()) for k, v in trainer.named_state().items()]
    return out, peak


def max_rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-30)))


def case(name, net, x_shape, classes, policies, dropout_after=(), must_shrink=None,
         must_fit=None):
    if only and only != name:
        return
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal(x_shape).astype(np.float32),
                rng.integers(0, classes, x_shape[0]).astype(np.int64)) for _ in range(STEPS)]
    path = export(net, torch.from_numpy(batches[0][0]), name, dropout_after)
    plain, plain_peak = run_steps(compile_policy(path, name, "none"), batches)
    line = [f"none {plain_peak} B"]
    for policy in policies:
        got, peak = run_steps(compile_policy(path, name, policy), batches)
        worst, exact = 0.0, True
        for (k, a), (_, b) in zip(got, plain):
            exact &= np.array_equal(a, b)
            err = max_rel(a, b)
            worst = max(worst, err)
            if err > RTOL:
                failures.append(f"{name} {policy}: {k} differs (max rel {err:.3g})")
        if len(got) != len(plain):
            failures.append(f"{name} {policy}: state differs in size")
        if must_shrink and policy in must_shrink and not peak < must_shrink[policy] * plain_peak:
            failures.append(f"{name} {policy}: peak {peak} B is not below "
                            f"{must_shrink[policy]} x {plain_peak} B")
        if must_fit and policy in must_fit and not peak <= must_fit[policy]:
            failures.append(f"{name} {policy}: peak {peak} B is over {must_fit[policy]} B")
        line.append(f"{policy} {peak} B {'bit-identical' if exact else f'max rel {worst:.2g}'}")
    print(f"{name}: {STEPS} steps, loss, predictions and {len(plain) - 2 * STEPS} state "
          f"tensors vs the plain step: " + "; ".join(line))


def mlp(depth=8, width=32):
    torch.manual_seed(1)
    layers = [nn.Linear(32, width), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.Tanh()]
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def cnn_bn():
    torch.manual_seed(2)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.blocks = nn.ModuleList(
            [nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
             for _ in range(2)])
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.head(x.mean(dim=1))


case("mlp", mlp(), (512, 32), 10, ["sqrt", "per-block", "budget=600KiB"],
     must_shrink={"sqrt": 0.8}, must_fit={"budget=600KiB": 600 * 1024})
case("cnn_bn_dropout", cnn_bn(), (4, 3, 16, 16), 5, ["sqrt", "per-block"],
     dropout_after=("Relu",))
case("transformer", Encoder(), (3, 6, 16), 4, ["sqrt", "per-block"])
print(f"{len(failures)} failures" + (": " + "; ".join(failures) if failures else ""))
sys.exit(1 if failures else 0)
