"""Tracing a `dlc.nn.Module` into an ONNX graph.

A module's `forward` runs once on symbolic `Tensor`s; every operation it does
(through `dlc.nn.functional` or a Tensor's operators) appends an ONNX node
built with the `onnx` package's helpers. ONNX rather than dl IR text: the
importer is dlc's most tested frontend (checker, shape inference, every
node's name carried into dlc's error messages), the same file is what
`export_onnx` hands to other tools, and the graph stays inspectable with
onnx's own printer.

Parameters become initializers named by their `state_dict` keys (so the
state of a training library is named the same), or graph inputs after the
data inputs when they must stay live (weights read at every call). Node
names carry the module path (`features.0/Conv`), so an error of dlc's names
the layer. Dims are ints, or strings for dynamic dims ("batch").
"""
import contextlib
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17

_ONNX_DTYPES = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.float16): TensorProto.FLOAT16,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.int32): TensorProto.INT32,
    np.dtype(np.int8): TensorProto.INT8,
    np.dtype(np.bool_): TensorProto.BOOL,
}
_NP_DTYPES = {v: k for k, v in _ONNX_DTYPES.items()}

Dim = Union[int, str, None]


def onnx_dtype(dtype) -> int:
    try:
        return _ONNX_DTYPES[np.dtype(dtype)]
    except KeyError:
        raise TypeError(f"dlc has no tensor type for numpy dtype {np.dtype(dtype)}") from None


def numpy_dtype(onnx_type: int) -> np.dtype:
    return _NP_DTYPES[onnx_type]


@dataclass
class InputSpec:
    """One input of a traced model: its shape (an int per static dim, None
    or a name for a dynamic one), dtype and name."""
    shape: Sequence[Dim]
    dtype: Any = np.float32
    name: Optional[str] = None

    @staticmethod
    def like(array, name=None, dynamic_batch=True) -> "InputSpec":
        a = np.asarray(array)
        shape: List[Dim] = list(a.shape)
        if dynamic_batch and shape:
            shape[0] = "batch"
        return InputSpec(shape, a.dtype, name)


class TraceError(ValueError):
    """An operation that cannot be traced (a wrong shape, an unsupported
    argument); the message names the module."""


_graph: Optional["Graph"] = None


def current_graph() -> "Graph":
    if _graph is None:
        raise TraceError("dlc.nn operations on symbolic tensors run only while tracing "
                         "(dlc.compile, dlc.train.Trainer or dlc.nn.trace)")
    return _graph


def tracing() -> bool:
    return _graph is not None


class Graph:
    """The ONNX graph being built."""

    def __init__(self, name: str):
        self.name = name
        self.nodes: List[onnx.NodeProto] = []
        self.initializers: List[onnx.TensorProto] = []
        self.inputs: List[onnx.ValueInfoProto] = []
        self.outputs: List[onnx.ValueInfoProto] = []
        self._used = set()
        self._counts: Dict[str, int] = {}
        self.scope: List[str] = []
        # id(Parameter or buffer array) -> (qualified name, object)
        self.param_names: Dict[int, Tuple[str, Any]] = {}
        self.param_tensors: Dict[int, "Tensor"] = {}
        self.live_params: set = set()  # ids that become inputs
        self.bound: List[Tuple[str, Any]] = []  # (name, Parameter) fed as inputs
        self.inputs_params: List[onnx.ValueInfoProto] = []  # their graph inputs

    def fresh(self, base: str) -> str:
        base = base or "v"
        n = self._counts.get(base, 0)
        name = base if n == 0 and base not in self._used else f"{base}_{n}"
        while name in self._used:
            n += 1
            name = f"{base}_{n}"
        self._counts[base] = n + 1
        self._used.add(name)
        return name

    def node_name(self, op: str) -> str:
        prefix = self.scope[-1] + "/" if self.scope and self.scope[-1] else ""
        return self.fresh(prefix + op)

    def add_node(self, op: str, inputs: Sequence[str], num_outputs: int = 1,
                 **attrs) -> List[str]:
        name = self.node_name(op)
        # Node names are unique, so the values named after them are too.
        outs = [f"{name}:{i}" if num_outputs > 1 else name for i in range(num_outputs)]
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=name,
                                           **{k: v for k, v in attrs.items() if v is not None}))
        return outs

    def add_input(self, spec: InputSpec) -> "Tensor":
        name = spec.name or self.fresh("input")
        self._used.add(name)
        shape = [d if isinstance(d, int) else (d or f"{name}_dim{i}")
                 for i, d in enumerate(spec.shape)]
        self.inputs.append(helper.make_tensor_value_info(name, onnx_dtype(spec.dtype), shape))
        return Tensor(name, tuple(shape), np.dtype(spec.dtype))

    def constant(self, value, dtype=None) -> "Tensor":
        a = np.asarray(value, dtype=dtype)
        name = self.node_name("Constant")
        self._used.add(name)
        self.nodes.append(helper.make_node(
            "Constant", [], [name], name=name,
            value=numpy_helper.from_array(np.require(a, requirements="C"), name)))
        return Tensor(name, a.shape, a.dtype, value=a)

    def param(self, obj) -> "Tensor":
        """The tensor of a Parameter or buffer: an initializer, or an input
        when it must stay live."""
        key = id(obj)
        if key in self.param_tensors:
            return self.param_tensors[key]
        data = obj.data if hasattr(obj, "data") and isinstance(obj.data, np.ndarray) else obj
        if key in self.param_names:
            name = self.param_names[key][0]
        else:  # a parameter of no module of the traced one
            name = self.fresh("param")
        self._used.add(name)
        if key in self.live_params:
            self.inputs_params.append(helper.make_tensor_value_info(
                name, onnx_dtype(data.dtype), list(data.shape)))
            self.bound.append((name, obj))
        else:
            self.initializers.append(numpy_helper.from_array(np.require(data, requirements="C"), name))
        t = Tensor(name, tuple(data.shape), data.dtype)
        self.param_tensors[key] = t
        return t

    def model(self) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs + self.inputs_params,
                                  self.outputs, initializer=self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="dlc.nn")
        model.ir_version = 8
        return model


