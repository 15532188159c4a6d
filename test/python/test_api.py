"""dlc.compile / CompiledModel / save / load, errors as exceptions, and
training: an MLP against torch.nn with the same weights and Adam over 20
steps, fit / evaluate / predict / history.plot, schedules, a custom loss."""
import math
import os

import numpy as np
import pytest
import torch

import dlc
import dlc.nn as nn
import dlc.nn.functional as F
from dlc.train import CosineLR, StepLR, Trainer, WarmupLR


def mlp():
    return nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(),
                         nn.Linear(8, 3))


@pytest.fixture(scope="module")
def compiled_mlp():
    dlc.manual_seed(5)
    net = mlp()
    return net, dlc.compile(net, [np.zeros((2, 10), np.float32)])


def torch_copy(net):
    t = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8),
                            torch.nn.Tanh(), torch.nn.Linear(8, 3))
    t.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in net.state_dict().items()})
    return t


def test_compile_call_dynamic_batch(compiled_mlp):
    net, model = compiled_mlp
    t = torch_copy(net)
    for n in (1, 7, 32):
        x = np.random.randn(n, 10).astype(np.float32)
        out = model(x)
        assert out.shape == (n, 3)
        np.testing.assert_allclose(out, t(torch.from_numpy(x)).detach().numpy(),
                                   rtol=1e-4, atol=1e-5)
    assert model.input_names == ["input"] and model.output_names == ["output"]
    # Lists convert to the input's dtype.
    assert model([[0.0] * 10]).shape == (1, 3)


def test_save_load(compiled_mlp, tmp_path):
    net, model = compiled_mlp
    lib = model.save(str(tmp_path / "mlp"))
    assert os.path.exists(lib) and os.path.exists(str(tmp_path / "mlp.h"))
    again = dlc.load(str(tmp_path / "mlp"))
    x = np.random.randn(4, 10).astype(np.float32)
    np.testing.assert_array_equal(again(x), model(x))


def test_abi_error_is_an_exception(compiled_mlp):
    _, model = compiled_mlp
    with pytest.raises(dlc.DLCError, match=r"input 0 'input' dim 1 is 9, expected 10"):
        model(np.zeros((2, 9), np.float32))
    with pytest.raises(dlc.DLCError, match="dtype"):
        model(np.zeros((2, 10), np.float64))


def test_compile_error_names_the_node(tmp_path):
    from onnx import TensorProto, helper
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Det", ["x"], ["d"], name="my_det"),
                               helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(dlc.CompileError, match=r"node 'my_det' \(Det"):
        dlc.compile(model)


def test_compile_error_of_a_module_names_its_layer():
    class Det(nn.Module):  # Det of 4x4 matrices, which dlc does not import
        def forward(self, x):
            return F._op("Det", [x], x.shape[:-2], x.dtype)

    net = nn.Sequential(nn.Linear(4, 4), Det())
    with pytest.raises(dlc.CompileError, match=r"node '1/Det' \(Det, opset 17\): Det of 4x4 "
                                               r"matrices is not supported") as e:
        dlc.compile(net, [np.zeros((2, 4, 4), np.float32)])
    assert e.value.stage == "import error"


def test_trace_error_names_the_layer():
    net = nn.Sequential(nn.Linear(10, 4), nn.Linear(5, 2))
    with pytest.raises(dlc.TraceError, match=r"in 1 \(Linear\): linear: input has 4 features"):
        dlc.compile(net, [np.zeros((1, 10), np.float32)])


def test_unsupported_target_and_quantize():
    with pytest.raises(dlc.CompileError, match="target 'tpu'"):
        dlc.compile(mlp(), [np.zeros((1, 10), np.float32)], target="tpu")


def test_quantize_static_and_dynamic():
    # INT8: calibrated on input sets (static) or ranges at run time
    # (dynamic); both close to the float model.
    dlc.manual_seed(7)
    net = mlp()
    rng = np.random.default_rng(0)
    sets = [rng.standard_normal((4, 10)).astype(np.float32) for _ in range(4)]
    x = rng.standard_normal((4, 10)).astype(np.float32)
    want = dlc.compile(net, [x])(x)
    for q in (dlc.compile(net, [x], quantize="static", calibration=sets),
              dlc.compile(net, [x], quantize="dynamic")):
        got = q(x)
        sqnr = 10 * np.log10((want ** 2).sum() / ((want - got) ** 2).sum())
        assert sqnr > 25, sqnr
    with pytest.raises(dlc.CompileError, match="quantize='static' needs calibration="):
        dlc.compile(net, [x], quantize="static")
    with pytest.raises(dlc.CompileError, match="quantize='int4'"):
        dlc.compile(net, [x], quantize="int4")
    with pytest.raises(dlc.CompileError, match="does not exist"):
        dlc.compile(net, [x], quantize="static", calibration="/nonexistent/dir")


def test_cuda_model_without_a_driver_raises_naming_libcuda(monkeypatch):
    # No GPU here: the call fails with the runtime's message, the process
    # goes on.
    monkeypatch.setenv("DLC_CUDA_DRIVER_PATH", "/nonexistent/libcuda.so.1")
    x = np.zeros((2, 10), np.float32)
    model = dlc.compile(mlp(), [x], target="cuda")
    with pytest.raises(dlc.DLCError,
                       match="no CUDA driver: cannot load /nonexistent/libcuda.so.1"):
        model(x)
    assert dlc.compile(mlp(), [x])(x).shape == (2, 3)


