"""dlc.nn.functional: the operations a traced `forward` uses, each an ONNX
node (or a few) of the graph being traced. Arguments follow
torch.nn.functional's; arguments are Tensors, Parameters, numpy arrays or
Python numbers."""
import math
from typing import Optional, Sequence

import numpy as np

from ..tracing import Tensor, TraceError, _broadcast, current_graph


def _t(x, like: Optional[Tensor] = None) -> Tensor:
    """x as a Tensor of the graph: Parameters and buffers by name, numbers
    and arrays as constants (numbers take `like`'s dtype)."""
    if isinstance(x, Tensor):
        return x
    g = current_graph()
    from .modules import Parameter
    if isinstance(x, Parameter) or (isinstance(x, np.ndarray) and id(x) in g.param_names):
        return g.param(x)
    if isinstance(x, (int, float, bool, np.number)) and like is not None:
        return g.constant(np.array(x, dtype=like.dtype))
    return g.constant(np.asarray(x, dtype=np.float32 if isinstance(x, float) else None))


def _op(op: str, inputs, shape, dtype, **attrs) -> Tensor:
    g = current_graph()
    names = [i.name if isinstance(i, Tensor) else (i or "") for i in inputs]
    (out,) = g.add_node(op, names, **attrs)
    return Tensor(out, shape, dtype)


def _ints(name, x: Tensor, what: Sequence[int]) -> Tensor:
    return current_graph().constant(np.asarray(list(what), dtype=np.int64))


def _tuple(v, n):
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise TraceError(f"expected {n} values, got {tuple(v)}")
        return tuple(int(i) for i in v)
    return (int(v),) * n


def _axis(d: int, rank: int) -> int:
    if not -rank <= d < max(rank, 1):
        raise TraceError(f"dim {d} is out of range for a rank-{rank} tensor")
    return d % rank if rank else 0


# --- elementwise ---------------------------------------------------------