@contextlib.contextmanager
def scope(name: str):
    g = _graph
    if g is None:
        yield
        return
    g.scope.append(name)
    try:
        yield
    finally:
        g.scope.pop()


def _broadcast(a: Tuple[Dim, ...], b: Tuple[Dim, ...], what: str) -> Tuple[Dim, ...]:
    out = []
    for i in range(max(len(a), len(b))):
        x = a[len(a) - 1 - i] if i < len(a) else 1
        y = b[len(b) - 1 - i] if i < len(b) else 1
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif isinstance(x, int) and isinstance(y, int):
            raise TraceError(f"{what}: shapes {tuple(a)} and {tuple(b)} do not broadcast")
        else:
            out.append(x if isinstance(x, int) else y)
    return tuple(reversed(out))


class Tensor:
    """A symbolic tensor of the graph being traced: its ONNX value name,
    shape (ints, strings for dynamic dims) and dtype."""

    def __init__(self, name: str, shape, dtype, value=None):
        self.name = name
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.value = value  # the array, for constants

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def dim(self) -> int:
        return len(self.shape)

    def size(self, d=None):
        return self.shape if d is None else self.shape[d]

    def __repr__(self):
        return f"Tensor({self.name!r}, shape={self.shape}, dtype={self.dtype})"

    # Operators go through dlc.nn.functional (imported lazily: it imports this).
    def _f(self):
        from .nn import functional
        return functional

    def __add__(self, o): return self._f().add(self, o)
    def __radd__(self, o): return self._f().add(o, self)
    def __sub__(self, o): return self._f().sub(self, o)
    def __rsub__(self, o): return self._f().sub(o, self)
    def __mul__(self, o): return self._f().mul(self, o)
    def __rmul__(self, o): return self._f().mul(o, self)
    def __truediv__(self, o): return self._f().div(self, o)
    def __rtruediv__(self, o): return self._f().div(o, self)
    def __matmul__(self, o): return self._f().matmul(self, o)
    def __rmatmul__(self, o): return self._f().matmul(o, self)
    def __neg__(self): return self._f().neg(self)
    def __pow__(self, o): return self._f().pow(self, o)
    def __getitem__(self, idx): return self._f().getitem(self, idx)

    def reshape(self, *shape): return self._f().reshape(self, *shape)
    view = reshape
    def flatten(self, start_dim=0, end_dim=-1): return self._f().flatten(self, start_dim, end_dim)
    def transpose(self, a, b): return self._f().transpose(self, a, b)
    def permute(self, *dims): return self._f().permute(self, *dims)
    def unsqueeze(self, d): return self._f().unsqueeze(self, d)
    def squeeze(self, d): return self._f().squeeze(self, d)
    def mean(self, dim=None, keepdim=False): return self._f().mean(self, dim, keepdim)
    def sum(self, dim=None, keepdim=False): return self._f().sum(self, dim, keepdim)
    def exp(self): return self._f().exp(self)
    def log(self): return self._f().log(self)
    def sqrt(self): return self._f().sqrt(self)
    def abs(self): return self._f().abs(self)
    def tanh(self): return self._f().tanh(self)
    def sigmoid(self): return self._f().sigmoid(self)
    def relu(self): return self._f().relu(self)
    def softmax(self, dim): return self._f().softmax(self, dim)
    def chunk(self, n, dim=0): return self._f().chunk(self, n, dim)
    def split(self, size, dim=0): return self._f().split(self, size, dim)


