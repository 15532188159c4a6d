#!/usr/bin/python3
"""dlc.train.Trainer(data_parallel=True) under mpirun (issue 17): every rank
trains on its shard of each global batch, only rank 0 prints progress and
writes files, and 2 ranks x batch B end where 1 process with batch 2B does
(Adam, 2 epochs).

usage: data_parallel_trainer_check.py ranks SRCROOT OUTDIR    (under mpirun)
       data_parallel_trainer_check.py single SRCROOT OUTDIR   (compares)
"""
import os
import sys

import numpy as np

mode, src, out = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "python"))
import dlc  # noqa: E402
import dlc.nn as nn  # noqa: E402
from dlc import distributed  # noqa: E402

B = 16
rng = np.random.default_rng(5)
x = rng.normal(size=[256, 8]).astype(np.float32)
y = (x[:, :4].argmax(1)).astype(np.int64)
nn.init.manual_seed(1)
net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
parallel = mode == "ranks"
trainer = dlc.train.Trainer(net, loss="cross_entropy", optimizer="adam", lr=1e-2,
                            data_parallel=parallel)
hist = trainer.fit(x, y, epochs=2, batch_size=B if parallel else 2 * B, seed=3,
                   verbose=parallel)
sys.stdout.flush()
if parallel:
    hist.plot(os.path.join(out, f"curves_rank{distributed.rank()}.png"))
    state = {k: v for k, v in trainer.state.items()}
    np.savez(os.path.join(out, f"state_rank{distributed.rank()}.npz"), **state)
    print(f"rank {distributed.rank()} of {distributed.size()}: {len(hist['step_loss'])} steps, "
          f"final loss {hist['loss'][-1]:.5f}", file=sys.stderr)
    sys.exit(0)

ok = True
ranks = [np.load(os.path.join(out, f"state_rank{r}.npz")) for r in range(2)]
print(f"single process: {len(hist['step_loss'])} steps, final loss {hist['loss'][-1]:.5f}")
for name, want in trainer.state.items():
    if want.dtype.kind != "f":
        continue
    for r, got in enumerate(ranks):
        err = np.abs(got[name] - want).max() / max(np.abs(want).max(), 1e-30)
        if err > 1e-5:
            print(f"rank {r} {name}: relative error {err:.2e} > 1e-5")
            ok = False
print(f"ranks equal to the single process: {ok}")
files = sorted(f for f in os.listdir(out) if f.endswith(".png"))
print(f"plots written: {files}")
ok &= files == ["curves_rank0.png"]
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
