"""Each dlc.nn layer against the same torch.nn layer with copied weights:
the forward at two batch sizes (one library, dynamic batch) and the
gradient through one SGD step of dlc.train.Trainer (MSE against a random
target), at rtol 1e-4, atol 1e-5."""
import numpy as np
import pytest
import torch

import dlc
import dlc.nn as nn

RTOL, ATOL = 1e-4, 1e-5
tnn = torch.nn


class First(nn.Module):
    """The first result of a layer returning a tuple (attention)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x, x, x)[0]


class TFirst(tnn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x, x, x)[0]


# name: (dlc module, torch module, input shape without batch, int input range, train check)
CASES = {
    "linear": (lambda: nn.Linear(6, 5), lambda: tnn.Linear(6, 5), (6,), None, True),
    "linear_3d": (lambda: nn.Linear(6, 5), lambda: tnn.Linear(6, 5), (3, 6), None, True),
    "conv1d": (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1),
               lambda: tnn.Conv1d(3, 4, 3, stride=2, padding=1), (3, 9), None, True),
    "conv2d_groups_dilation": (
        lambda: nn.Conv2d(4, 6, 3, stride=1, padding=2, dilation=2, groups=2),
        lambda: tnn.Conv2d(4, 6, 3, stride=1, padding=2, dilation=2, groups=2),
        (4, 7, 7), None, True),
    "conv2d_depthwise": (lambda: nn.Conv2d(4, 4, 3, padding=1, groups=4),
                         lambda: tnn.Conv2d(4, 4, 3, padding=1, groups=4), (4, 6, 6), None, True),
    "conv3d": (lambda: nn.Conv3d(2, 3, 2, stride=(1, 2, 1)),
               lambda: tnn.Conv3d(2, 3, 2, stride=(1, 2, 1)), (2, 4, 5, 4), None, True),
    "conv_transpose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
                         lambda: tnn.ConvTranspose2d(3, 2, 3, stride=2, padding=1,
                                                     output_padding=1), (3, 4, 4), None, True),
    "batchnorm1d": (lambda: nn.BatchNorm1d(5), lambda: tnn.BatchNorm1d(5), (5,), None, True),
    "batchnorm2d": (lambda: nn.BatchNorm2d(3), lambda: tnn.BatchNorm2d(3), (3, 4, 4), None, True),
    "layernorm": (lambda: nn.LayerNorm(6), lambda: tnn.LayerNorm(6), (3, 6), None, True),
    "groupnorm": (lambda: nn.GroupNorm(2, 4), lambda: tnn.GroupNorm(2, 4), (4, 3, 3), None, True),
    "dropout": (lambda: nn.Sequential(nn.Linear(64, 64), nn.Dropout(0.3)),
                lambda: tnn.Sequential(tnn.Linear(64, 64), tnn.Dropout(0.3)), (64,), None, False),
    "embedding": (lambda: nn.Embedding(11, 4), lambda: tnn.Embedding(11, 4), (5,), 11, True),
    "maxpool2d": (lambda: nn.Sequential(nn.Conv2d(2, 2, 1), nn.MaxPool2d(2, stride=2, padding=1)),
                  lambda: tnn.Sequential(tnn.Conv2d(2, 2, 1), tnn.MaxPool2d(2, stride=2, padding=1)),
                  (2, 5, 5), None, True),
    "avgpool2d": (lambda: nn.Sequential(nn.Conv2d(2, 2, 1), nn.AvgPool2d(3, stride=2, padding=1)),
                  lambda: tnn.Sequential(tnn.Conv2d(2, 2, 1), tnn.AvgPool2d(3, stride=2, padding=1)),
                  (2, 6, 6), None, True),
    "adaptive_avgpool2d": (
        lambda: nn.Sequential(nn.Conv2d(2, 3, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        lambda: tnn.Sequential(tnn.Conv2d(2, 3, 1), tnn.AdaptiveAvgPool2d(1), tnn.Flatten()),
        (2, 4, 4), None, True),
    "adaptive_avgpool2d_2x2": (
        lambda: nn.Sequential(nn.Conv2d(2, 3, 1), nn.AdaptiveAvgPool2d((2, 2))),
        lambda: tnn.Sequential(tnn.Conv2d(2, 3, 1), tnn.AdaptiveAvgPool2d((2, 2))),
        (2, 4, 6), None, True),
    "activations": (
        lambda: nn.Sequential(nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 6), nn.LeakyReLU(0.2),
                              nn.Linear(6, 6), nn.GELU(), nn.Linear(6, 6), nn.SiLU(),
                              nn.Linear(6, 6), nn.Sigmoid(), nn.Linear(6, 6), nn.Tanh(),
                              nn.Linear(6, 6), nn.Softmax(dim=-1)),
        lambda: tnn.Sequential(tnn.Linear(6, 6), tnn.ReLU(), tnn.Linear(6, 6), tnn.LeakyReLU(0.2),
                               tnn.Linear(6, 6), tnn.GELU(), tnn.Linear(6, 6), tnn.SiLU(),
                               tnn.Linear(6, 6), tnn.Sigmoid(), tnn.Linear(6, 6), tnn.Tanh(),
                               tnn.Linear(6, 6), tnn.Softmax(dim=-1)),
        (6,), None, True),
    "multihead_attention": (lambda: First(nn.MultiheadAttention(8, 2, batch_first=True)),
                            lambda: TFirst(tnn.MultiheadAttention(8, 2, batch_first=True)),
                            (4, 8), None, True),
    "transformer_encoder_layer": (
        lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
        lambda: tnn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
        (5, 8), None, True),
    "transformer_encoder_layer_norm_first_gelu": (
        lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True),
        lambda: tnn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu",
                                            batch_first=True, norm_first=True),
        (5, 8), None, True),
}


def _inputs(shape, int_range, batch, rng):
    if int_range:
        return rng.integers(0, int_range, (batch,) + shape).astype(np.int64)
    return rng.standard_normal((batch,) + shape).astype(np.float32)


def _pair(name):
    make, tmake, shape, int_range, _ = CASES[name]
    dlc.manual_seed(1)
    m = make()
    t = tmake()
    # Distinct values for everything (ones/zeros of norms too), copied to torch.
    rng = np.random.default_rng(2)
    for k, v in m.state_dict().items():
        if k.endswith("running_var"):
            v[...] = rng.uniform(0.5, 1.5, v.shape)
        else:
            v += 0.1 * rng.standard_normal(v.shape).astype(v.dtype)
    t.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in m.state_dict().items()},
                      strict=False)
    return m, t, shape, int_range


def _close(got, want, what):
    want = want.detach().numpy() if hasattr(want, "detach") else want
    assert got.shape == want.shape, f"{what}: shape {got.shape} vs {want.shape}"
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    assert np.allclose(got, want, rtol=RTOL, atol=ATOL), f"{what}: max abs err {err:.3g}"


@pytest.mark.parametrize("name", list(CASES))
def test_layer(name):
    """One training library per layer (dlc --train): its inference entry
    point at two batch sizes against torch in eval mode, then one SGD step
    (lr 1, so old - new is the gradient) against autograd in train mode."""
    m, t, shape, int_range = _pair(name)
    rng = np.random.default_rng(3)
    trainer = dlc.train.Trainer(m, loss="mse", optimizer="sgd", lr=1.0,
                                example_inputs=[_inputs(shape, int_range, 2, rng)])
    t.eval()
    for batch in (3, 1):  # one library, two batch sizes
        x = _inputs(shape, int_range, batch, rng)
        with torch.no_grad():
            want = t(torch.from_numpy(x))
        _close(trainer.predict(x), want, f"{name} forward at batch {batch}")
    if name == "dropout":
        # Training mode: a mask of its own (not torch's): about 30% zeros,
        # the rest scaled by 1 / 0.7.
        x = _inputs(shape, int_range, 4, rng)
        _, pred = trainer.step(x, np.zeros((4, 64), np.float32), lr=0.0)
        with torch.no_grad():
            full = t(torch.from_numpy(x)).numpy()
        kept = pred != 0
        assert 0.2 < 1 - kept.mean() < 0.4, f"dropped {1 - kept.mean():.3f}"
        np.testing.assert_allclose(pred[kept], full[kept] / 0.7, rtol=RTOL, atol=ATOL)
    if not CASES[name][4]:
        return
    x = _inputs(shape, int_range, 4, rng)
    t.train()
    out = t(torch.from_numpy(x))
    target = rng.standard_normal(tuple(out.shape)).astype(np.float32)
    before = {k: v.copy() for k, v in m.state_dict().items()}
    loss, pred = trainer.step(x, target)
    ref = torch.nn.functional.mse_loss(out, torch.from_numpy(target))
    ref.backward()
    _close(np.float32(loss), ref.detach().numpy(), f"{name} loss")
    _close(pred, out, f"{name} prediction in training mode")
    after = m.state_dict()
    for k, p in t.named_parameters():
        _close(before[k] - after[k], p.grad, f"{name} gradient of {k}")
    for k, b in t.named_buffers():
        if k in after and b.dtype == torch.float32:
            _close(after[k], b, f"{name} running statistic {k}")


def test_compiled_inference_dynamic_batch():
    """dlc.compile of layers (weights folded into the code, unlike the
    training library's state inputs): a conv stack at three batch sizes."""
    dlc.manual_seed(4)
    m = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.GELU(),
                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 5), nn.LogSoftmax(1))
    t = tnn.Sequential(tnn.Conv2d(3, 8, 3, padding=1), tnn.BatchNorm2d(8), tnn.GELU(),
                       tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(8 * 4 * 4, 5),
                       tnn.LogSoftmax(1))
    rng = np.random.default_rng(5)
    for v in m.state_dict().values():
        v += 0.1 * rng.standard_normal(v.shape).astype(v.dtype)
    t.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in m.state_dict().items()},
                      strict=False)
    t.eval()
    compiled = dlc.compile(m, [np.zeros((1, 3, 8, 8), np.float32)])
    for batch in (1, 4, 9):
        x = rng.standard_normal((batch, 3, 8, 8)).astype(np.float32)
        with torch.no_grad():
            _close(compiled(x), t(torch.from_numpy(x)), f"compiled at batch {batch}")
