#!/usr/bin/python3
"""Checks `dlc --train` against PyTorch.

- Whole-model gradients (MLP, CNN with batch norm, Transformer encoder
  block) against autograd: one SGD step with lr 1 turns the state update
  into the gradient (new = old - grad), compared at rtol 1e-3, atol 1e-5 in
  f32, with the loss, the prediction and the batch-norm running statistics.
- One optimizer step (two, so the slots are used) per optimizer against
  torch.optim: SGD + weight decay, Momentum, Nesterov, Adam, AdamW, Adagrad,
  Adam with global-norm clipping.
- Every loss against torch.nn.functional: cross-entropy with label
  smoothing (mean and sum), NLL, MSE, Huber, BCE-with-logits, distillation.
- Dropout in training: a mask from the seed and the step.

usage: train_torch_check.py DLC WORKDIR [--only NAME,...] [--checkpoint POLICY]

--checkpoint compiles every train step with gradient checkpointing
(dlc --checkpoint=POLICY): the same comparisons must hold.
"""
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import Trainer  # noqa: E402

RTOL, ATOL = 1e-3, 1e-5
nn, F = torch.nn, torch.nn.functional
dlc, work = sys.argv[1], sys.argv[2]
only = set(sys.argv[sys.argv.index("--only") + 1].split(",")) if "--only" in sys.argv else None
checkpoint = (["--checkpoint=" + sys.argv[sys.argv.index("--checkpoint") + 1]]
              if "--checkpoint" in sys.argv else [])
os.makedirs(work, exist_ok=True)
failures = []


def compile_train(net, example, name, *options, dynamic=False):
    path = os.path.join(work, name + ".onnx")
    # Distinct values everywhere: the exporter merges equal initializers
    # (a zero bias with another), which would tie their gradients.
    torch.manual_seed(4)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.05 * torch.randn_like(p))
    net.eval()
    # PRESERVE keeps batch norm a node of its own (EVAL folds it into the
    # conv before export).
    torch.onnx.export(net, example, path, opset_version=17, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}} if dynamic else None)
    lib = os.path.join(work, f"lib{name}.so")
    report = ["--report=memory"] if checkpoint else []
    r = subprocess.run([dlc, path, "--train", "--emit=shared", "-o", lib, *options, *checkpoint,
                        *report], stderr=subprocess.PIPE, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr)
        r.check_returncode()
    if checkpoint:
        # The comparison means something only if a segment is recomputed.
        import re
        m = re.search(r"segments: \d+, (\d+) recomputed", r.stderr)
        n = int(m.group(1)) if m else 0
        print(f"{name}: {checkpoint[0]}: {n} segment(s) recomputed")
        if not n:
            failures.append(f"{name}: nothing recomputed")
    return Trainer(lib)


def compare(what, got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    ok = got.shape == want.shape and np.allclose(got, want, rtol=RTOL, atol=ATOL)
    if not ok:
        failures.append(what)
        print(f"  MISMATCH {what}: max abs err {err:.3g}")
    return err


def state_of(trainer, net):
    """dlc's state tensors that are the torch module's parameters/buffers.
    The exporter gives a Linear applied to a 3-D input a pre-transposed copy
    of its weight ("onnx::MatMul_N"): that copy, transposed back, stands for
    the parameter."""
    named = trainer.named_state()
    sd = net.state_dict()
    out = {k: named[k] for k in sd if k in named}
    aliases = getattr(trainer, "aliases", None)
    if aliases is None:
        aliases = trainer.aliases = {}
        for k, v in named.items():
            if k.startswith("onnx::") and v.ndim == 2:
                for name, p in sd.items():
                    if p.shape == v.T.shape and np.array_equal(p.numpy(), v.T):
                        aliases[name] = k
    for name, k in aliases.items():
        out[name] = named[k].T.copy()
    return out


def gradient_case(name, net, x, y, loss_fn, *options):
    if only and name not in only:
        return
    torch.manual_seed(0)
    trainer = compile_train(net, torch.from_numpy(x), name, "--optimizer=sgd", *options)
    before = {k: v.copy() for k, v in state_of(trainer, net).items()}
    loss, pred = trainer.step(x, y, lr=1.0)
    after = state_of(trainer, net)
    net.train()
    net.zero_grad()
    out = net(torch.from_numpy(x))
    ref_loss = loss_fn(out, torch.from_numpy(y))
    ref_loss.backward()
    worst = {"loss": compare(f"{name} loss", loss, ref_loss.item()),
             "prediction": compare(f"{name} prediction", pred, out.detach().numpy())}
    grad_err = 0.0
    for k, p in net.named_parameters():
        if k not in before:
            failures.append(f"{name}: parameter {k} is not in dlc's state")
            continue
        grad_err = max(grad_err, compare(f"{name} grad {k}", before[k] - after[k],
                                         p.grad.numpy()))
    worst["gradients"] = grad_err
    for k, b in net.named_buffers():
        if k in after:
            worst["running " + k.split(".")[-1]] = max(
                worst.get("running " + k.split(".")[-1], 0.0),
                compare(f"{name} buffer {k}", after[k], b.numpy()))
    count = sum(p.numel() for p in net.parameters())
    print(f"{name}: loss, prediction and {count} gradient elements vs autograd; max abs err "
          + ", ".join(f"{k} {v:.2g}" for k, v in worst.items()))


def dynamic_batch_case():
    """One library with a dynamic batch, stepped at two batch sizes."""
    name = "mlp_dynamic_batch"
    if only and name not in only:
        return
    net = mlp()
    trainer = compile_train(net, torch.from_numpy(x_mlp), name, "--optimizer=sgd",
                            dynamic=True)
    worst = 0.0
    for n in (8, 3):
        x, y = x_mlp[:n], y_cls[:n]
        before = {k: v.copy() for k, v in state_of(trainer, net).items()}
        loss, _ = trainer.step(x, y, lr=1.0)
        after = state_of(trainer, net)
        net.train()
        net.zero_grad()
        ref = F.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y))
        ref.backward()
        worst = max(worst, compare(f"{name} loss at batch {n}", loss, ref.item()))
        with torch.no_grad():
            for k, p in net.named_parameters():
                worst = max(worst, compare(f"{name} grad {k} at batch {n}",
                                           before[k] - after[k], p.grad.numpy()))
                p.sub_(p.grad)  # the same SGD step, so both sides stay equal
    print(f"{name}: one library, batches 8 and 3, loss and gradients vs autograd; "
          f"max abs err {worst:.2g}")


