"""Calls a model compiled by `dlc --emit=shared` through ctypes.

`CompiledModel(library, FUNCTION, ...)` calls the entry point dlc made of
MLIR function FUNCTION (`dlc --entry FUNCTION`): NAME_run, through the
dlc_tensor ABI (abi.Entry), so the runtime checks dtypes, ranks, dims and
strides and a bad call raises `DLCError` with dlc_last_error()'s message.

Functions compiled beside the entry point but not made entry points
themselves (autodiff tests call several from one library) have only MLIR's
C interface, `_mlir_ciface_NAME`: every tensor a strided memref descriptor
{allocated, aligned, offset, sizes[rank], strides[rank]}, results through a
pointer to one descriptor or a struct of them. Those are called directly,
with only the rank and dtype checks below and no protection against bad
dims: compile such a function as the entry point to get the checks.
"""
import ctypes
from dataclasses import dataclass
from typing import List, Sequence

import numpy as np

from .abi import Entry, entry_symbols

_CTYPES = {
    np.dtype(np.float32): ctypes.c_float,
    np.dtype(np.float64): ctypes.c_double,
    np.dtype(np.float16): ctypes.c_uint16,
    np.dtype(np.int8): ctypes.c_int8,
    np.dtype(np.int32): ctypes.c_int32,
    np.dtype(np.int64): ctypes.c_int64,
    np.dtype(np.bool_): ctypes.c_bool,
}


@dataclass
class TensorSpec:
    """Rank and element type of one entry-point argument or result."""
    rank: int
    dtype: np.dtype


def _descriptor_type(rank: int):
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank > 0:
        fields += [("sizes", ctypes.c_int64 * rank),
                   ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})


class CompiledModel:
    """A compiled entry point: call it with numpy arrays, get numpy arrays."""

    def __init__(self, library: str, entry: str, inputs: Sequence[TensorSpec],
                 outputs: Sequence[TensorSpec]):
        self._lib = ctypes.CDLL(library)
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        symbols = entry_symbols(self._lib, entry)
        self._entry = Entry(self._lib, *symbols) if symbols else None
        if self._entry:
            return
        self._fn = getattr(self._lib, "_mlir_ciface_" + entry)
        self._fn.restype = None
        # Results come from the runtime's allocator, linked into the library.
        self._free = self._lib._mlir_memref_to_llvm_free
        self._free.argtypes = [ctypes.c_void_p]
        self._free.restype = None

    def __call__(self, *arrays: np.ndarray) -> List[np.ndarray]:
        if len(arrays) != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs, got {len(arrays)}")
        if self._entry:
            return self._entry(*[a if isinstance(a, np.ndarray) else
                                 np.asarray(a, dtype=spec.dtype)
                                 for a, spec in zip(arrays, self.inputs)])
        keep = []
        args = []
        for a, spec in zip(arrays, self.inputs):
            # np.ascontiguousarray would turn a 0-d array into 1-d.
            a = np.require(np.asarray(a, dtype=spec.dtype), requirements="C")
            if a.ndim != spec.rank:
                raise ValueError(f"expected rank {spec.rank}, got shape {a.shape}")
            keep.append(a)
            d = _descriptor_type(spec.rank)()
            d.allocated = d.aligned = a.ctypes.data
            d.offset = 0
            for i in range(spec.rank):
                d.sizes[i] = a.shape[i]
                d.strides[i] = a.strides[i] // a.itemsize
            keep.append(d)
            args.append(ctypes.pointer(d))
        out_types = [_descriptor_type(s.rank) for s in self.outputs]
        if len(out_types) == 1:
            result = out_types[0]()
            descs = [result]
        else:
            result = type("Results", (ctypes.Structure,),
                          {"_fields_": [(f"r{i}", t) for i, t in enumerate(out_types)]})()
            descs = [getattr(result, f"r{i}") for i in range(len(out_types))]
        self._fn(ctypes.pointer(result), *args)
        outs = [self._to_numpy(d, s) for d, s in zip(descs, self.outputs)]
        # The results are fresh buffers the generated code malloc'd (copied
        # out above): free them, except MLIR's marker for constant globals.
        inputs = {a.ctypes.data for a in keep if isinstance(a, np.ndarray)}
        freed = set()
        for d in descs:
            ptr = d.allocated
            if ptr and ptr != 0xDEADBEEF and ptr not in inputs and ptr not in freed:
                self._free(ctypes.c_void_p(ptr))
                freed.add(ptr)
        return outs

    @staticmethod
    def _to_numpy(d, spec: TensorSpec) -> np.ndarray:
        dtype = np.dtype(spec.dtype)
        shape = tuple(d.sizes[i] for i in range(spec.rank)) if spec.rank else ()
        strides = tuple(d.strides[i] * dtype.itemsize for i in range(spec.rank)) \
            if spec.rank else ()
        count = int(np.prod(shape)) if shape else 1
        if count == 0:
            return np.zeros(shape, dtype)
        base = d.aligned + d.offset * dtype.itemsize
        # Span of the strided view, so a broadcast (stride 0) result reads
        # only memory it owns.
        span = 1 + sum((s - 1) * abs(st) for s, st in zip(shape, strides)) // dtype.itemsize \
            if shape else 1
        buf = (ctypes.c_char * (span * dtype.itemsize)).from_address(base)
        flat = np.frombuffer(buf, dtype=dtype, count=span)
        view = np.lib.stride_tricks.as_strided(flat, shape=shape, strides=strides)
        # Copy out: the buffer belongs to the generated code's allocator.
        return np.array(view, copy=True)
