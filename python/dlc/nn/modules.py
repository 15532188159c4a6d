"""dlc.nn modules: torch.nn's layers, with the same constructor arguments,
parameter names, layouts and default initialization, so weights copy both
ways through `state_dict` / `load_state_dict` (numpy arrays; torch tensors
are accepted too)."""
import math
from collections import OrderedDict
from typing import Dict, Iterator, Optional, Tuple

import numpy as np

from .. import tracing
from . import functional as F
from . import init


class Parameter:
    """A trainable tensor: `data` is a float32 numpy array that training
    updates in place."""

    def __init__(self, data, requires_grad: bool = True):
        self.data = np.array(data, dtype=np.float32, order="C")
        self.requires_grad = requires_grad

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self):
        return f"Parameter(shape={self.data.shape})"

    # In a traced forward a Parameter acts as its tensor.
    def _tensor(self):
        return F._t(self)

    def __add__(self, o): return self._tensor() + o
    def __radd__(self, o): return o + self._tensor()
    def __mul__(self, o): return self._tensor() * o
    def __rmul__(self, o): return o * self._tensor()
    def __sub__(self, o): return self._tensor() - o
    def __rsub__(self, o): return o - self._tensor()


def _to_numpy(v) -> np.ndarray:
    if hasattr(v, "detach"):  # a torch tensor
        v = v.detach().cpu().numpy()
    return np.asarray(v)


class Module:
    """Base class: parameters, buffers and submodules are registered by
    assignment, as in torch.nn.Module."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_trace_name", "")

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() "
                                 f"before assigning '{name}'")
        for d in (self._parameters, self._buffers, self._modules):
            d.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if key in d and name in d[key]:
                return d[key][name]
        raise AttributeError(f"'{type(self).__name__}' has no attribute '{name}'")

    def register_buffer(self, name: str, value) -> None:
        """A non-trained state tensor (batch norm's running statistics)."""
        self._buffers[name] = None if value is None else np.array(value, order="C")

    def register_parameter(self, name: str, p: Optional[Parameter]) -> None:
        self._parameters[name] = p

    def add_module(self, name: str, m: "Module") -> None:
        self._modules[name] = m

    # --- traversal ---------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[Tuple[str, "Module"]]:
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return [m for _, m in self.named_modules()]

    def children(self):
        return [m for m in self._modules.values() if m is not None]

    def named_parameters(self, prefix: str = "") -> Iterator[Tuple[str, Parameter]]:
        seen = set()
        for mname, m in self.named_modules(prefix):
            for name, p in m._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mname}.{name}" if mname else name), p

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix: str = "") -> Iterator[Tuple[str, np.ndarray]]:
        for mname, m in self.named_modules(prefix):
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mname}.{name}" if mname else name), b

    def num_parameters(self) -> int:
        return int(sum(p.data.size for p in self.parameters()))

    def apply(self, fn):
        for m in self.modules():
            fn(m)
        return self

    # --- state ---------------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Parameters and buffers by qualified name (the arrays themselves,
        which training updates in place)."""
        out = OrderedDict()
        for name, p in self.named_parameters():
            out[name] = p.data
        for name, b in self.named_buffers():
            out[name] = b
        return out

    def load_state_dict(self, state: Dict[str, object], strict: bool = True):
        """Copies values in place (numpy arrays or torch tensors). With
        strict, the keys must match (torch's `num_batches_tracked` aside)."""
        own = self.state_dict()
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own and not k.endswith("num_batches_tracked")]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing {missing}, unexpected {unexpected}")
        for k, v in state.items():
            if k not in own:
                continue
            v = _to_numpy(v)
            if v.shape != own[k].shape:
                raise ValueError(f"load_state_dict: '{k}' has shape {v.shape}, "
                                 f"the module's is {own[k].shape}")
            np.copyto(own[k], v, casting="same_kind")
        return missing, unexpected

    def train(self, mode: bool = True):
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    # --- calls -----------------------------------------------------------
    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__} defines no forward")

    def __call__(self, *args, **kwargs):
        if tracing.tracing():
            with tracing.scope(self._trace_name):
                try:
                    return self.forward(*args, **kwargs)
                except tracing.TraceError as e:
                    if getattr(e, "layer", None) is not None:
                        raise
                    # Named once, by the innermost module.
                    named = tracing.TraceError(
                        f"in {self._trace_name or '<model>'} ({type(self).__name__}): {e}")
                    named.layer = self._trace_name
                    raise named from None
        raise TypeError(f"{type(self).__name__} runs compiled: model = dlc.compile(module, "
                        f"example_inputs) and call model(x), or train it with "
                        f"dlc.train.Trainer")

    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, m in self._modules.items():
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        return lines[0] + ")" if len(lines) == 1 else "\n".join(lines) + "\n)"


