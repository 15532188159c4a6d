"""dlc.nn: define networks as in torch.nn, trace them to ONNX, compile them
with `dlc.compile` and train them with `dlc.train.Trainer`.

    import dlc, dlc.nn as nn
    net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    model = dlc.compile(net, [np.zeros((1, 784), np.float32)])   # dynamic batch
    logits = model(x)
"""
from . import functional, init
from .modules import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d,
                      Conv3d, ConvTranspose2d, Dropout, Embedding, Flatten, GELU, GroupNorm,
                      Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, Module,
                      ModuleList, MultiheadAttention, Parameter, ReLU, Sequential, Sigmoid, SiLU,
                      Softmax, Tanh, TransformerEncoder, TransformerEncoderLayer, Unflatten)
from ..tracing import InputSpec, Tensor, TraceError


def trace(module, example_inputs, dynamic_batch=True, **kwargs):
    """The ONNX model (onnx.ModelProto) of module(*example_inputs)."""
    from ..tracing import trace as _trace
    specs = [s if isinstance(s, InputSpec) else InputSpec.like(s, dynamic_batch=dynamic_batch)
             for s in example_inputs]
    return _trace(module, specs, **kwargs).model


