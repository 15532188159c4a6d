#!/usr/bin/python3
"""ONNX RNN, GRU and LSTM in the combinations the ONNX node tests leave out
(reverse and bidirectional directions with sequence_lens, peepholes, clip,
input_forget, linear_before_reset = 0, layout = 1, every activation that
takes alpha / beta, a dynamic batch), compiled with dlc and compared with a
numpy transcription of the ONNX operator definitions (rtol 1e-4, atol 1e-5).

usage: recurrent_onnx_check.py DLC WORKDIR
"""
import os
import subprocess
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import CompiledModel, TensorSpec  # noqa: E402

dlc, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
failures = []


def act(name, x, a, b):
    name = name.lower()
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0)
    if name == "affine":
        return a * x + b
    if name == "leakyrelu":
        return np.where(x >= 0, x, a * x)
    if name == "thresholdedrelu":
        return np.where(x > a, x, 0)
    if name == "scaledtanh":
        return a * np.tanh(b * x)
    if name == "hardsigmoid":
        return np.clip(a * x + b, 0, 1)
    if name == "elu":
        return np.where(x >= 0, x, a * (np.exp(x) - 1))
    if name == "softsign":
        return x / (1 + np.abs(x))
    if name == "softplus":
        return np.log1p(np.exp(x))
    raise ValueError(name)


ALPHA = {"affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu"}
BETA = {"affine", "scaledtanh", "hardsigmoid"}


def reference(kind, attrs, X, W, R, B=None, lens=None, h0=None, c0=None, P=None):
    """ONNX RNN / GRU / LSTM, one sequence at a time, layout 0."""
    H = attrs["hidden_size"]
    direction = attrs.get("direction", "forward")
    D = 2 if direction == "bidirectional" else 1
    per = {"RNN": 1, "GRU": 2, "LSTM": 3}[kind]
    names = attrs.get("activations") or {
        "RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
        "LSTM": ["Sigmoid", "Tanh", "Tanh"]}[kind] * D
    alphas, betas = list(attrs.get("activation_alpha", [])), list(attrs.get("activation_beta", []))
    fns = []
    for n in names:
        a = alphas.pop(0) if n.lower() in ALPHA else None
        b = betas.pop(0) if n.lower() in BETA else None
        fns.append((n, a, b))
    clip = attrs.get("clip")
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    T, N, _ = X.shape
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    Y = np.zeros((T, D, N, H), np.float64)
    Yh = np.zeros((D, N, H), np.float64)
    Yc = np.zeros((D, N, H), np.float64)
    for d in range(D):
        f = [lambda v, k=k: act(fns[d * per + k][0], v, fns[d * per + k][1], fns[d * per + k][2])
             for k in range(per)]
        rev = direction == "reverse" or d == 1
        Wb = B[d][:G * H] if B is not None else np.zeros(G * H)
        Rb = B[d][G * H:] if B is not None else np.zeros(G * H)
        for n in range(N):
            L = int(lens[n]) if lens is not None else T
            h = h0[d, n].astype(np.float64) if h0 is not None else np.zeros(H)
            c = c0[d, n].astype(np.float64) if c0 is not None else np.zeros(H)
            for t in (range(L - 1, -1, -1) if rev else range(L)):
                x = X[t, n].astype(np.float64)
                if kind == "RNN":
                    h = f[0](cl(x @ W[d].T + h @ R[d].T + Wb + Rb))
                elif kind == "LSTM":
                    g = x @ W[d].T + h @ R[d].T + Wb + Rb
                    i, o, fg, cc = np.split(g, 4)
                    pi, po, pf = np.split(P[d], 3) if P is not None else (0, 0, 0)
                    i = f[0](cl(i + pi * c))
                    fg = 1 - i if attrs.get("input_forget") else f[0](cl(fg + pf * c))
                    c = fg * c + i * f[1](cl(cc))
                    o = f[0](cl(o + po * c))
                    h = o * f[2](c)
                else:
                    Wz, Wr, Wh = np.split(W[d], 3)
                    Rz, Rr, Rh = np.split(R[d], 3)
                    wbz, wbr, wbh = np.split(Wb, 3)
                    rbz, rbr, rbh = np.split(Rb, 3)
                    z = f[0](cl(x @ Wz.T + h @ Rz.T + wbz + rbz))
                    r = f[0](cl(x @ Wr.T + h @ Rr.T + wbr + rbr))
                    if attrs.get("linear_before_reset"):
                        hh = f[1](cl(x @ Wh.T + wbh + r * (h @ Rh.T + rbh)))
                    else:
                        hh = f[1](cl(x @ Wh.T + wbh + (r * h) @ Rh.T + rbh))
                    h = (1 - z) * hh + z * h
                Y[t, d, n] = h
            Yh[d, n], Yc[d, n] = h, c
    return Y, Yh, Yc