def _empty(*shape):
    return Parameter(np.zeros(shape, np.float32))


def _uniform_fan_in(p: Parameter, fan_in: int):
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    init.uniform_(p, -bound, bound)


# --- containers ---------------------------------------------------------------

class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, m):
        self.add_module(str(len(self._modules)), m)
        return self

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(Module):
    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, m):
        self.add_module(str(len(self._modules)), m)
        return self

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Identity(Module):
    def forward(self, x):
        return x


# --- linear, conv --------------------------------------------------------------

class Linear(Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _empty(out_features, in_features)
        self.bias = _empty(out_features) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            _uniform_fan_in(self.bias, self.in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}"


class _ConvNd(Module):
    n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True):
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"channels {in_channels}->{out_channels} are not divisible "
                             f"by groups={groups}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = F._tuple(kernel_size, self.n)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.weight = _empty(out_channels, in_channels // groups, *self.kernel_size)
        self.bias = _empty(out_channels) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            _uniform_fan_in(self.bias, in_channels // groups * int(np.prod(self.kernel_size)))

    def forward(self, x):
        return F.conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups, self.n)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class Conv1d(_ConvNd):
    n = 1


class Conv2d(_ConvNd):
    n = 2


class Conv3d(_ConvNd):
    n = 3


class ConvTranspose2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = F._tuple(kernel_size, 2)
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.groups, self.dilation = groups, dilation
        self.weight = _empty(in_channels, out_channels // groups, *self.kernel_size)
        self.bias = _empty(out_channels) if bias else None
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            # torch computes the fan in from weight dim 1.
            _uniform_fan_in(self.bias, out_channels // groups * int(np.prod(self.kernel_size)))

    def forward(self, x):
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)


# --- normalization --------------------------------------------------------------

class _BatchNorm(Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        if not affine:
            raise ValueError("BatchNorm with affine=False is not supported (its scale and "
                             "shift would be trained)")
        self.weight = Parameter(np.ones(num_features, np.float32))
        self.bias = Parameter(np.zeros(num_features, np.float32))
        self.register_buffer("running_mean", np.zeros(num_features, np.float32))
        self.register_buffer("running_var", np.ones(num_features, np.float32))

    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.eps, self.momentum)


class BatchNorm1d(_BatchNorm):
    pass


class BatchNorm2d(_BatchNorm):
    pass


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        shape = tuple(normalized_shape) if isinstance(normalized_shape, (tuple, list)) \
            else (normalized_shape,)
        self.normalized_shape, self.eps = shape, eps
        self.weight = Parameter(np.ones(shape, np.float32)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, np.float32)) if elementwise_affine else None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"{num_channels} channels are not divisible by {num_groups} groups")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.weight = Parameter(np.ones(num_channels, np.float32)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, np.float32)) if affine else None

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)


class Dropout(Module):
    def __init__(self, p=0.5):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability {p} is not in [0, 1)")
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p)


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = _empty(num_embeddings, embedding_dim)
        init.normal_(self.weight)

    def forward(self, idx):
        return F.embedding(idx, self.weight)


# --- pooling, shapes ------------------------------------------------------------

