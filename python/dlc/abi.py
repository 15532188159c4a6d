"""Calls a compiled model's C entry points (runtime/include/dlc/runtime.h).

Every entry point `RUN(const dlc_tensor *inputs, dlc_tensor *outputs)` checks
its inputs' dtypes, ranks, dims (the dynamic ones the model needs equal
included) and strides before anything runs and returns a dlc_status; on
failure `dlc_last_error()` names the input, the dim and the values, and
`Entry` raises `DLCError` with that message. Outputs come back in buffers
malloc'd by the entry point, which RELEASE frees; `Entry` hands them to
numpy without another copy, each freed when its last array goes. The library also exports `RUN_num_inputs`,
`RUN_num_outputs`, `RUN_input_names`, `RUN_output_names` and, per MLIR
function made an entry point, `dlc_entry_for_FUNCTION` (the names of RUN and
RELEASE), so no header has to be parsed. Strided arrays are passed with their
strides (the runtime copies them); state inputs of a training step are
updated in place and must be contiguous.
"""
import ctypes
from typing import Dict, List, Optional, Tuple

import numpy as np

# By dlc_dtype. numpy has no bfloat16: bf16 tensors travel as their bits in
# uint16 arrays (as ONNX's test data stores them); which of bf16 and u16 an
# input is, the entry point's RUN_input_dtypes says.
DTYPES = [np.float32, np.float16, np.uint16, np.float64, np.int8, np.int32,
          np.int64, np.bool_, np.uint8, np.uint16, np.uint32, np.uint64,
          np.int16]
STATUS = ["ok", "invalid argument", "out of memory", "shape mismatch",
          "dtype mismatch", "I/O error", "unsupported", "runtime error"]
MAX_RANK = 8


def last_call_memory(lib: ctypes.CDLL) -> Dict[str, int]:
    """The memory of the last entry-point call of `lib` on this thread (the
    runtime's dlc_last_call_memory): `peak_bytes` (the most bytes of the
    generated code's buffers live at once), `live_bytes` (its results when
    it returned), `allocated_bytes` and `allocation_count`."""
    class CallMemory(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in
                    ("peak_bytes", "live_bytes", "allocated_bytes", "allocation_count")]
    usage = CallMemory()
    fn = lib.dlc_last_call_memory
    fn.argtypes = [ctypes.POINTER(CallMemory)]
    fn.restype = ctypes.c_int32
    if fn(ctypes.byref(usage)) != 0:
        raise RuntimeError("dlc_last_call_memory failed")
    return {name: int(getattr(usage, name)) for name, _ in CallMemory._fields_}


