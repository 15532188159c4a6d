"""Small datasets for examples and tests, read from Debian packages.

fashion_mnist() reads Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist, IDX files). DLC_DATASET_LIMIT=N keeps
the first N training and N/5 test images (how the test suite runs the
examples and the README's quick start quickly)."""
import gzip
import os
from typing import Optional, Tuple

import numpy as np

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist(flatten: bool = False, normalize: str = "standard",
                  limit: Optional[int] = None, root: str = FASHION_MNIST
                  ) -> Tuple[Tuple[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]:
    """((train images, labels), (test images, labels)): images float32
    [N, 1, 28, 28] (or [N, 784] with flatten), labels int64.
    normalize: "standard" (the training set's mean 0.2860 and std 0.3530),
    "unit" ([0, 1]) or "symmetric" ([-1, 1])."""
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root}: install Debian's dataset-fashion-mnist "
                                f"(scripts/install-deps.sh)")
    env = os.environ.get("DLC_DATASET_LIMIT")
    if limit is None and env:
        limit = int(env)
    out = []
    for split in ("train", "t10k"):
        x = _read_idx(os.path.join(root, f"{split}-images-idx3-ubyte.gz"))
        y = _read_idx(os.path.join(root, f"{split}-labels-idx1-ubyte.gz")).astype(np.int64)
        if limit:
            n = limit if split == "train" else max(1, limit // 5)
            x, y = x[:n], y[:n]
        x = x.astype(np.float32) / 255.0
        if normalize == "standard":
            x = (x - 0.2860) / 0.3530
        elif normalize == "symmetric":
            x = x * 2 - 1
        elif normalize != "unit":
            raise ValueError(f"normalize={normalize!r}")
        x = x.reshape(len(x), 784) if flatten else x.reshape(len(x), 1, 28, 28)
        out.append((np.ascontiguousarray(x), y))
    return out[0], out[1]


def image_grid(images: np.ndarray, path: str, nrow: int = 8, title: Optional[str] = None,
               value_range=(0.0, 1.0)) -> str:
    """Writes images [N, 28*28] or [N, 1, H, W] as a grid PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = len(images)
    side = int(round(np.sqrt(images[0].size)))
    lo, hi = value_range
    imgs = np.clip((np.asarray(images).reshape(n, side, side) - lo) / (hi - lo), 0, 1)
    ncol = nrow
    rows = -(-n // ncol)
    grid = np.zeros((rows * (side + 2), ncol * (side + 2)), np.float32)
    for i in range(n):
        r, c = divmod(i, ncol)
        grid[r * (side + 2) + 1:r * (side + 2) + 1 + side,
             c * (side + 2) + 1:c * (side + 2) + 1 + side] = imgs[i]
    fig = plt.figure(figsize=(ncol * 0.6, rows * 0.6 + (0.4 if title else 0)))
    plt.imshow(grid, cmap="gray", vmin=0, vmax=1)
    plt.axis("off")
    if title:
        plt.title(title, fontsize=9)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
