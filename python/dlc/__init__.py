"""dlc's Python package: calling compiled models (`CompiledModel` and
`Entry`, both over the checked dlc_tensor ABI; a bad call raises `DLCError`) and training with a
library compiled by `dlc --train` (`Trainer`)."""
from .abi import DLCError, Entry
from .loader import CompiledModel, TensorSpec
from .training import Trainer, compile_training

__all__ = ["CompiledModel", "DLCError", "Entry", "TensorSpec", "Trainer", "compile_training"]
