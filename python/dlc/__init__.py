"""dlc's Python package: calling compiled models (`CompiledModel` over the
MLIR C interface, `Entry` over the dlc_tensor ABI) and training with a
library compiled by `dlc --train` (`Trainer`)."""
from .abi import Entry
from .loader import CompiledModel, TensorSpec
from .training import Trainer, compile_training

__all__ = ["CompiledModel", "Entry", "TensorSpec", "Trainer", "compile_training"]