class DLCError(RuntimeError):
    """A failed call of a compiled entry point: `status` is the dlc_status,
    the message is dlc_last_error()'s."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.status_name = STATUS[status] if 0 <= status < len(STATUS) else str(status)


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64))]


def _dtype_code(dtype) -> int:
    for i, d in enumerate(DTYPES):
        if d is not None and np.dtype(d) == np.dtype(dtype):
            return i
    raise TypeError(f"no dlc dtype for {dtype}")


def entry_symbols(lib: ctypes.CDLL, function: str) -> Optional[Tuple[str, str]]:
    """(RUN, RELEASE) of the entry point dlc made of MLIR function
    `function`, or None if the library has none."""
    try:
        names = (ctypes.c_char_p * 2).in_dll(lib, "dlc_entry_for_" + function)
    except ValueError:
        return None
    return names[0].decode(), names[1].decode()


def _libc_free():
    try:
        free = ctypes.CDLL(None).free
    except (OSError, AttributeError):
        return None
    free.argtypes = [ctypes.c_void_p]
    free.restype = None
    return free


class _Owned:
    """A result buffer of generated code, freed when the last array over it
    goes (numpy keeps the ctypes buffer as the array's base, and the buffer
    keeps this)."""
    __slots__ = ("ptr", "free")

    def __init__(self, ptr: int, free):
        self.ptr, self.free = ptr, free

    def __del__(self):
        self.free(self.ptr)


class Entry:
    """One entry point of a loaded library."""

    def __init__(self, lib: ctypes.CDLL, run: str, release: str):
        self.name = run
        self._fn = getattr(lib, run)
        self._fn.argtypes = [ctypes.POINTER(_Tensor), ctypes.POINTER(_Tensor)]
        self._fn.restype = ctypes.c_int32
        self._release = getattr(lib, release)
        self._release.argtypes = [ctypes.POINTER(_Tensor)]
        self._release.restype = None
        # What RELEASE calls per output (libc's free: the outputs are
        # malloc'd, runtime/include/dlc/runtime.h).
        self._free = _libc_free()
        self._last_error = lib.dlc_last_error
        self._last_error.argtypes = []
        self._last_error.restype = ctypes.c_char_p
        self.num_inputs = ctypes.c_int32.in_dll(lib, run + "_num_inputs").value
        self.num_outputs = ctypes.c_int32.in_dll(lib, run + "_num_outputs").value
        self.input_names = self._names(lib, run + "_input_names", self.num_inputs)
        self.output_names = self._names(lib, run + "_output_names", self.num_outputs)
        try:  # libraries from before RUN_input_dtypes lack it
            codes = (ctypes.c_int32 * max(1, self.num_inputs)).in_dll(
                lib, run + "_input_dtypes")
            self.input_dtypes = [codes[i] for i in range(self.num_inputs)]
        except ValueError:
            self.input_dtypes = None

    @staticmethod
    def _names(lib, symbol: str, count: int) -> List[str]:
        if count == 0:
            return []
        arr = (ctypes.c_char_p * count).in_dll(lib, symbol)
        return [arr[i].decode() for i in range(count)]

    def __call__(self, *arrays: np.ndarray) -> List[np.ndarray]:
        if len(arrays) != self.num_inputs:
            raise ValueError(f"{self.name}: expected {self.num_inputs} inputs, "
                             f"got {len(arrays)}")
        ins = (_Tensor * max(1, self.num_inputs))()
        keep = []
        for i, a in enumerate(arrays):
            if not isinstance(a, np.ndarray):
                a = np.asarray(a)
            strides = None
            if not a.flags.c_contiguous:
                if all(s % a.itemsize == 0 for s in a.strides):
                    # The runtime copies strided inputs (strides in elements).
                    strides = (ctypes.c_int64 * max(1, a.ndim))(
                        *(s // a.itemsize for s in a.strides))
                else:
                    a = np.ascontiguousarray(a)
            shape = (ctypes.c_int64 * max(1, a.ndim))(*a.shape)
            keep += [a, shape, strides]
            ins[i].data = a.ctypes.data
            code = _dtype_code(a.dtype)
            if (self.input_dtypes is not None and
                    0 <= self.input_dtypes[i] < len(DTYPES) and
                    np.dtype(DTYPES[self.input_dtypes[i]]) == a.dtype):
                code = self.input_dtypes[i]
            ins[i].dtype = code
            ins[i].rank = a.ndim
            ins[i].shape = shape
            ins[i].strides = strides
        outs = (_Tensor * max(1, self.num_outputs))()
        shapes = [(ctypes.c_int64 * MAX_RANK)() for _ in range(self.num_outputs)]
        for i, s in enumerate(shapes):
            outs[i].shape = s
        status = self._fn(ins, outs)
        if status != 0:
            message = (self._last_error() or b"").decode(errors="replace")
            raise DLCError(status, message or f"{self.name} failed: "
                           f"{STATUS[status] if 0 <= status < len(STATUS) else status}")
        results = []
        owners = {}
        for i in range(self.num_outputs):
            dtype = np.dtype(DTYPES[outs[i].dtype])
            shape = tuple(shapes[i][d] for d in range(outs[i].rank))
            count = int(np.prod(shape)) if shape else 1
            if count == 0 or not outs[i].data:
                results.append(np.zeros(shape, dtype))
                continue
            buf = (ctypes.c_char * (count * dtype.itemsize)).from_address(outs[i].data)
            array = np.frombuffer(buf, dtype=dtype, count=count).reshape(shape)
            if self._free is None:
                array = array.copy()
            else:
                # Each buffer freed once, however many outputs it backs.
                ptr = outs[i].data
                buf._owner = owners.setdefault(ptr, _Owned(ptr, self._free))
                outs[i].data = None
            results.append(array)
        self._release(outs)
        return results
