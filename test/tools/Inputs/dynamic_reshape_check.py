"""Runs dynamic_reshape.onnxtxt's library at batch 1 and 3 against numpy:
prints one True/False per batch.

usage: dynamic_reshape_check.py LIB
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "python"))
from dlc import CompiledModel  # noqa: E402

model = CompiledModel(sys.argv[1], "dr_forward")
results = []
for n in (1, 3):
    x = np.random.RandomState(n).randn(n, 6, 8).astype(np.float32)
    y = model(x)
    y = np.asarray(y[0] if isinstance(y, (list, tuple)) else y)
    results.append(y.shape == (2 * n, 3, 8) and
                   bool(np.array_equal(y, np.maximum(x.reshape(-1, 3, 8), 0))))
print(results)