def mlp(out=10, logsoftmax=False):
    torch.manual_seed(1)
    layers = [nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, out)]
    if logsoftmax:
        layers.append(nn.LogSoftmax(dim=1))
    return nn.Sequential(*layers)


def cnn_bn():
    torch.manual_seed(2)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5))


class EncoderClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.block = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        return self.head(self.block(x).mean(dim=1))


rng = np.random.default_rng(0)
x_mlp = rng.standard_normal((8, 20)).astype(np.float32)
y_cls = rng.integers(0, 10, 8).astype(np.int64)
ce = lambda o, t: F.cross_entropy(o, t)  # noqa: E731

gradient_case("mlp", mlp(), x_mlp, y_cls, ce)
dynamic_batch_case()
gradient_case("cnn_bn", cnn_bn(), rng.standard_normal((4, 3, 12, 12)).astype(np.float32),
              rng.integers(0, 5, 4).astype(np.int64), ce)
gradient_case("transformer", EncoderClassifier(),
              rng.standard_normal((3, 6, 16)).astype(np.float32),
              rng.integers(0, 4, 3).astype(np.int64), ce)

# Losses (gradients through an SGD step with lr 1, as above).
y_reg = rng.standard_normal((8, 10)).astype(np.float32)
y_bin = (rng.random((8, 10)) < 0.5).astype(np.float32)
gradient_case("loss_ce_smoothing", mlp(), x_mlp, y_cls,
              lambda o, t: F.cross_entropy(o, t, label_smoothing=0.1), "--label-smoothing=0.1")
gradient_case("loss_ce_sum", mlp(), x_mlp, y_cls,
              lambda o, t: F.cross_entropy(o, t, reduction="sum"), "--reduction=sum")
gradient_case("loss_nll", mlp(logsoftmax=True), x_mlp, y_cls, F.nll_loss, "--loss=nll")
gradient_case("loss_mse", mlp(), x_mlp, y_reg, F.mse_loss, "--loss=mse")
gradient_case("loss_huber", mlp(), x_mlp, y_reg,
              lambda o, t: F.huber_loss(o, t, delta=0.5), "--loss=huber", "--huber-delta=0.5")
gradient_case("loss_bce_logits", mlp(), x_mlp, y_bin, F.binary_cross_entropy_with_logits,
              "--loss=bce_with_logits")