class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.ceil_mode = \
            kernel_size, stride, padding, ceil_mode

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)


class AvgPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return F.flatten(x, self.start_dim, self.end_dim)


class Unflatten(Module):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.size = dim, tuple(unflattened_size)

    def forward(self, x):
        d = self.dim % x.ndim
        return F.reshape(x, *(list(x.shape[:d]) + list(self.size) + list(x.shape[d + 1:])))


# --- activations -------------------------------------------------------------------

class ReLU(Module):
    def forward(self, x): return F.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x): return F.leaky_relu(x, self.negative_slope)


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x): return F.gelu(x, self.approximate)


class SiLU(Module):
    def forward(self, x): return F.silu(x)


class Sigmoid(Module):
    def forward(self, x): return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x): return F.tanh(x)


class Softmax(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x): return F.softmax(x, self.dim)


class LogSoftmax(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x): return F.log_softmax(x, self.dim)


# --- attention -------------------------------------------------------------------

class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention (same parameters: in_proj_weight
    [3E, E], in_proj_bias, out_proj); returns (output, head-averaged
    weights or None)."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.batch_first = batch_first
        self.in_proj_weight = _empty(3 * embed_dim, embed_dim)
        init.xavier_uniform_(self.in_proj_weight)
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, np.float32)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if bias:
            init.zeros_(self.out_proj.bias)

    def forward(self, query, key, value, attn_mask=None, need_weights=True):
        e, h = self.embed_dim, self.num_heads
        dh = e // h
        if not self.batch_first:  # [T, N, E] -> [N, T, E]
            query, key, value = (F.transpose(t, 0, 1) for t in (query, key, value))
        w = F._t(self.in_proj_weight)
        b = F._t(self.in_proj_bias) if self.in_proj_bias is not None else None

        def project(x, i):
            wi = F.getitem(w, slice(i * e, (i + 1) * e))
            bi = F.getitem(b, slice(i * e, (i + 1) * e)) if b is not None else None
            y = F.linear(x, wi, bi)
            # [N, T, E] -> [N, H, T, dh]
            return F.permute(F.reshape(y, y.shape[0], y.shape[1], h, dh), 0, 2, 1, 3)

        q, k, v = project(query, 0), project(key, 1), project(value, 2)
        scores = F.mul(F.matmul(q, F.permute(k, 0, 1, 3, 2)), 1.0 / math.sqrt(dh))
        if attn_mask is not None:
            scores = F.add(scores, attn_mask)
        attn = F.softmax(scores, -1)
        attn_d = F.dropout(attn, self.dropout)
        out = F.permute(F.matmul(attn_d, v), 0, 2, 1, 3)
        out = F.reshape(out, out.shape[0], out.shape[1], e)
        out = self.out_proj(out)
        if not self.batch_first:
            out = F.transpose(out, 0, 1)
        return out, (F.mean(attn, 1) if need_weights else None)


class TransformerEncoderLayer(Module):
    """torch.nn.TransformerEncoderLayer (post- or pre-norm)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, batch_first=batch_first)
        self.linear1 = Linear(d_model, dim_feedforward)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation {activation!r} is not relu or gelu")
        self.activation = activation

    def _sa(self, x, mask):
        return self.dropout1(self.self_attn(x, x, x, attn_mask=mask, need_weights=False)[0])

    def _ff(self, x):
        act = F.relu if self.activation == "relu" else F.gelu
        return self.dropout2(self.linear2(self.dropout(act(self.linear1(x)))))

    def forward(self, src, src_mask=None):
        x = src
        if self.norm_first:
            x = x + self._sa(self.norm1(x), src_mask)
            x = x + self._ff(self.norm2(x))
        else:
            x = self.norm1(x + self._sa(x, src_mask))
            x = self.norm2(x + self._ff(x))
        return x


class TransformerEncoder(Module):
    def __init__(self, encoder_layer_factory, num_layers):
        super().__init__()
        self.layers = ModuleList([encoder_layer_factory() for _ in range(num_layers)])

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x
