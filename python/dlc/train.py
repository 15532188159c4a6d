"""dlc.train: training a dlc.nn module with a step compiled by `dlc --train`.

    trainer = dlc.train.Trainer(net, loss="cross_entropy", optimizer="adam", lr=1e-3)
    history = trainer.fit(x, y, epochs=3, batch_size=64, validation=(xv, yv))
    history.plot("curves.png")

The whole step (forward, loss, gradients, optimizer update) is one native
function; the parameters live in the module's own numpy arrays, which the
step updates in place, so the module always holds the trained weights
(`state_dict`, `export_onnx`, another Trainer or `dlc.compile(...,
live=[module])` see them at once). The learning rate is an input of the
step, so a schedule needs no recompile.

loss: one of dlc's losses ("cross_entropy", "nll", "mse", "huber",
"bce_with_logits"), or a callable (prediction, target) -> scalar Tensor
written with dlc.nn.functional, traced into the step (dlc --loss=output).
"""
import math
import os
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np

from . import distributed
from .compiler import compile as _compile
from .compiler import run_dlc
from .tracing import InputSpec, trace
from .training import Trainer as TrainLibrary

BUILTIN_LOSSES = ("cross_entropy", "nll", "mse", "huber", "bce_with_logits")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "adagrad")


# --- learning-rate schedules: callables step -> lr ------------------------------

class Schedule:
    def __call__(self, step: int) -> float:
        raise NotImplementedError