def test_mlp_adam_20_steps_matches_torch():
    dlc.manual_seed(7)
    net = mlp()
    t = torch_copy(net)
    opt = torch.optim.Adam(t.parameters(), lr=1e-2)
    trainer = Trainer(net, loss="cross_entropy", optimizer="adam", lr=1e-2)
    rng = np.random.default_rng(0)
    worst = 0.0
    for step in range(20):
        x = rng.standard_normal((16, 10)).astype(np.float32)
        y = rng.integers(0, 3, 16)
        loss, _ = trainer.step(x, y)
        opt.zero_grad()
        ref = torch.nn.functional.cross_entropy(t(torch.from_numpy(x)), torch.from_numpy(y))
        ref.backward()
        opt.step()
        worst = max(worst, abs(loss - ref.item()))
        assert abs(loss - ref.item()) < 1e-4, f"step {step}: {loss} vs {ref.item()}"
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(net.state_dict()[k], v.numpy(), rtol=1e-4, atol=1e-5)
    print(f"max loss difference over 20 Adam steps: {worst:.3g}")


def test_schedules():
    s = StepLR(0.1, step_size=10, gamma=0.5)
    assert s(0) == 0.1 and s(9) == 0.1 and s(10) == 0.05 and s(25) == 0.025
    c = CosineLR(1.0, total_steps=100, min_lr=0.0)
    assert c(0) == 1.0 and abs(c(50) - 0.5) < 1e-12 and abs(c(100)) < 1e-12 and c(200) == c(100)
    w = WarmupLR(c, warmup_steps=10)
    assert abs(w(0) - 0.1) < 1e-12 and abs(w(9) - 1.0) < 1e-12 and w(10) == c(0) and w(60) == c(50)


def test_fit_evaluate_predict_plot(tmp_path):
    # Two Gaussian blobs per class in 2-D: learnable in a few epochs.
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((3, 10)).astype(np.float32) * 3
    y = rng.integers(0, 3, 600)
    x = centers[y] + rng.standard_normal((600, 10)).astype(np.float32)
    dlc.manual_seed(3)
    net = nn.Sequential(nn.Linear(10, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.1),
                        nn.Linear(32, 3))
    sched = WarmupLR(CosineLR(0.02, total_steps=60), warmup_steps=5)
    trainer = Trainer(net, loss="cross_entropy", optimizer="adamw", lr=sched,
                      weight_decay=0.01, clip_norm=5.0)
    hist = trainer.fit(x[:500], y[:500], epochs=3, batch_size=32, validation=(x[500:], y[500:]),
                       verbose=True)
    assert hist.epochs == 3 and len(hist["step_loss"]) == 3 * 16  # the last batch is partial
    assert hist["loss"][-1] < hist["loss"][0]
    assert hist["val_accuracy"][-1] > 0.9, hist
    assert hist["lr"][-1] == sched(trainer.step_count)
    ev = trainer.evaluate(x[500:], y[500:])
    assert abs(ev["accuracy"] - hist["val_accuracy"][-1]) < 1e-9
    pred = trainer.predict(x[500:])
    assert pred.shape == (100, 3)
    assert abs((pred.argmax(1) == y[500:]).mean() - ev["accuracy"]) < 1e-9
    # The module holds the trained weights: compiled on its own it agrees.
    again = dlc.compile(net, [x[:1]])
    np.testing.assert_allclose(again(x[500:]), pred, rtol=1e-4, atol=1e-5)
    png = hist.plot(str(tmp_path / "curves.png"))
    assert os.path.getsize(png) > 10000
    onnx_path = trainer.export_onnx(str(tmp_path / "trained.onnx"))
    np.testing.assert_allclose(dlc.compile(onnx_path)(x[500:]), pred, rtol=1e-4, atol=1e-5)


def test_custom_loss_matches_torch():
    """A loss written with dlc.nn.functional (here MSE + an L1 term of the
    output), traced into the step: 5 SGD steps against torch."""
    dlc.manual_seed(2)
    net = mlp()
    t = torch_copy(net)
    opt = torch.optim.SGD(t.parameters(), lr=0.05)

    def loss_fn(pred, target):
        return F.mse_loss(pred, target) + 0.1 * F.mean(F.abs(pred))

    trainer = Trainer(net, loss=loss_fn, optimizer="sgd", lr=0.05)
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = rng.standard_normal((8, 10)).astype(np.float32)
        y = rng.standard_normal((8, 3)).astype(np.float32)
        loss, pred = trainer.step(x, y)
        opt.zero_grad()
        out = t(torch.from_numpy(x))
        ref = torch.nn.functional.mse_loss(out, torch.from_numpy(y)) + 0.1 * out.abs().mean()
        ref.backward()
        opt.step()
        assert abs(loss - ref.item()) < 1e-5
        np.testing.assert_allclose(pred, out.detach().numpy(), rtol=1e-4, atol=1e-5)
    x = rng.standard_normal((5, 10)).astype(np.float32)
    np.testing.assert_allclose(trainer.predict(x), t(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    ev = trainer.evaluate(x, np.zeros((5, 3), np.float32))
    assert ev["accuracy"] is None and ev["loss"] > 0


def test_checkpoint_option_reaches_dlc():
    trainer = Trainer(mlp(), checkpoint="sqrt")
    assert "--checkpoint=sqrt" in trainer._flags
