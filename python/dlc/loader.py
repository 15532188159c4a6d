"""Calls a model compiled by `dlc --emit=shared` through ctypes.

`CompiledModel(library, FUNCTION, ...)` calls the entry point dlc made of
MLIR function FUNCTION (`dlc --entry FUNCTION`): NAME_run, through the
dlc_tensor ABI (abi.Entry), so the runtime checks dtypes, ranks, dims and
strides and a bad call raises `DLCError` with dlc_last_error()'s message.

One ABI: a function that is not an entry point cannot be called; compile
several functions of one library as entry points with a repeated --entry.
"""
import ctypes
from dataclasses import dataclass
from typing import List, Sequence

import numpy as np

from .abi import Entry, entry_symbols


@dataclass
class TensorSpec:
    """Rank and element type of one entry-point argument or result."""
    rank: int
    dtype: np.dtype


class CompiledModel:
    """A compiled entry point: call it with numpy arrays, get numpy arrays."""

    def __init__(self, library: str, entry: str, inputs: Sequence[TensorSpec],
                 outputs: Sequence[TensorSpec]):
        self._lib = ctypes.CDLL(library)
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        symbols = entry_symbols(self._lib, entry)
        if not symbols:
            raise ValueError(f"{library} has no entry point for '{entry}': "
                             f"compile it with dlc --entry {entry} (repeat "
                             f"--entry for several functions)")
        self._entry = Entry(self._lib, *symbols)

    def __call__(self, *arrays: np.ndarray) -> List[np.ndarray]:
        if len(arrays) != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs, got {len(arrays)}")
        return self._entry(*[a if isinstance(a, np.ndarray) else
                             np.asarray(a, dtype=spec.dtype)
                             for a, spec in zip(arrays, self.inputs)])
