#!/usr/bin/python3
"""`dlc --train --data-parallel` under `mpirun -np 2` on this machine.

usage: data_parallel_check.py DLC WORKDIR

- equivalence: for the Fashion-MNIST example's MLP and CNN, 2 ranks each on
  a batch of B reach the parameters (and losses) of 1 process on the batch
  of 2B after 10 Adam steps (relative error <= 1e-5). For the MLP, rank 1's
  library was compiled with another seed: train_init must broadcast rank
  0's initial parameters.
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


def params(trainer):
    return {n: a.copy() for n, a in trainer.named_state().items()
            if not n.endswith((".exp_avg", ".exp_avg_sq")) and n != "step"}


def reference(work, model):
    x, y = data(model)
    t = Trainer(lib_path(work, model, 2 * B, False))
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

    for model in ("mlp", "cnn"):
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
