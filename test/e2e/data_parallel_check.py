#!/usr/bin/python3
"""`dlc --train --data-parallel` under `mpirun -np 2` on this machine.

usage: data_parallel_check.py DLC WORKDIR

- equivalence: for the Fashion-MNIST example's MLP and CNN, 2 ranks each on
  a batch of B reach the parameters (and losses) of 1 process on the batch
  of 2B after 10 Adam steps (relative error <= 1e-5). For the MLP, rank 1's
  library was compiled with another seed: train_init must broadcast rank
  0's initial parameters.
- --sync-batchnorm: a CNN with batch norm reaches the same parameters and
  running statistics on 2 ranks x B as 1 process on 2B (the global batch's
  statistics, forward and backward); without the flag it does not (each
  rank normalizes with its own half), which shows the check can fail.
- mismatch: ranks running different models fail on both ranks with a
  message naming both, instead of hanging.
- no MPI: a --data-parallel library called outside mpirun, without
  dlc_dist_init, returns DLC_STATUS_RUNTIME_ERROR saying so.
"""
import importlib.util
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
from dlc import DLCError, Entry, Trainer, compile_training  # noqa: E402
from dlc import distributed  # noqa: E402

B = 8       # per rank
STEPS = 10
LR = 1e-3
RTOL = 1e-5