def _binary(op, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TraceError(f"{op}: neither operand is a Tensor")
    like = a if isinstance(a, Tensor) else b
    a, b = _t(a, like), _t(b, like)
    return _op(op, [a, b], _broadcast(a.shape, b.shape, op), like.dtype)


def add(a, b): return _binary("Add", a, b)
def sub(a, b): return _binary("Sub", a, b)
def mul(a, b): return _binary("Mul", a, b)
def div(a, b): return _binary("Div", a, b)
def maximum(a, b): return _binary("Max", a, b)
def minimum(a, b): return _binary("Min", a, b)


def pow(a, b):
    return _binary("Pow", a, b)


def _unary(op, x, **attrs):
    x = _t(x)
    return _op(op, [x], x.shape, x.dtype, **attrs)


def neg(x): return _unary("Neg", x)
def exp(x): return _unary("Exp", x)
def log(x): return _unary("Log", x)
def sqrt(x): return _unary("Sqrt", x)
def abs(x): return _unary("Abs", x)
def erf(x): return _unary("Erf", x)
def relu(x): return _unary("Relu", x)
def sigmoid(x): return _unary("Sigmoid", x)
def tanh(x): return _unary("Tanh", x)
def softplus(x): return _unary("Softplus", x)
def leaky_relu(x, negative_slope=0.01): return _unary("LeakyRelu", x, alpha=float(negative_slope))
def elu(x, alpha=1.0): return _unary("Elu", x, alpha=float(alpha))
def silu(x): return mul(x, sigmoid(x))


def gelu(x, approximate="none"):
    # opset 17 has no Gelu node: the formula, which dlc fuses like any
    # elementwise chain.
    x = _t(x)
    if approximate == "tanh":
        inner = mul(add(x, mul(0.044715, mul(x, mul(x, x)))), math.sqrt(2 / math.pi))
        return mul(mul(x, 0.5), add(tanh(inner), 1.0))
    if approximate != "none":
        raise TraceError(f"gelu: approximate={approximate!r} is not 'none' or 'tanh'")
    return mul(mul(x, 0.5), add(erf(mul(x, 1 / math.sqrt(2))), 1.0))


def softmax(x, dim=-1):
    x = _t(x)
    return _op("Softmax", [x], x.shape, x.dtype, axis=_axis(dim, x.ndim))


def log_softmax(x, dim=-1):
    x = _t(x)
    return _op("LogSoftmax", [x], x.shape, x.dtype, axis=_axis(dim, x.ndim))


def clamp(x, min=None, max=None):
    x = _t(x)
    lo = _t(min, x) if min is not None else None
    hi = _t(max, x) if max is not None else None
    return _op("Clip", [x, lo, hi], x.shape, x.dtype)


# --- contractions ----------------------------------------------------------

def matmul(a, b):
    a, b = _t(a), _t(b)
    if a.ndim == 0 or b.ndim == 0:
        raise TraceError("matmul of a scalar")
    if b.ndim == 1:
        shape = a.shape[:-1]
    elif a.ndim == 1:
        shape = b.shape[:-2] + b.shape[-1:]
    else:
        shape = _broadcast(a.shape[:-2], b.shape[:-2], "MatMul") + (a.shape[-2], b.shape[-1])
    k1, k2 = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if isinstance(k1, int) and isinstance(k2, int) and k1 != k2:
        raise TraceError(f"matmul: inner dims {k1} and {k2} differ "
                         f"(shapes {a.shape} and {b.shape})")
    return _op("MatMul", [a, b], shape, a.dtype)


def linear(x, weight, bias=None):
    x, w = _t(x), _t(weight)
    if isinstance(x.shape[-1], int) and x.shape[-1] != w.shape[1]:
        raise TraceError(f"linear: input has {x.shape[-1]} features, the weight "
                         f"{tuple(w.shape)} takes {w.shape[1]}")
    b = _t(bias) if bias is not None else None
    if x.ndim == 2:
        return _op("Gemm", [x, w, b], (x.shape[0], w.shape[0]), x.dtype, transB=1)
    y = matmul(x, transpose(w, 0, 1))
    return add(y, b) if b is not None else y


# --- convolution and pooling -------------------------------------------------

def _conv_out(size, k, s, p0, p1, d):
    if not isinstance(size, int):
        return size
    return (size + p0 + p1 - d * (k - 1) - 1) // s + 1


def _pads(padding, n, kernel, dilation, what):
    if padding == "valid":
        return (0,) * (2 * n)
    if padding == "same":
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads.append((total // 2, total - total // 2))
        return tuple(p[0] for p in pads) + tuple(p[1] for p in pads)
    p = _tuple(padding, n)
    return p + p


def conv(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, n=2):
    x, w = _t(x), _t(weight)
    if x.ndim != n + 2:
        raise TraceError(f"conv{n}d expects a rank-{n + 2} input [N, C, ...], got {x.shape}")
    cin = x.shape[1]
    if isinstance(cin, int) and cin != w.shape[1] * groups:
        raise TraceError(f"conv{n}d: input has {cin} channels, the weight {tuple(w.shape)} "
                         f"with groups={groups} takes {w.shape[1] * groups}")
    kernel = tuple(w.shape[2:])
    s, d = _tuple(stride, n), _tuple(dilation, n)
    pads = _pads(padding, n, kernel, d, "conv")
    spatial = tuple(_conv_out(x.shape[2 + i], kernel[i], s[i], pads[i], pads[n + i], d[i])
                    for i in range(n))
    b = _t(bias) if bias is not None else None
    return _op("Conv", [x, w, b], (x.shape[0], w.shape[0]) + spatial, x.dtype,
               kernel_shape=list(kernel), strides=list(s), pads=list(pads),
               dilations=list(d), group=int(groups))


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return conv(x, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return conv(x, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return conv(x, weight, bias, stride, padding, dilation, groups, 3)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    x, w = _t(x), _t(weight)
    n = 2
    if x.ndim != 4:
        raise TraceError(f"conv_transpose2d expects [N, C, H, W], got {x.shape}")
    kernel = tuple(w.shape[2:])
    s, p, op_, d = (_tuple(stride, n), _tuple(padding, n), _tuple(output_padding, n),
                    _tuple(dilation, n))
    spatial = tuple((x.shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (kernel[i] - 1) + op_[i] + 1
                    if isinstance(x.shape[2 + i], int) else x.shape[2 + i] for i in range(n))
    b = _t(bias) if bias is not None else None
    return _op("ConvTranspose", [x, w, b], (x.shape[0], w.shape[1] * groups) + spatial,
               x.dtype, kernel_shape=list(kernel), strides=list(s), pads=list(p + p),
               output_padding=list(op_), dilations=list(d), group=int(groups))


def _pool(op, x, kernel_size, stride, padding, n, ceil_mode=False, **attrs):
    x = _t(x)
    k = _tuple(kernel_size, n)
    s = _tuple(stride if stride is not None else kernel_size, n)
    p = _tuple(padding, n)
    spatial = []
    for i in range(n):
        size = x.shape[2 + i]
        if isinstance(size, int):
            num = size + 2 * p[i] - k[i]
            out = (-(-num // s[i]) if ceil_mode else num // s[i]) + 1
            spatial.append(out)
        else:
            spatial.append(size)
    return _op(op, [x], x.shape[:2] + tuple(spatial), x.dtype, kernel_shape=list(k),
               strides=list(s), pads=list(p + p), ceil_mode=int(ceil_mode), **attrs)


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    return _pool("MaxPool", x, kernel_size, stride, padding, 2, ceil_mode)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _pool("AveragePool", x, kernel_size, stride, padding, 2, ceil_mode,
                 count_include_pad=int(count_include_pad))


def adaptive_avg_pool2d(x, output_size):
    x = _t(x)
    oh, ow = _tuple(output_size, 2)
    if (oh, ow) == (1, 1):
        return _op("GlobalAveragePool", [x], x.shape[:2] + (1, 1), x.dtype)
    h, w = x.shape[2], x.shape[3]
    if not (isinstance(h, int) and isinstance(w, int)) or h % oh or w % ow:
        raise TraceError(f"adaptive_avg_pool2d to {(oh, ow)} needs static spatial dims "
                         f"that it divides, got {x.shape[2:]}")
    return avg_pool2d(x, (h // oh, w // ow))


# --- normalization ------------------------------------------------------------

def batch_norm(x, running_mean, running_var, weight, bias, eps=1e-5, momentum=0.1):
    x = _t(x)
    return _op("BatchNormalization", [x, _t(weight), _t(bias), _t(running_mean),
                                      _t(running_var)], x.shape, x.dtype,
               epsilon=float(eps), momentum=float(1 - momentum))


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    x = _t(x)
    n = len(normalized_shape) if isinstance(normalized_shape, (tuple, list)) else 1
    g = current_graph()
    shape = tuple(normalized_shape) if isinstance(normalized_shape, (tuple, list)) \
        else (normalized_shape,)
    w = _t(weight) if weight is not None else g.constant(np.ones(shape, x.dtype))
    b = _t(bias) if bias is not None else g.constant(np.zeros(shape, x.dtype))
    return _op("LayerNormalization", [x, w, b], x.shape, x.dtype, axis=-n, epsilon=float(eps))


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    # GroupNormalization is opset 18+: instance norm over [N, groups, rest],
    # then the per-channel affine.
    x = _t(x)
    g = current_graph()
    c = x.shape[1]
    grouped = reshape(x, x.shape[0], num_groups, -1)
    ones = g.constant(np.ones(num_groups, x.dtype))
    zeros = g.constant(np.zeros(num_groups, x.dtype))
    normed = _op("InstanceNormalization", [grouped, ones, zeros], grouped.shape, x.dtype,
                 epsilon=float(eps))
    shape = _op("Shape", [x], (x.ndim,), np.int64)
    y = _op("Reshape", [normed, shape], x.shape, x.dtype)
    bshape = (c,) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = mul(y, reshape(_t(weight), *bshape))
    if bias is not None:
        y = add(y, reshape(_t(bias), *bshape))
    return y


def dropout(x, p=0.5, training=True):
    """Dropout: dlc's training step applies it (a mask from the seed and the
    step); inference skips it."""
    x = _t(x)
    if p == 0:
        return x
    ratio = current_graph().constant(np.array(p, dtype=x.dtype))
    return _op("Dropout", [x, ratio], x.shape, x.dtype)


def embedding(indices, weight):
    i, w = _t(indices), _t(weight)
    return _op("Gather", [w, i], i.shape + tuple(w.shape[1:]), w.dtype, axis=0)


# --- shapes -------------------------------------------------------------------

def reshape(x, *shape):
    """Reshape; a dim may be -1, or one of x's dynamic dims (x.shape[i]),
    which keeps that dim of the input (so a dynamic batch stays dynamic)."""
    x = _t(x)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    target, out = [], []
    for i, d in enumerate(shape):
        if isinstance(d, int):
            target.append(d)
            out.append(d)
        elif i < x.ndim and d == x.shape[i]:
            target.append(0)  # copy the input's dim
            out.append(d)
        else:
            target.append(-1)
            out.append(d)
    if target.count(-1) > 1:
        raise TraceError(f"reshape of {x.shape} to {shape}: more than one unknown dim")
    if -1 in target:
        # The dims not kept from the input must multiply to the same size.
        j = target.index(-1)
        kept = {k for k, t in enumerate(target) if t == 0}
        rest_in = [d for k, d in enumerate(x.shape) if k not in kept]
        rest_out = [d for k, d in enumerate(out) if k not in kept and k != j]
        if all(isinstance(d, int) for d in rest_in + rest_out):
            out[j] = int(np.prod(rest_in)) // max(int(np.prod(rest_out)), 1)
        else:
            out[j] = None
    return _op("Reshape", [x, _ints("shape", x, target)], tuple(out), x.dtype)


view = reshape


def flatten(x, start_dim=1, end_dim=-1):
    x = _t(x)
    s, e = _axis(start_dim, x.ndim), _axis(end_dim, x.ndim)
    if e == x.ndim - 1 and s == 1:
        inner = x.shape[1:]
        size = int(np.prod(inner)) if all(isinstance(d, int) for d in inner) else None
        return _op("Flatten", [x], (x.shape[0], size), x.dtype, axis=1)
    merged = x.shape[s:e + 1]
    size = int(np.prod(merged)) if all(isinstance(d, int) for d in merged) else -1
    return reshape(x, *(list(x.shape[:s]) + [size] + list(x.shape[e + 1:])))


def permute(x, *dims):
    x = _t(x)
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    perm = [_axis(d, x.ndim) for d in dims]
    return _op("Transpose", [x], tuple(x.shape[p] for p in perm), x.dtype, perm=perm)


def transpose(x, a, b):
    x = _t(x)
    perm = list(range(x.ndim))
    a, b = _axis(a, x.ndim), _axis(b, x.ndim)
    perm[a], perm[b] = perm[b], perm[a]
    return permute(x, *perm)


def unsqueeze(x, dim):
    x = _t(x)
    d = dim % (x.ndim + 1)
    return _op("Unsqueeze", [x, _ints("axes", x, [d])], x.shape[:d] + (1,) + x.shape[d:], x.dtype)


def squeeze(x, dim):
    x = _t(x)
    d = _axis(dim, x.ndim)
    return _op("Squeeze", [x, _ints("axes", x, [d])], x.shape[:d] + x.shape[d + 1:], x.dtype)


def cat(tensors, dim=0):
    ts = [_t(t) for t in tensors]
    d = _axis(dim, ts[0].ndim)
    sizes = [t.shape[d] for t in ts]
    total = sum(sizes) if all(isinstance(s, int) for s in sizes) else None
    shape = ts[0].shape[:d] + (total,) + ts[0].shape[d + 1:]
    return _op("Concat", ts, shape, ts[0].dtype, axis=d)


def split(x, size, dim=0):
    """Splits into pieces of `size` along dim (a list of sizes allowed)."""
    x = _t(x)
    d = _axis(dim, x.ndim)
    total = x.shape[d]
    if isinstance(size, int):
        if not isinstance(total, int):
            raise TraceError(f"split of a dynamic dim {total} needs a list of sizes")
        sizes = [size] * (total // size) + ([total % size] if total % size else [])
    else:
        sizes = list(size)
    g = current_graph()
    outs = g.add_node("Split", [x.name, g.constant(np.asarray(sizes, np.int64)).name],
                      num_outputs=len(sizes), axis=d)
    return tuple(Tensor(o, x.shape[:d] + (s,) + x.shape[d + 1:], x.dtype)
                 for o, s in zip(outs, sizes))


def chunk(x, chunks, dim=0):
    x = _t(x)
    total = x.shape[_axis(dim, x.ndim)]
    if not isinstance(total, int):
        raise TraceError("chunk of a dynamic dim")
    return split(x, -(-total // chunks), dim)


def getitem(x, idx):
    """Basic indexing: ints and slices with steps, on leading dims."""
    x = _t(x)
    if not isinstance(idx, tuple):
        idx = (idx,)
    starts, ends, axes, steps, squeeze_axes, shape = [], [], [], [], [], list(x.shape)
    for d, i in enumerate(idx):
        if i is Ellipsis:
            raise TraceError("indexing with ... is not supported")
        if isinstance(i, int):
            starts.append(i)
            ends.append(i + 1 if i != -1 else 2 ** 62)
            axes.append(d)
            steps.append(1)
            squeeze_axes.append(d)
            shape[d] = 1
        elif isinstance(i, slice):
            if i == slice(None):
                continue
            step = i.step or 1
            start = i.start if i.start is not None else (0 if step > 0 else -1)
            stop = i.stop if i.stop is not None else (2 ** 62 if step > 0 else -2 ** 62)
            starts.append(start)
            ends.append(stop)
            axes.append(d)
            steps.append(step)
            if isinstance(x.shape[d], int):
                shape[d] = len(range(*slice(i.start, i.stop, step).indices(x.shape[d])))
            else:
                shape[d] = None
        else:
            raise TraceError(f"indexing with {type(i).__name__} is not supported")
    y = x
    if axes:
        g = current_graph()
        consts = [g.constant(np.asarray(v, np.int64)) for v in (starts, ends, axes, steps)]
        y = _op("Slice", [x] + consts, tuple(shape), x.dtype)
    for d in reversed(squeeze_axes):
        y = squeeze(y, d)
    return y


# --- reductions -----------------------------------------------------------------

def _reduce(op, x, dim, keepdim):
    x = _t(x)
    if dim is None:
        axes = list(range(x.ndim))
    else:
        axes = sorted(_axis(d, x.ndim) for d in (dim if isinstance(dim, (tuple, list)) else [dim]))
    shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape)) if keepdim else \
        tuple(s for i, s in enumerate(x.shape) if i not in axes)
    if op == "ReduceSum":
        return _op(op, [x, _ints("axes", x, axes)], shape, x.dtype, keepdims=int(keepdim))
    return _op(op, [x], shape, x.dtype, axes=axes, keepdims=int(keepdim))


def mean(x, dim=None, keepdim=False): return _reduce("ReduceMean", x, dim, keepdim)
def sum(x, dim=None, keepdim=False): return _reduce("ReduceSum", x, dim, keepdim)
def amax(x, dim=None, keepdim=False): return _reduce("ReduceMax", x, dim, keepdim)


# --- losses (for custom training objectives) -------------------------------------

def _reduction(v, reduction):
    if reduction == "mean":
        return mean(v)
    if reduction == "sum":
        return sum(v)
    if reduction == "none":
        return v
    raise TraceError(f"reduction={reduction!r} is not mean, sum or none")


def mse_loss(pred, target, reduction="mean"):
    d = sub(pred, target)
    return _reduction(mul(d, d), reduction)


def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    # max(x, 0) - x y + log(1 + exp(-|x|))
    x = _t(logits)
    v = add(sub(relu(x), mul(x, target)), log(add(exp(neg(abs(x))), 1.0)))
    return _reduction(v, reduction)


def cross_entropy(logits, target, reduction="mean"):
    """Cross-entropy of [N, C] logits against int64 class indices [N]."""
    logits = _t(logits)
    logp = log_softmax(logits, 1)
    c = logits.shape[1]
    g = current_graph()
    depth = g.constant(np.array([c], np.int64))
    values = g.constant(np.array([0, 1], dtype=logits.dtype))
    onehot = _op("OneHot", [_t(target), depth, values], logits.shape, logits.dtype, axis=-1)
    v = neg(sum(mul(logp, onehot), 1))
    return _reduction(v, reduction)
