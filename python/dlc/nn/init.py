"""Parameter initialization (in place), with torch.nn.init's formulas:
Xavier/Glorot and He/Kaiming, uniform and normal. The random stream is
numpy's, seeded by `dlc.manual_seed`."""
import math

import numpy as np

_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Seeds every later initialization."""
    global _rng
    _rng = np.random.default_rng(seed)


def _data(p):
    return p.data if hasattr(p, "data") and isinstance(p.data, np.ndarray) else p


def _fans(a: np.ndarray):
    if a.ndim < 2:
        raise ValueError(f"fan in and fan out need at least 2 dims, got {a.shape}")
    receptive = int(np.prod(a.shape[2:])) if a.ndim > 2 else 1
    return a.shape[1] * receptive, a.shape[0] * receptive


def calculate_gain(nonlinearity: str, param=None) -> float:
    if nonlinearity in ("linear", "sigmoid", "conv1d", "conv2d", "conv3d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"no gain for {nonlinearity!r}")


def uniform_(p, a=0.0, b=1.0):
    d = _data(p)
    d[...] = _rng.uniform(a, b, d.shape)
    return p


def normal_(p, mean=0.0, std=1.0):
    d = _data(p)
    d[...] = _rng.normal(mean, std, d.shape)
    return p


def zeros_(p):
    _data(p)[...] = 0
    return p


def ones_(p):
    _data(p)[...] = 1
    return p


def constant_(p, value):
    _data(p)[...] = value
    return p


def xavier_uniform_(p, gain=1.0):
    fan_in, fan_out = _fans(_data(p))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(p, -bound, bound)


def xavier_normal_(p, gain=1.0):
    fan_in, fan_out = _fans(_data(p))
    return normal_(p, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(p, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _fans(_data(p))
    fan = fan_in if mode == "fan_in" else fan_out
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(p, -bound, bound)


def kaiming_normal_(p, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _fans(_data(p))
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(p, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


# Aliases under the other names.
glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
