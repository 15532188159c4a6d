"""dlc's Python package: loading compiled models (and, later, the network
building API)."""
from .loader import CompiledModel, TensorSpec

__all__ = ["CompiledModel", "TensorSpec"]