class StepLR(Schedule):
    """lr * gamma ** (step // step_size)."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr, self.step_size, self.gamma = lr, step_size, gamma

    def __call__(self, step):
        return self.lr * self.gamma ** (step // self.step_size)


class CosineLR(Schedule):
    """Cosine decay from lr to min_lr over total_steps (then min_lr)."""

    def __init__(self, lr: float, total_steps: int, min_lr: float = 0.0):
        self.lr, self.total, self.min_lr = lr, max(1, total_steps), min_lr

    def __call__(self, step):
        t = min(step, self.total) / self.total
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1 + math.cos(math.pi * t))


class WarmupLR(Schedule):
    """Linear warmup over warmup_steps to `after` (a schedule or a constant),
    which then runs from its own step 0."""

    def __init__(self, after: Union[float, Callable[[int], float]], warmup_steps: int):
        self.after, self.warmup = after, max(1, warmup_steps)

    def _after(self, step):
        return self.after(step) if callable(self.after) else float(self.after)

    def __call__(self, step):
        if step < self.warmup:
            return self._after(0) * (step + 1) / self.warmup
        return self._after(step - self.warmup)


def step_schedule(lr, step_size, gamma=0.1): return StepLR(lr, step_size, gamma)
def cosine_schedule(lr, total_steps, min_lr=0.0): return CosineLR(lr, total_steps, min_lr)
def warmup_schedule(after, warmup_steps): return WarmupLR(after, warmup_steps)


# --- history ---------------------------------------------------------------------

class History(dict):
    """Per-epoch lists ("loss", "accuracy", "val_loss", "val_accuracy",
    "lr", "time") and per-step losses ("step_loss")."""

    def __init__(self):
        super().__init__()
        for k in ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "time", "step_loss"):
            self[k] = []

    @property
    def epochs(self) -> int:
        return len(self["loss"])

    def plot(self, path: str, title: Optional[str] = None) -> str:
        """Writes loss (per step and per epoch) and accuracy curves to a PNG
        (on rank 0 only under mpirun)."""
        if not distributed.is_main():
            return path
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        has_acc = any(v is not None for v in self["accuracy"] + self["val_accuracy"])
        fig, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(10 if has_acc else 5.5, 4))
        a = axes[0] if has_acc else axes
        steps = self["step_loss"]
        if steps:
            per_epoch = max(1, len(steps) // max(1, self.epochs))
            a.plot(np.arange(1, len(steps) + 1) / per_epoch, steps, lw=0.6, alpha=0.5,
                   label="train (step)")
        epochs = np.arange(1, self.epochs + 1)
        a.plot(epochs, self["loss"], "o-", label="train (epoch)")
        if any(v is not None for v in self["val_loss"]):
            a.plot(epochs, self["val_loss"], "s--", label="validation")
        a.set_xlabel("epoch")
        a.set_ylabel("loss")
        a.legend()
        if has_acc:
            b = axes[1]
            if any(v is not None for v in self["accuracy"]):
                b.plot(epochs, self["accuracy"], "o-", label="train")
            if any(v is not None for v in self["val_accuracy"]):
                b.plot(epochs, self["val_accuracy"], "s--", label="validation")
            b.set_xlabel("epoch")
            b.set_ylabel("accuracy")
            b.legend()
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path


def _as_list(x) -> List[np.ndarray]:
    if isinstance(x, (list, tuple)):
        return [np.asarray(a) for a in x]
    return [np.asarray(x)]


class Trainer:
    """Trains `model` (a dlc.nn.Module) with one compiled step.

    loss, optimizer, weight_decay, clip_norm, momentum, betas, eps,
    label_smoothing: as `dlc --train`'s flags. lr: a float or a schedule
    (a callable of the step count). checkpoint: passed to dlc as
    --checkpoint=VALUE (gradient checkpointing, issue #13's flag). live:
    modules whose parameters the step reads as inputs at every call and
    does not train (the other network of a GAN). seed: dropout masks.
    data_parallel: compile with --data-parallel and, under mpirun, train
    each rank on its shard of every global batch (fit's batch_size per
    rank), with progress and files from rank 0 only. sync_batchnorm (with
    data_parallel): batch norm normalizes with the statistics of the
    global batch, as torch.nn.SyncBatchNorm (--sync-batchnorm).
    input_specs / example_inputs: the inputs' shapes and dtypes, else taken
    from the first batch (the batch dim dynamic). The step is compiled at
    the first call that needs it.
    """

    def __init__(self, model, loss: Union[str, Callable] = "cross_entropy",
                 optimizer: str = "adam", lr: Union[float, Callable[[int], float]] = 1e-3,
                 weight_decay: float = 0.0, clip_norm: Optional[float] = None,
                 checkpoint: Optional[str] = None, momentum: Optional[float] = None,
                 betas: Optional[Sequence[float]] = None, eps: Optional[float] = None,
                 label_smoothing: Optional[float] = None, reduction: str = "mean",
                 seed: int = 0, live=(), input_specs=None, example_inputs=None,
                 options: Sequence[str] = (), name: Optional[str] = None, opt_level: int = 3,
                 data_parallel: bool = False, sync_batchnorm: bool = False):
        if sync_batchnorm and not data_parallel:
            raise ValueError("sync_batchnorm=True synchronizes batch norm across "
                             "data-parallel ranks: add data_parallel=True")
        if isinstance(loss, str) and loss not in BUILTIN_LOSSES:
            raise ValueError(f"loss {loss!r} is not one of {', '.join(BUILTIN_LOSSES)} "
                             f"or a callable")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {optimizer!r} is not one of {', '.join(OPTIMIZERS)}")
        self.model = model
        self.loss = loss
        self.reduction = reduction
        self.lr = lr
        self.live = list(live)
        self.name = name or type(model).__name__.lower()
        self.step_count = 0
        flags = [f"--optimizer={optimizer}", f"--seed={seed}", f"--reduction={reduction}",
                 f"-O{opt_level}"]
        if weight_decay:
            flags.append(f"--weight-decay={weight_decay}")
        if clip_norm:
            flags.append(f"--clip-norm={clip_norm}")
        if momentum is not None:
            flags.append(f"--momentum={momentum}")
        if betas is not None:
            flags += [f"--beta1={betas[0]}", f"--beta2={betas[1]}"]
        if eps is not None:
            flags.append(f"--eps={eps}")
        if label_smoothing:
            flags.append(f"--label-smoothing={label_smoothing}")
        if checkpoint is not None:
            flags.append(f"--checkpoint={checkpoint}")
        # Under mpirun every rank trains a replica on its shard of each
        # global batch (batch_size x ranks); the step averages the gradients
        # and the loss over the ranks; rank 0 alone prints and writes files.
        self.data_parallel = data_parallel
        if data_parallel:
            flags.append("--data-parallel")
        if sync_batchnorm:
            flags.append("--sync-batchnorm")
        self._flags = flags + list(options)
        self._specs = None
        if input_specs is not None:
            self._specs = list(input_specs)
        elif example_inputs is not None:
            self._specs = [InputSpec.like(a) for a in _as_list(example_inputs)]
        self._lib: Optional[TrainLibrary] = None
        self._infer = None
        self._workdir = tempfile.mkdtemp(prefix="dlc-train-")
        self.library_path = None
        self.compile_seconds = None

    # --- compiling ------------------------------------------------------------
    @property
    def custom_loss(self) -> bool:
        return callable(self.loss)

    def _label_dtype(self):
        return np.int64 if self.loss in ("cross_entropy", "nll") else np.float32

    def _build(self, xs: List[np.ndarray], y: Optional[np.ndarray]):
        if self._lib is not None:
            return
        if self._specs is None:
            self._specs = [InputSpec.like(a) for a in xs]
        target = None
        if self.custom_loss:
            if y is None:
                raise ValueError("a custom loss needs targets to compile the step")
            target = InputSpec.like(np.asarray(y, dtype=self._target_dtype(y)))
        traced = trace(self.model, self._specs, live=self.live,
                       loss=self.loss if self.custom_loss else None, target_spec=target,
                       name=self.name)
        self.traced = traced
        import onnx
        src = os.path.join(self._workdir, self.name + ".onnx")
        onnx.save(traced.model, src)
        lib = os.path.join(self._workdir, f"lib{self.name}.so")
        n_data = len(traced.model.graph.input)
        loss = "output" if self.custom_loss else self.loss
        t0 = time.time()
        run_dlc([src, "--train", "--emit=shared", "-o", lib, f"--loss={loss}",
                 f"--data-inputs={n_data}", *self._flags], f"Trainer({self.name})")
        self.compile_seconds = time.time() - t0
        self.library_path = lib
        self._lib = TrainLibrary(lib, self.name)
        # The module's arrays become the state the step updates in place.
        own = self.model.state_dict()
        for i, n in enumerate(self._lib.state_names):
            if n in own:
                arr = own[n]
                if arr.dtype != self._lib.state[i].dtype or not arr.flags.c_contiguous:
                    raise TypeError(f"state '{n}' must be a contiguous "
                                    f"{self._lib.state[i].dtype} array")
                np.copyto(arr, self._lib.state[i])
                self._lib.state[i] = arr
        self._bound = traced.bound

    def _target_dtype(self, y):
        y = np.asarray(y)
        return np.int64 if y.dtype.kind in "iu" else np.float32

    def _live_arrays(self):
        return [getattr(p, "data", p) if isinstance(getattr(p, "data", None), np.ndarray) else p
                for _, p in self._bound]

    @property
    def state(self) -> Dict[str, np.ndarray]:
        """Every state tensor by name: parameters, statistics, optimizer slots, step."""
        if self._lib is None:
            return {}
        return self._lib.named_state()

    # --- one step ---------------------------------------------------------------
    def current_lr(self) -> float:
        return float(self.lr(self.step_count) if callable(self.lr) else self.lr)

    def step(self, x, y, lr: Optional[float] = None):
        """One training step on a batch; returns (loss, prediction)."""
        xs = _as_list(x)
        if self.custom_loss:
            y = np.asarray(y, dtype=self._target_dtype(y))
        else:
            y = np.asarray(y, dtype=self._label_dtype())
        self._build(xs, y)
        rate = self.current_lr() if lr is None else lr
        xs = [np.require(a, np.dtype(s.dtype), "C") for a, s in zip(xs, self._specs)]
        if self.custom_loss:
            loss, pred = self._lib.step(*xs, y, *self._live_arrays(), lr=rate)
        else:
            loss, pred = self._lib.step(*xs, *self._live_arrays(), y, lr=rate)
        self.step_count += 1
        return float(loss), pred

    # --- inference ----------------------------------------------------------------
    def _forward(self, xs: List[np.ndarray]) -> np.ndarray:
        """The model's (first) output on one batch, in inference mode."""
        if not self.custom_loss:
            self._build(xs, None)
            return self._lib.predict(*xs, *self._live_arrays())[0]
        if self._lib is None:
            raise RuntimeError("a Trainer with a custom loss predicts after its first step "
                               "(the step's shapes come from the targets)")
        if self._infer is None:
            # The model alone, reading the module's (trained) arrays live.
            self._infer = _compile(self.model, input_specs=self._specs,
                                   live=[self.model] + self.live, name=self.name + "_infer")
        out = self._infer(*xs)
        return out if isinstance(out, np.ndarray) else out[0]

    def predict(self, x, batch_size: int = 256) -> np.ndarray:
        xs = _as_list(x)
        if self._specs is not None:
            xs = [np.asarray(a, dtype=np.dtype(s.dtype)) for a, s in zip(xs, self._specs)]
        n = len(xs[0])
        outs = [self._forward([a[i:i + batch_size] for a in xs]) for i in range(0, n, batch_size)]
        return np.concatenate(outs) if outs else np.zeros((0,))

    def _loss_and_correct(self, xs, y):
        """(summed loss, correct count or None) of one batch, in inference mode."""
        n = len(y)
        if self.custom_loss:
            out = self._lib.forward(*self._lib.state, *xs, np.asarray(y, self._target_dtype(y)),
                                    *self._live_arrays())
            # The model's loss output as the step reduces it (mean or sum).
            value = np.asarray(out[0], np.float64)
            if self.reduction == "sum":
                return float(value.sum()), None
            return float(value.mean()) * n, None
        pred = self._forward(xs)
        if self.loss in ("cross_entropy", "nll"):
            y = y.astype(np.int64)
            logp = pred if self.loss == "nll" else pred - _logsumexp(pred)
            loss = -float(np.take_along_axis(logp, y[:, None], 1).sum())
            return loss, int((pred.argmax(1) == y).sum())
        y = y.astype(pred.dtype).reshape(pred.shape)
        if self.loss == "mse":
            per = ((pred - y) ** 2).reshape(n, -1).mean(1)
        elif self.loss == "huber":
            a = np.abs(pred - y)
            q = np.minimum(a, 1.0)
            per = (0.5 * q * q + (a - q)).reshape(n, -1).mean(1)
        else:  # bce_with_logits
            per = (np.maximum(pred, 0) - pred * y + np.log1p(np.exp(-np.abs(pred))))
            per = per.reshape(n, -1).mean(1)
            return float(per.sum()), int(((pred > 0) == (y > 0.5)).sum()) // max(
                1, pred.size // n)
        return float(per.sum()), None

    def evaluate(self, x, y, batch_size: int = 256) -> Dict[str, Optional[float]]:
        """Mean loss and (for classification) accuracy on (x, y), in
        inference mode (batch norm on its running statistics, no dropout)."""
        xs, y = _as_list(x), np.asarray(y)
        if self._specs is not None:
            xs = [np.asarray(a, dtype=np.dtype(s.dtype)) for a, s in zip(xs, self._specs)]
        total, correct, n = 0.0, 0, len(y)
        has_acc = True
        for i in range(0, n, batch_size):
            loss, c = self._loss_and_correct([a[i:i + batch_size] for a in xs], y[i:i + batch_size])
            total += loss
            if c is None:
                has_acc = False
            else:
                correct += c
        return {"loss": total / max(n, 1), "accuracy": correct / n if has_acc and n else None}

    # --- fit ------------------------------------------------------------------------
    def batch_indices(self, n: int, batch_size: int, rng, shuffle: bool) -> List[np.ndarray]:
        """The batches of one epoch (a hook: data-parallel training shards
        them by rank)."""
        order = rng.permutation(n) if shuffle else np.arange(n)
        if self.data_parallel:
            # Every rank draws the same order (the same seed) and takes its
            # slice of each whole global batch: all ranks make the same
            # number of steps, together over what one process would see with
            # a batch of batch_size x ranks.
            return [distributed.shard(order, s, batch_size)
                    for s in range(distributed.steps_per_epoch(n, batch_size))]
        return [order[i:i + batch_size] for i in range(0, n, batch_size)]

    def fit(self, x, y, epochs: int = 1, batch_size: int = 32, validation=None,
            shuffle: bool = True, verbose: bool = True, seed: int = 0,
            drop_last: bool = False, history: Optional[History] = None) -> History:
        """Trains for `epochs` over (x, y) in shuffled batches with a
        progress bar; validation: (x_val, y_val), or a fraction of (x, y)
        held out. Returns the History (also at self.history)."""
        xs, y = _as_list(x), np.asarray(y)
        n = len(y)
        if any(len(a) != n for a in xs):
            raise ValueError(f"inputs have {[len(a) for a in xs]} samples, targets {n}")
        if isinstance(validation, float):
            cut = int(n * (1 - validation))
            validation = ([a[cut:] for a in xs], y[cut:])
            xs, y, n = [a[:cut] for a in xs], y[:cut], cut
        rng = np.random.default_rng(seed)
        if self.data_parallel:
            verbose = verbose and distributed.is_main()
        hist = history if history is not None else History()
        self.history = hist
        classify = not self.custom_loss and self.loss in ("cross_entropy", "nll", "bce_with_logits")
        for epoch in range(1, epochs + 1):
            start = time.time()
            batches = self.batch_indices(n, batch_size, rng, shuffle)
            if drop_last and batches and len(batches[-1]) < batch_size:
                batches = batches[:-1]
            bar = _progress(len(batches), f"epoch {epoch}/{epochs}", verbose)
            total, seen, correct = 0.0, 0, 0
            for idx in batches:
                loss, pred = self.step([a[idx] for a in xs], y[idx])
                total += loss * len(idx)
                seen += len(idx)
                hist["step_loss"].append(loss)
                if classify and self.loss != "bce_with_logits":
                    correct += int((pred.argmax(1) == y[idx]).sum())
                postfix = {"loss": f"{total / seen:.4f}"}
                if classify and self.loss != "bce_with_logits":
                    postfix["acc"] = f"{correct / seen:.3f}"
                bar.update(1, postfix)
            hist["loss"].append(total / max(seen, 1))
            hist["accuracy"].append(correct / seen if classify and self.loss != "bce_with_logits"
                                    and seen else None)
            hist["lr"].append(self.current_lr())
            if validation is not None:
                v = self.evaluate(*validation, batch_size=max(batch_size, 256))
                hist["val_loss"].append(v["loss"])
                hist["val_accuracy"].append(v["accuracy"])
                bar.update(0, dict(postfix, val_loss=f"{v['loss']:.4f}",
                                   **({"val_acc": f"{v['accuracy']:.3f}"}
                                      if v["accuracy"] is not None else {})))
            else:
                hist["val_loss"].append(None)
                hist["val_accuracy"].append(None)
            hist["time"].append(time.time() - start)
            bar.close()
        return hist

    def export_onnx(self, path: str, example_inputs=None) -> str:
        """Writes the model with its current (trained) weights as ONNX (on
        rank 0 only under mpirun)."""
        if not distributed.is_main():
            return path
        import onnx
        specs = self._specs or [InputSpec.like(a) for a in _as_list(example_inputs)]
        onnx.save(trace(self.model, specs, name=self.name).model, path)
        return path


def _logsumexp(z):
    m = z.max(1, keepdims=True)
    return m + np.log(np.exp(z - m).sum(1, keepdims=True))


class _progress:
    """A tqdm bar, or nothing when not verbose (or tqdm missing)."""

    def __init__(self, total, desc, verbose):
        self.bar = None
        if verbose:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc=desc, leave=True, file=sys.stderr,
                                mininterval=0.5 if sys.stderr.isatty() else 5,
                                dynamic_ncols=True)
            except ImportError:
                print(desc, file=sys.stderr)

    def update(self, n, postfix):
        if self.bar is not None:
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
