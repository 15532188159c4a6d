"""Training with a library compiled by `dlc MODEL --train -o libNAME.so
--emit=shared`: the state (parameters, batch-norm statistics, optimizer
slots, step) lives in numpy arrays that NAME_train_step updates in place.
"""
import ctypes
import os
import subprocess
from typing import Dict, List, Optional, Sequence

import numpy as np

from . import distributed
from .abi import Entry, last_call_memory


def compile_training(dlc: str, model: str, library: str, *options: str,
                     batch: Optional[Dict[str, Sequence[int]]] = None) -> None:
    """Runs `dlc MODEL --train --emit=shared -o LIBRARY OPTIONS...`."""
    cmd = [dlc, model, "--train", "--emit=shared", "-o", library, *options]
    for name, shape in (batch or {}).items():
        cmd += ["--input-shape", f"{name}={'x'.join(str(d) for d in shape)}"]
    subprocess.run(cmd, check=True)


class Trainer:
    """The three entry points of a training library over one state."""

    def __init__(self, library: str, name: Optional[str] = None):
        if name is None:
            name = os.path.splitext(os.path.basename(library))[0]
            if name.startswith("lib"):
                name = name[3:]
        self._lib = ctypes.CDLL(os.path.abspath(library))
        # --data-parallel libraries: MPI up before train_init broadcasts.
        self.dist = distributed.attach(self._lib)
        self.init = Entry(self._lib, name + "_train_init", name + "_train_init_release")
        self.train_step = Entry(self._lib, name + "_train_step",
                                name + "_train_step_release")
        self.forward = Entry(self._lib, name + "_run", name + "_release")
        self.state_names: List[str] = self.init.output_names
        self.state: List[np.ndarray] = self.init()

    def step(self, *batch: np.ndarray, lr: float) -> np.ndarray:
        """One training step on (data..., labels[, teacher logits]); returns
        (loss, prediction). The state is updated in place."""
        lr_dtype = self.state[0].dtype
        loss, prediction = self.train_step(*self.state, *batch,
                                           np.array(lr, dtype=lr_dtype))
        return loss, prediction

    def last_call_memory(self) -> Dict[str, int]:
        """The memory of the last entry-point call on this thread: see
        abi.last_call_memory."""
        return last_call_memory(self._lib)

    def predict(self, *data: np.ndarray) -> List[np.ndarray]:
        return self.forward(*self.state, *data)

    def named_state(self) -> Dict[str, np.ndarray]:
        return dict(zip(self.state_names, self.state))

    def save_onnx(self, model_in: str, model_out: str) -> List[str]:
        """Writes MODEL_IN with its initializers (and the parameters it took
        as inputs) replaced by the trained values; returns their names."""
        import onnx
        from onnx import numpy_helper
        model = onnx.load(model_in)
        graph = model.graph
        values = self.named_state()
        written = []
        for init in graph.initializer:
            if init.name in values:
                init.CopyFrom(numpy_helper.from_array(values[init.name], init.name))
                written.append(init.name)
        for inp in list(graph.input):
            if inp.name in values and inp.name not in written:
                graph.initializer.append(numpy_helper.from_array(values[inp.name], inp.name))
                graph.input.remove(inp)
                written.append(inp.name)
        onnx.save(model, model_out)
        return written