def example_module():
    spec = importlib.util.spec_from_file_location(
        "fashion_mnist_train", os.path.join(ROOT, "examples", "fashion_mnist", "train.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def bn_model(batch):
    """Conv, BatchNormalization, Relu, MaxPool, Linear: the batch norm's
    statistics are what --sync-batchnorm synchronizes. The conv has no bias:
    batch norm removes it, so its gradient is rounding noise that Adam
    would turn into steps of the learning rate's size."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def param(name, shape):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
    rng = np.random.default_rng(7)
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for n, a in (
        ("bn.scale", 1 + 0.1 * rng.standard_normal(8)), ("bn.bias", 0.1 * rng.standard_normal(8)),
        ("bn.mean", np.zeros(8)), ("bn.var", np.ones(8)))]
    nodes = [
        helper.make_node("Conv", ["image", "conv.weight"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
                         ["n"], name="bn"),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("MatMul", ["f", "fc.weight"], ["m"]),
        helper.make_node("Add", ["m", "fc.bias"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "cnn_bn", [param("image", [batch, 1, 28, 28]), param("conv.weight", [8, 1, 3, 3]),
                          param("fc.weight", [8 * 14 * 14, 10]),
                          param("fc.bias", [10])],
        [param("logits", [batch, 10])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def data(model: str):
    rng = np.random.default_rng(42)
    shape = (784,) if model == "mlp" else (1, 28, 28)
    x = rng.standard_normal((STEPS * 2 * B,) + shape).astype(np.float32)
    y = rng.integers(0, 10, STEPS * 2 * B).astype(np.int64)
    return x, y


def lib_path(work, model, batch, dp, seed=0):
    return os.path.join(work, f"lib{model}_b{batch}{'_dp' if dp else ''}_s{seed}.so")


def compile_all(dlc, work):
    fm = example_module()
    for model in ("mlp", "cnn"):
        for batch, dp, seed in ((2 * B, False, 0), (B, True, 0)) + (
                ((B, True, 1),) if model == "mlp" else ()):
            fm.BATCH = batch
            onnx_path = os.path.join(work, f"{model}_b{batch}.onnx")
            import onnx
            onnx.save(fm.mlp_model() if model == "mlp" else fm.cnn_model(), onnx_path)
            opts = ["--loss=cross_entropy", "--optimizer=adam", f"--seed={seed}"]
            if dp:
                opts.append("--data-parallel")
            compile_training(dlc, onnx_path, lib_path(work, model, batch, dp, seed), *opts)
    # The batch-norm CNN: the reference on 2B, --sync-batchnorm and plain
    # data-parallel libraries on B.
    import onnx
    for batch, dp, name in ((2 * B, False, "cnn_bn"), (B, True, "cnn_bn"),
                            (B, True, "cnn_bn_nosync")):
        onnx_path = os.path.join(work, f"{name}_b{batch}.onnx")
        onnx.save(bn_model(batch), onnx_path)
        opts = ["--loss=cross_entropy", "--optimizer=adam", "--seed=0"]
        if dp:
            opts.append("--data-parallel")
            if name == "cnn_bn":
                opts.append("--sync-batchnorm")
        compile_training(dlc, onnx_path, lib_path(work, name, batch, dp), *opts)


def params(trainer):
    return {n: a.copy() for n, a in trainer.named_state().items()
            if not n.endswith((".exp_avg", ".exp_avg_sq")) and n != "step"}


def reference(work, model):
    x, y = data(model)
    t = Trainer(lib_path(work, model.replace("_nosync", ""), 2 * B, False))
    losses = []
    for s in range(STEPS):
        sl = slice(s * 2 * B, (s + 1) * 2 * B)
        loss, _ = t.step(x[sl], y[sl], lr=LR)
        losses.append(float(loss))
    return params(t), np.array(losses)


def worker(work, model):
    """One rank of the equivalence run (under mpirun)."""
    r = distributed.rank()
    seed = 1 if (model == "mlp" and r == 1) else 0
    t = Trainer(lib_path(work, model, B, True, seed))
    assert t.dist is not None and t.dist.size == 2, "expected 2 ranks"
    x, y = data(model)
    order = np.arange(len(x))
    losses = []
    for s in range(STEPS):
        idx = distributed.shard(order, s, B)
        loss, _ = t.step(x[idx], y[idx], lr=LR)
        losses.append(float(loss))
    p = params(t)
    np.savez(os.path.join(work, f"{model}_rank{r}.npz"), losses=np.array(losses), **p)
    print(f"rank {r}: {model} done")
    return 0


def mismatch_worker(work):
    r = distributed.rank()
    model = "mlp" if r == 0 else "cnn"
    try:
        Trainer(lib_path(work, model, B, True))
    except DLCError as e:
        sys.stdout.write(f"rank {r}: {e.status_name}: {e}\n")
        sys.stdout.flush()
        return 0
    print(f"rank {r}: no error", flush=True)
    return 1


def mpirun(args, timeout=300):
    cmd = distributed.mpirun_command(2) + ["-x", "DLC_NUM_THREADS=1",
                                           sys.executable, os.path.abspath(__file__)] + args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def rel(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def main():
    if sys.argv[1] == "--worker":
        return worker(sys.argv[2], sys.argv[3])
    if sys.argv[1] == "--mismatch-worker":
        return mismatch_worker(sys.argv[2])
    dlc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    os.environ["DLC_NUM_THREADS"] = "1"
    compile_all(dlc, work)
    failures = 0

    for model in ("mlp", "cnn", "cnn_bn", "cnn_bn_nosync"):
        ref, ref_losses = reference(work, model)
        run = mpirun(["--worker", work, model])
        if run.returncode != 0:
            print(f"{model}: mpirun failed ({run.returncode})\n{run.stdout}\n{run.stderr}")
            failures += 1
            continue
        worst, worst_elem = 0.0, 0.0
        same_ranks = True
        for r in range(2):
            got = np.load(os.path.join(work, f"{model}_rank{r}.npz"))
            for name, want in ref.items():
                worst = max(worst, rel(got[name], want))
                worst_elem = max(worst_elem, float(np.max(
                    np.abs(got[name] - want) / (np.abs(want) + 1e-3))))
            worst = max(worst, rel(got["losses"], ref_losses))
            if r == 1:
                first = np.load(os.path.join(work, f"{model}_rank0.npz"))
                same_ranks &= all(np.array_equal(first[n], got[n]) for n in ref)
        if model == "cnn_bn_nosync":
            # Per-rank statistics: not the 2B batch's, by far more than RTOL
            # (and the running statistics stay each rank's own).
            ok = worst > 100 * RTOL
            print(f"{model}: without --sync-batchnorm, max relative error {worst:.2e} "
                  f"(> {100 * RTOL:.0e}: the ranks normalize with their own halves): "
                  f"{'ok' if ok else 'FAILED'}")
            failures += not ok
            continue
        ok = worst <= RTOL and same_ranks
        failures += not ok
        print(f"{model}: 2 ranks x batch {B} vs 1 x batch {2 * B}, {STEPS} Adam steps: "
              f"{len(ref)} parameters, max relative error {worst:.2e} (elementwise "
              f"{worst_elem:.2e}), ranks identical: {same_ranks}: {'ok' if ok else 'FAILED'}")

    run = mpirun(["--mismatch-worker", work], timeout=120)
    # mpirun may join the ranks' lines; find each rank's report.
    reports = dict(re.findall(r"rank (\d): (runtime error: .*?\(this is rank \d\))",
                              run.stdout))
    ok = run.returncode == 0 and sorted(reports) == ["0", "1"] and all(
        "run different models" in m for m in reports.values())
    failures += not ok
    print("mismatch: " + ("both ranks fail with: " + reports["0"]
                          if ok else f"FAILED\n{run.stdout}\n{run.stderr}"))

    import ctypes
    lib = ctypes.CDLL(os.path.abspath(lib_path(work, "mlp", B, True)))
    init = Entry(lib, f"mlp_b{B}_dp_s0_train_init", f"mlp_b{B}_dp_s0_train_init_release")
    try:
        init()
        print("no MPI: FAILED (train_init ran)")
        failures += 1
    except DLCError as e:
        ok = e.status_name == "runtime error" and "MPI is not initialized" in str(e)
        failures += not ok
        print(f"no MPI: {e.status_name}: {e}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
