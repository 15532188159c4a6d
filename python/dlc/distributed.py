"""Data-parallel training over MPI ranks: a library compiled with
`dlc --train --data-parallel` and run under `mpirun -np N python3 ...`.

Each rank holds a replica of the state; NAME_train_init checks that every
rank runs the same model and broadcasts rank 0's initial state, and every
NAME_train_step all-reduces (averages) the gradients and the loss, so the
replicas stay identical. What is left to the program is done here: the
rank and the number of ranks, the shard of the data each rank trains on
(the same seed on every rank, disjoint slices of each global batch), and
output (progress, checkpoints, plots) from rank 0 only.
"""
import ctypes
import os
from typing import Optional

import numpy as np

from .abi import DLCError

# Set by mpirun (OpenMPI), or by other launchers' process managers.
_RANK_VARS = ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")


def _env_int(names, default: int) -> int:
    for name in names:
        if name in os.environ:
            return int(os.environ[name])
    return default


def launched() -> bool:
    """Whether an MPI launcher (mpirun) started this process."""
    return any(v in os.environ for v in _RANK_VARS)


def rank() -> int:
    """This process's rank (0 outside mpirun)."""
    return _env_int(_RANK_VARS, 0)


def size() -> int:
    """The number of ranks (1 outside mpirun)."""
    return _env_int(_SIZE_VARS, 1)


def is_main() -> bool:
    """True on rank 0, the rank that prints and writes files."""
    return rank() == 0


def print0(*args, **kwargs) -> None:
    """print() on rank 0 only."""
    if is_main():
        print(*args, **kwargs)


def shard(order: np.ndarray, step: int, batch: int,
          rank_: Optional[int] = None, size_: Optional[int] = None) -> np.ndarray:
    """The indices rank `rank_` trains on at `step`: its `batch` of the global
    batch of `batch * size_` taken from `order` (a permutation every rank
    draws from the same seed), so the ranks together see what one process
    with the global batch would."""
    r = rank() if rank_ is None else rank_
    n = size() if size_ is None else size_
    begin = (step * n + r) * batch
    return order[begin:begin + batch]


def steps_per_epoch(count: int, batch: int, size_: Optional[int] = None) -> int:
    """Whole global batches in `count` samples."""
    n = size() if size_ is None else size_
    return count // (batch * n)


class Attached:
    """The MPI side of a --data-parallel library, through the functions of
    libdlcrt_mpi it exports (runtime/include/dlc/dist.h)."""

    def __init__(self, lib: ctypes.CDLL):
        self._lib = lib
        lib.dlc_dist_init.restype = ctypes.c_int
        lib.dlc_dist_rank.restype = ctypes.c_int32
        lib.dlc_dist_size.restype = ctypes.c_int32
        lib.dlc_dist_barrier.restype = ctypes.c_int
        lib.dlc_last_error.restype = ctypes.c_char_p

    def init(self) -> None:
        # OpenMPI opens its plugins with dlopen; they need libmpi's symbols
        # global, which a library loaded by ctypes (RTLD_LOCAL) does not give.
        for name in ("libmpi.so.40", "libmpi.so"):
            try:
                ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
                break
            except OSError:
                continue
        if self._lib.dlc_dist_init() != 0:
            raise DLCError(7, self._lib.dlc_last_error().decode())

    @property
    def rank(self) -> int:
        return int(self._lib.dlc_dist_rank())

    @property
    def size(self) -> int:
        return int(self._lib.dlc_dist_size())

    def barrier(self) -> None:
        if self._lib.dlc_dist_barrier() != 0:
            raise DLCError(7, self._lib.dlc_last_error().decode())

    def stats(self) -> dict:
        """Collectives, bytes, seconds waiting and copying since the last
        reset_stats()."""
        class Stats(ctypes.Structure):
            _fields_ = [("collectives", ctypes.c_int64), ("bytes", ctypes.c_int64),
                        ("wait_seconds", ctypes.c_double),
                        ("copy_seconds", ctypes.c_double)]
        s = Stats()
        self._lib.dlc_dist_get_stats(ctypes.byref(s))
        return {f: getattr(s, f) for f, _ in Stats._fields_}

    def reset_stats(self) -> None:
        self._lib.dlc_dist_reset_stats()


def attach(lib: ctypes.CDLL) -> Optional[Attached]:
    """For a library compiled with --data-parallel: its MPI side, with MPI
    initialized when mpirun started this process (otherwise its train
    functions fail with a message saying so). None for other libraries."""
    try:
        lib.dlc_dist_init
    except AttributeError:
        return None
    attached = Attached(lib)
    if launched():
        attached.init()
    return attached


def mpirun_command(ranks: int, mpirun: str = "mpirun") -> list:
    """An OpenMPI command line that starts `ranks` processes on this machine
    over shared memory and loopback only (what the tests and bench use)."""
    return [mpirun, "--allow-run-as-root", "--oversubscribe", "-np", str(ranks),
            "--mca", "btl", "self,vader,tcp", "--mca", "btl_tcp_if_include", "lo",
            "--mca", "oob_tcp_if_include", "lo",
            "--mca", "btl_vader_single_copy_mechanism", "none"]
