"""dlc's Python package.

- `dlc.nn`: define networks (torch.nn's layers and names), traced to ONNX.
- `dlc.compile(model, example_inputs)` -> `CompiledModel`, callable on numpy
  arrays (dynamic batch), `.save(path)`; `dlc.load(path)`.
- `dlc.train.Trainer(model, loss=..., optimizer=...)`: `fit`, `evaluate`,
  `predict` over one training step compiled by `dlc --train`.
- Lower level: `CompiledModel(library, entry)` and `Entry` call any library
  dlc made, over the checked dlc_tensor ABI (a bad call raises `DLCError`
  with the runtime's message); `TrainLibrary` (also `dlc.Trainer`) steps a
  library compiled by `dlc --train`.
"""
from .abi import DLCError, Entry
from .loader import CompiledModel, TensorSpec
from .training import Trainer, compile_training
from .tracing import InputSpec, TraceError
from .compiler import CompileError, compile, load
from .paths import find_dlc
from .nn.init import manual_seed
from . import nn, train

TrainLibrary = Trainer

__all__ = ["CompileError", "CompiledModel", "DLCError", "Entry", "InputSpec", "TensorSpec",
           "TraceError", "TrainLibrary", "Trainer", "compile", "compile_training", "find_dlc",
           "load", "manual_seed", "nn", "train"]
