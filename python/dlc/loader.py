"""Calls a model compiled by `dlc --emit=shared` through ctypes.

`CompiledModel(library, FUNCTION, ...)` calls the entry point dlc made of
MLIR function FUNCTION (`dlc --entry FUNCTION`; a model NAME compiled from
ONNX has NAME_forward): NAME_run, through the dlc_tensor ABI (abi.Entry), so
the runtime checks dtypes, ranks, dims and strides and a bad call raises
`DLCError` with dlc_last_error()'s message.

One ABI: a function that is not an entry point cannot be called; compile
several functions of one library as entry points with a repeated --entry.
"""
import ctypes
import json
import os
import shutil
import weakref
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

from .abi import Entry, entry_symbols


@dataclass
class TensorSpec:
    """Rank and element type of one entry-point argument or result."""
    rank: int
    dtype: np.dtype


class CompiledModel:
    """A compiled entry point: call it with numpy arrays, get numpy arrays.

    Made by `dlc.compile` / `dlc.load` it returns one array for a model of
    one output (a tuple otherwise), converts Python lists and numbers to the
    inputs' dtypes, and appends the parameters it reads live; made directly
    over a library it returns the list of outputs."""

    def __init__(self, library: str, entry: str, inputs: Optional[Sequence[TensorSpec]] = None,
                 outputs: Optional[Sequence[TensorSpec]] = None):
        self.library = os.path.abspath(library)
        self._lib = ctypes.CDLL(self.library)
        self.inputs = list(inputs) if inputs is not None else None
        self.outputs = list(outputs) if outputs is not None else None
        self.entry = entry
        symbols = entry_symbols(self._lib, entry)
        if not symbols:
            raise ValueError(f"{library} has no entry point for '{entry}': "
                             f"compile it with dlc --entry {entry} (repeat "
                             f"--entry for several functions)")
        self._entry = Entry(self._lib, *symbols)
        self._single = False
        self._dtypes = None
        self._bound = []
        self._meta = None

    def _setup(self, meta, bound, workdir):
        self._meta = meta
        single = meta.get("single_output")
        self._single = self._entry.num_outputs == 1 if single is None else bool(single)
        if meta.get("inputs"):
            self._dtypes = [np.dtype(d) for _, _, d in meta["inputs"]]
        self._bound = list(bound)
        if workdir:
            weakref.finalize(self, shutil.rmtree, workdir, True)

    @property
    def input_names(self) -> List[str]:
        """The data inputs' names (live parameters excluded)."""
        return self._entry.input_names[:self._entry.num_inputs - len(self._bound)]

    @property
    def output_names(self) -> List[str]:
        return self._entry.output_names

    def __call__(self, *arrays):
        n = self._entry.num_inputs - len(self._bound)
        if self.inputs is not None and len(arrays) != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs, got {len(arrays)}")
        if len(arrays) != n:
            raise ValueError(f"{self.entry}: expected {n} inputs "
                             f"({', '.join(self.input_names)}), got {len(arrays)}")
        args = []
        for i, a in enumerate(arrays):
            if not isinstance(a, np.ndarray):
                dtype = (self.inputs[i].dtype if self.inputs is not None else
                         self._dtypes[i] if self._dtypes else None)
                a = np.asarray(a, dtype=dtype)
            args.append(a)
        for _, p in self._bound:
            args.append(p.data if hasattr(p, "data") and isinstance(p.data, np.ndarray) else p)
        results = self._entry(*args)
        if self._meta is None:
            return results
        return results[0] if self._single else tuple(results)

    def save(self, path: str) -> str:
        """Writes PATH.so (or PATH if it ends in .so), its C header and a
        .json of what dlc.load needs; returns the .so's path."""
        lib = path if path.endswith(".so") else path + ".so"
        base = os.path.splitext(lib)[0]
        os.makedirs(os.path.dirname(os.path.abspath(lib)), exist_ok=True)
        shutil.copyfile(self.library, lib)
        header = os.path.splitext(self.library)[0]
        for h in (header + ".h", os.path.join(os.path.dirname(self.library),
                                              os.path.basename(header)[3:] + ".h")):
            if os.path.exists(h):
                shutil.copyfile(h, base + ".h")
                break
        meta = dict(self._meta or {})
        meta["entry"] = self.entry
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        if self._bound:
            np.savez(base + ".npz", **{n: np.asarray(getattr(p, "data", p))
                                       for n, p in self._bound})
        return lib