def case(name, kind, attrs, T, N, I, optional, dynamic_batch=False, batches=None):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    H = attrs["hidden_size"]
    D = 2 if attrs.get("direction") == "bidirectional" else 1
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    layout = attrs.get("layout", 0)
    inits = {"W": rng.uniform(-0.6, 0.6, (D, G * H, I)).astype(np.float32),
             "R": rng.uniform(-0.6, 0.6, (D, G * H, H)).astype(np.float32)}
    if "B" in optional:
        inits["B"] = rng.uniform(-0.5, 0.5, (D, 2 * G * H)).astype(np.float32)
    if "P" in optional:
        inits["P"] = rng.uniform(-0.5, 0.5, (D, 3 * H)).astype(np.float32)
    batch = "batch" if dynamic_batch else N
    names = ["X", "W", "R", "B", "lens", "h0", "c0", "P"][:{"LSTM": 8}.get(kind, 6)]
    inputs = [helper.make_tensor_value_info(
        "X", TensorProto.FLOAT, [batch, T, I] if layout else [T, batch, I])]
    runtime = ["X"]
    for opt, shape, et in (("lens", [batch], TensorProto.INT32),
                           ("h0", [batch, D, H] if layout else [D, batch, H], TensorProto.FLOAT),
                           ("c0", [batch, D, H] if layout else [D, batch, H], TensorProto.FLOAT)):
        if opt in optional:
            inputs.append(helper.make_tensor_value_info(opt, et, shape))
            runtime.append(opt)
    node_inputs = [n if (n in ("X", "W", "R") or n in optional) else "" for n in names]
    while node_inputs and node_inputs[-1] == "":
        node_inputs.pop()
    outs = ["Y", "Yh"] + (["Yc"] if kind == "LSTM" else [])
    node = helper.make_node(kind, node_inputs, outs, **attrs)
    y_shape = [batch, T, D, H] if layout else [T, D, batch, H]
    s_shape = [batch, D, H] if layout else [D, batch, H]
    outputs = [helper.make_tensor_value_info("Y", TensorProto.FLOAT, y_shape)] + [
        helper.make_tensor_value_info(o, TensorProto.FLOAT, s_shape) for o in outs[1:]]
    graph = helper.make_graph([node], name, inputs, outputs,
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = os.path.join(work, name + ".onnx")
    onnx.save(model, path)
    lib = os.path.join(work, f"lib{name}.so")
    p = subprocess.run([dlc, path, "--emit=shared", "-o", lib, "--entry", "forward"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        failures.append(name)
        print(f"{name}: compile failed: {p.stderr.strip()[:600]}")
        return
    specs = [TensorSpec(1 if r == "lens" else 3,
                        np.int32 if r == "lens" else np.float32) for r in runtime]
    compiled = CompiledModel(lib, "forward", specs,
                             [TensorSpec(4, np.float32)] + [TensorSpec(3, np.float32)] * (len(outs) - 1))
    worst = 0.0
    for n in batches or [N]:
        feed = {"X": rng.standard_normal((T, n, I)).astype(np.float32)}
        if "lens" in optional:
            feed["lens"] = rng.integers(1, T + 1, n).astype(np.int32)
        for s in ("h0", "c0"):
            if s in optional:
                feed[s] = rng.standard_normal((D, n, H)).astype(np.float32)
        want = reference(kind, attrs, feed["X"], inits["W"], inits["R"], inits.get("B"),
                         feed.get("lens"), feed.get("h0"), feed.get("c0"), inits.get("P"))
        args = []
        for r in runtime:
            v = feed[r]
            if layout and r == "X":
                v = v.transpose(1, 0, 2)
            elif layout and r in ("h0", "c0"):
                v = v.transpose(1, 0, 2)
            args.append(np.ascontiguousarray(v))
        got = compiled(*args)
        for o, g, w in zip(outs, got, want):
            if layout:
                w = w.transpose(2, 0, 1, 3) if o == "Y" else w.transpose(1, 0, 2)
            ok = g.shape == w.shape and np.allclose(g, w, rtol=1e-4, atol=1e-5)
            err = float(np.max(np.abs(g - w))) if g.shape == w.shape else float("inf")
            worst = max(worst, err)
            if not ok:
                failures.append(f"{name} {o}")
                print(f"  MISMATCH {name} batch {n} {o}: shapes {g.shape} {w.shape}, "
                      f"max abs err {err:.3g}")
    print(f"{name}: {'ok' if not any(f.startswith(name) for f in failures) else 'FAILED'}; "
          f"max abs err {worst:.2g}")


case("lstm_bidir_lens_peep_clip", "LSTM",
     dict(hidden_size=4, direction="bidirectional", clip=2.5), 5, 3, 3,
     {"B", "lens", "h0", "c0", "P"})
case("lstm_reverse_forget_acts", "LSTM",
     dict(hidden_size=3, direction="reverse", input_forget=1,
          activations=["HardSigmoid", "Elu", "Softplus"],
          activation_alpha=[0.3, 0.7], activation_beta=[0.4]), 4, 2, 3, {"B", "h0"})
case("gru_reverse_lens_reset", "GRU",
     dict(hidden_size=4, direction="reverse", linear_before_reset=0), 6, 3, 2,
     {"B", "lens", "h0"}, dynamic_batch=True, batches=[3, 5])
case("gru_bidir_batch_first", "GRU",
     dict(hidden_size=3, direction="bidirectional", linear_before_reset=1, layout=1,
          activations=["Sigmoid", "Softsign", "ScaledTanh", "Affine"],
          activation_alpha=[0.8, 0.5], activation_beta=[1.2, 0.1]), 4, 2, 3, {"B", "h0"})
case("rnn_bidir_lens_acts", "RNN",
     dict(hidden_size=5, direction="bidirectional", clip=1.5,
          activations=["LeakyRelu", "ThresholdedRelu"], activation_alpha=[0.2, 0.1]),
     5, 4, 3, {"B", "lens"})
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