def distillation_case():
    name = "loss_distillation"
    if only and name not in only:
        return
    net = mlp()
    teacher = rng.standard_normal((8, 10)).astype(np.float32)
    trainer = compile_train(net, torch.from_numpy(x_mlp), name, "--optimizer=sgd",
                            "--loss=distillation", "--distill-alpha=0.3",
                            "--distill-temperature=2")
    before = {k: v.copy() for k, v in state_of(trainer, net).items()}
    loss, _ = trainer.step(x_mlp, y_cls, teacher, lr=1.0)
    after = state_of(trainer, net)
    net.train()
    out = net(torch.from_numpy(x_mlp))
    T, a = 2.0, 0.3
    kl = F.kl_div(F.log_softmax(out / T, 1), F.softmax(torch.from_numpy(teacher) / T, 1),
                  reduction="batchmean")
    ref = a * F.cross_entropy(out, torch.from_numpy(y_cls)) + (1 - a) * T * T * kl
    ref.backward()
    err = compare(f"{name} loss", loss, ref.item())
    for k, p in net.named_parameters():
        err = max(err, compare(f"{name} grad {k}", before[k] - after[k], p.grad.numpy()))
    print(f"{name}: loss and gradients vs PyTorch; max abs err {err:.2g}")


distillation_case()

# One optimizer step per optimizer (two steps, so the slots matter).
OPTIMIZERS = [
    ("sgd_wd", ["--optimizer=sgd", "--weight-decay=0.01"],
     lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01)),
    ("momentum", ["--optimizer=momentum", "--momentum=0.9"],
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("nesterov", ["--optimizer=nesterov", "--momentum=0.9", "--weight-decay=0.01"],
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam", ["--optimizer=adam"], lambda p: torch.optim.Adam(p, lr=0.1)),
    ("adamw", ["--optimizer=adamw", "--weight-decay=0.05"],
     lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.05)),
    ("adagrad", ["--optimizer=adagrad"], lambda p: torch.optim.Adagrad(p, lr=0.1)),
    ("adam_clip", ["--optimizer=adam", "--clip-norm=0.5"], lambda p: torch.optim.Adam(p, lr=0.1)),
]
for opt_name, options, make in OPTIMIZERS:
    name = "optim_" + opt_name
    if only and name not in only:
        continue
    net = mlp()
    trainer = compile_train(net, torch.from_numpy(x_mlp), name, *options)
    net.train()
    opt = make(net.parameters())
    worst = 0.0
    for step in range(2):
        xb = rng.standard_normal((8, 20)).astype(np.float32)
        yb = rng.integers(0, 10, 8).astype(np.int64)
        loss, _ = trainer.step(xb, yb, lr=0.1)
        opt.zero_grad()
        ref = F.cross_entropy(net(torch.from_numpy(xb)), torch.from_numpy(yb))
        ref.backward()
        if "clip" in opt_name:
            nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        opt.step()
        worst = max(worst, compare(f"{name} loss {step}", loss, ref.item()))
    for k, v in state_of(trainer, net).items():
        worst = max(worst, compare(f"{name} {k}", v, net.state_dict()[k].numpy()))
    print(f"{name}: two steps vs torch.optim; max abs err {worst:.2g}")


def dropout_case():
    name = "dropout"
    if only and name not in only:
        return
    import onnx
    from onnx import TensorProto, helper
    g = helper.make_graph(
        [helper.make_node("Dropout", ["x", "ratio"], ["d"]),
         helper.make_node("Add", ["d", "b"], ["y"])], "drop",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, 256])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, 256])],
        [helper.make_tensor("ratio", TensorProto.FLOAT, [], [0.25]),
         helper.make_tensor("b", TensorProto.FLOAT, [256], np.zeros(256))])
    path = os.path.join(work, "drop.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    lib = os.path.join(work, "libdrop.so")
    subprocess.run([dlc, path, "--train", "--loss=mse", "--seed=7", "--emit=shared", "-o", lib],
                   check=True)
    x = np.ones((64, 256), np.float32)
    a, b = Trainer(lib), Trainer(lib)
    masks_a = [a.step(x, x, lr=0.0)[1] for _ in range(2)]
    masks_b = [b.step(x, x, lr=0.0)[1] for _ in range(2)]
    kept = masks_a[0] != 0
    ok = (all(np.array_equal(p, q) for p, q in zip(masks_a, masks_b))  # same seed, same masks
          and not np.array_equal(masks_a[0], masks_a[1])                # new mask each step
          and np.allclose(masks_a[0][kept], 1 / 0.75)                   # kept scaled 1/(1-p)
          and abs(1 - kept.mean() - 0.25) < 0.02                         # about p dropped
          and np.array_equal(a.predict(x)[0], x))                        # inference: identity
    if not ok:
        failures.append(name)
    print(f"dropout: ratio 0.25, dropped {1 - kept.mean():.4f}, same seed same masks, "
          f"new mask per step, identity at inference: {'ok' if ok else 'FAILED'}")


dropout_case()
print(f"{len(failures)} failures" + (": " + ", ".join(failures) if failures else ""))
sys.exit(1 if failures else 0)