def trace(module, input_specs: Sequence[InputSpec], *, live=(), loss=None,
          target_spec: Optional[InputSpec] = None, name: Optional[str] = None,
          output_names: Optional[Sequence[str]] = None):
    """Traces `module(*inputs)` into an ONNX model.

    live: modules or Parameters whose parameters become inputs after the data
    inputs (in `Traced.bound`), read at each call instead of being frozen
    into the code. loss: a callable (prediction, target) -> scalar Tensor;
    the graph then also takes `target` and returns (loss, prediction).
    """
    global _graph
    from .nn.modules import Module, Parameter
    g = Graph(name or type(module).__name__.lower())
    for qname, obj in module.named_parameters():
        g.param_names[id(obj)] = (qname, obj)
    for qname, arr in module.named_buffers():
        g.param_names[id(arr)] = (qname, arr)
    for item in live:
        if isinstance(item, Module):
            for _, p in item.named_parameters():
                g.live_params.add(id(p))
            for _, b in item.named_buffers():
                g.live_params.add(id(b))
        elif isinstance(item, Parameter):
            g.live_params.add(id(item))
        else:
            raise TypeError(f"live= takes modules and Parameters, got {type(item).__name__}")
    for qname, m in module.named_modules():
        m._trace_name = qname
    if _graph is not None:
        raise TraceError("dlc.nn: trace() called while tracing")
    _graph = g
    try:
        used = set()
        specs = []
        for i, s in enumerate(input_specs):
            if not isinstance(s, InputSpec):
                s = InputSpec.like(s)
            if s.name is None:
                s = InputSpec(s.shape, s.dtype, "input" if len(input_specs) == 1 else f"input{i}")
            used.add(s.name)
            specs.append(s)
        inputs = [g.add_input(s) for s in specs]
        target = g.add_input(InputSpec(target_spec.shape, target_spec.dtype, "target")) \
            if loss is not None else None
        with scope(""):
            out = module(*inputs)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        if any(not isinstance(o, Tensor) for o in outs):
            raise TraceError(f"{type(module).__name__}.forward must return Tensors, "
                             f"got {[type(o).__name__ for o in outs]}")
        names = list(output_names or (["output"] if len(outs) == 1 else
                                      [f"output{i}" for i in range(len(outs))]))
        if loss is not None:
            pred = out if isinstance(out, Tensor) else tuple(outs)
            with scope("loss"):
                value = loss(pred, target)
            if not isinstance(value, Tensor):
                raise TraceError("the loss must return a Tensor (use dlc.nn.functional)")
            outs = [value, outs[0]]
            names = ["loss", names[0]]
        for o, n in zip(outs, names):
            (final,) = g.add_node("Identity", [o.name])
            g.nodes[-1].output[0] = n
            g.nodes[-1].name = g.fresh("output/" + n)
            shape = [d if isinstance(d, int) else (d or f"{n}_dim{i}") for i, d in enumerate(o.shape)]
            g.outputs.append(helper.make_tensor_value_info(n, onnx_dtype(o.dtype), shape))
        model = g.model()
    finally:
        _graph = None
    onnx.checker.check_model(model)
    return Traced(model, specs, g.bound, names, [o.dtype for o in outs],
                  [o.shape for o in outs])


@dataclass
class Traced:
    model: onnx.ModelProto
    inputs: List[InputSpec]
    bound: List[Tuple[str, Any]]  # live parameters, inputs after the data
    output_names: List[str]
    output_dtypes: List[np.dtype]
    output_shapes: List[tuple]
