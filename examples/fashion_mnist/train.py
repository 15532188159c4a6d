#!/usr/bin/python3
"""Trains an MLP or a small CNN on Fashion-MNIST with a training step
compiled by `dlc --train`.

The networks are ONNX graphs with no weights: their parameters are graph
inputs after the image, which dlc initializes (He uniform). Each step runs
the compiled forward, cross-entropy loss, gradients and Adam update; the
state lives in numpy arrays the step updates in place. At the end the
trained weights are written into an ONNX file that `dlc` compiles for
inference like any other model.

usage: train.py [--model mlp|cnn] [--epochs N] [--train-limit N] [--out DIR]
       mpirun -np 2 train.py --data-parallel [...]

With --data-parallel under mpirun, every rank trains a replica on its own
BATCH images of each global batch of BATCH x ranks (same shuffle on every
rank), the compiled step all-reduces the gradients over MPI, and only rank
0 prints, evaluates and writes files.

Reads the IDX files of Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist) directly.
"""
import argparse
import gzip
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from dlc import Trainer, compile_training  # noqa: E402
from dlc import distributed  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 64


def read_idx(name: str) -> np.ndarray:
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split: str):
    images = read_idx(f"{split}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    # Normalized with the training set's mean and standard deviation.
    return (images - 0.2860) / 0.3530, labels


def param(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def mlp_model() -> onnx.ModelProto:
    sizes = [784, 512, 256, 10]
    inputs = [param("image", [BATCH, 784])]
    nodes, x = [], "image"
    for i in range(3):
        w, b = f"fc{i + 1}.weight", f"fc{i + 1}.bias"
        inputs += [param(w, [sizes[i], sizes[i + 1]]), param(b, [sizes[i + 1]])]
        nodes += [helper.make_node("MatMul", [x, w], [f"mm{i}"]),
                  helper.make_node("Add", [f"mm{i}", b], [f"fc{i}"])]
        x = f"fc{i}"
        if i < 2:
            nodes.append(helper.make_node("Relu", [x], [f"relu{i}"]))
            x = f"relu{i}"
    graph = helper.make_graph(nodes, "mlp", inputs,
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [BATCH, 10])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def cnn_model() -> onnx.ModelProto:
    inputs = [param("image", [BATCH, 1, 28, 28]),
              param("conv1.weight", [32, 1, 3, 3]), param("conv1.bias", [32]),
              param("conv2.weight", [64, 32, 3, 3]), param("conv2.bias", [64]),
              param("fc1.weight", [64 * 7 * 7, 128]), param("fc1.bias", [128]),
              param("fc2.weight", [128, 10]), param("fc2.bias", [10])]
    nodes = [
        helper.make_node("Conv", ["image", "conv1.weight", "conv1.bias"], ["c1"],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p2"], ["f"]),
        helper.make_node("MatMul", ["f", "fc1.weight"], ["m1"]),
        helper.make_node("Add", ["m1", "fc1.bias"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["r3"]),
        helper.make_node("MatMul", ["r3", "fc2.weight"], ["m2"]),
        helper.make_node("Add", ["m2", "fc2.bias"], ["logits"]),
    ]
    graph = helper.make_graph(nodes, "cnn", inputs,
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [BATCH, 10])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def progress(epoch, epochs, done, total, loss, acc, start):
    width = 30
    filled = int(width * done / total)
    rate = done * BATCH * distributed.size() / max(time.time() - start, 1e-9)
    line = (f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{total} loss {loss:.4f} acc {acc:.3f} {rate:.0f} img/s")
    sys.stderr.write(line)
    sys.stderr.flush()


def evaluate(trainer, images, labels, shape):
    correct = 0
    for i in range(0, len(images), BATCH):
        batch = images[i:i + BATCH]
        n = len(batch)
        if n < BATCH:  # the last batch, padded
            batch = np.concatenate([batch, np.zeros((BATCH - n,) + batch.shape[1:], batch.dtype)])
        logits = trainer.predict(batch.reshape(shape))[0]
        correct += int((logits[:n].argmax(1) == labels[i:i + n]).sum())
    return correct / len(images)


def plot(history, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    steps, losses = zip(*history["loss"])
    a.plot(steps, losses, lw=0.8)
    a.set_xlabel("step")
    a.set_ylabel("training loss (running mean)")
    epochs, accs = zip(*history["test_acc"])
    b.plot(epochs, accs, "o-", label="test")
    if history["train_acc"]:
        b.plot(*zip(*history["train_acc"]), "s--", label="train (running)")
    b.set_xlabel("epoch")
    b.set_ylabel("accuracy")
    b.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--train-limit", type=int, default=0,
                    help="use only the first N training images (0: all)")
    ap.add_argument("--test-limit", type=int, default=0)
    ap.add_argument("--dlc", default=os.path.join(HERE, "..", "..", "build", "bin", "dlc"))
    ap.add_argument("--out", default="fashion_mnist_out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-parallel", action="store_true",
                    help="compile with --data-parallel (run under mpirun -np N)")
    ap.add_argument("--assert-learning", type=float, default=None, metavar="ACC",
                    help="fail unless the running loss fell below 0.7 of the first "
                         "and test accuracy >= ACC")
    args = ap.parse_args()
    epochs = args.epochs or (10 if args.model == "mlp" else 5)
    os.makedirs(args.out, exist_ok=True)

    model = mlp_model() if args.model == "mlp" else cnn_model()
    shape = (BATCH, 784) if args.model == "mlp" else (BATCH, 1, 28, 28)
    model_path = os.path.join(args.out, f"{args.model}.onnx")
    onnx.save(model, model_path)
    lib = os.path.join(args.out, f"lib{args.model}_train.so")
    t0 = time.time()
    main_rank = distributed.is_main()
    extra = ["--data-parallel"] if args.data_parallel else []
    if main_rank:
        # Written elsewhere and moved, so other ranks only see a whole file.
        tmp_dir = os.path.join(args.out, ".compiling")
        os.makedirs(tmp_dir, exist_ok=True)
        tmp = os.path.join(tmp_dir, os.path.basename(lib))
        compile_training(args.dlc, model_path, tmp, "--loss=cross_entropy",
                         "--optimizer=adam", f"--seed={args.seed}", *extra)
        for f in os.listdir(tmp_dir):
            os.replace(os.path.join(tmp_dir, f), os.path.join(args.out, f))
        print(f"compiled {lib} in {time.time() - t0:.1f} s", file=sys.stderr)
    else:
        while time.time() - t0 < 600 and not (
                os.path.exists(lib) and os.path.getmtime(lib) >= t0 - 1):
            time.sleep(0.2)
    trainer = Trainer(lib)
    ranks = trainer.dist.size if trainer.dist else 1
    if ranks > 1:
        distributed.print0(f"data-parallel: {ranks} ranks x batch {BATCH}", file=sys.stderr)

    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    if args.train_limit:
        train_x, train_y = train_x[:args.train_limit], train_y[:args.train_limit]
    if args.test_limit:
        test_x, test_y = test_x[:args.test_limit], test_y[:args.test_limit]
    rng = np.random.default_rng(args.seed)
    history = {"loss": [], "test_acc": [], "train_acc": []}
    steps_per_epoch = distributed.steps_per_epoch(len(train_x), BATCH, ranks)
    step = 0
    first_loss = None
    tty = sys.stderr.isatty() and main_rank
    running = None  # the running mean of the loss, across epochs
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(train_x))
        start = time.time()
        correct, seen = 0, 0
        for i in range(steps_per_epoch):
            idx = distributed.shard(order, i, BATCH, distributed.rank(), ranks)
            loss, logits = trainer.step(train_x[idx].reshape(shape), train_y[idx], lr=args.lr)
            loss = float(loss)
            first_loss = loss if first_loss is None else first_loss
            running = loss if running is None else 0.98 * running + 0.02 * loss
            correct += int((logits.argmax(1) == train_y[idx]).sum())
            seen += BATCH
            step += 1
            if step % 10 == 0:
                history["loss"].append((step, running))
            # A live bar on a terminal; four lines an epoch in a log.
            every = 20 if tty else max(1, steps_per_epoch // 4)
            if main_rank and (i % every == every - 1 or i == steps_per_epoch - 1):
                progress(epoch, epochs, i + 1, steps_per_epoch, running, correct / seen, start)
                if not tty:
                    sys.stderr.write("\n")
        if tty:
            sys.stderr.write("\n")
        if not main_rank:  # rank 0 evaluates and reports
            continue
        acc = evaluate(trainer, test_x, test_y, shape)
        history["test_acc"].append((epoch, acc))
        history["train_acc"].append((epoch, correct / seen))
        print(f"epoch {epoch}: train loss {running:.4f}, train acc {correct / seen:.4f}, "
              f"test acc {acc:.4f}, {time.time() - start:.1f} s", flush=True)

    if not main_rank:
        return 0
    png = os.path.join(args.out, f"{args.model}_curves.png")
    plot(history, png, f"Fashion-MNIST {args.model} (dlc --train, Adam lr {args.lr})")
    trained = os.path.join(args.out, f"{args.model}_trained.onnx")
    written = trainer.save_onnx(model_path, trained)
    # The trained model compiles for inference like any other ONNX file.
    infer_lib = os.path.join(args.out, f"lib{args.model}.so")
    subprocess.run([args.dlc, trained, "--emit=shared", "-o", infer_lib], check=True)
    from dlc import Entry
    import ctypes
    infer = Entry(ctypes.CDLL(os.path.abspath(infer_lib)), f"{args.model}_run",
                  f"{args.model}_release")
    batch = test_x[:BATCH].reshape(shape)
    same = np.allclose(infer(batch)[0], trainer.predict(batch)[0], rtol=1e-4, atol=1e-5)
    print(f"first loss {first_loss:.4f}, final test accuracy {history['test_acc'][-1][1]:.4f}")
    print(f"curves: {png}; trained model: {trained} ({len(written)} tensors); "
          f"its inference build agrees with the trainer: {same}")
    ok = same
    if args.assert_learning is not None:
        learned = running < 0.7 * first_loss and history["test_acc"][-1][1] >= args.assert_learning
        print(f"learning: {'ok' if learned else 'FAILED'} (loss {first_loss:.3f} -> "
              f"{running:.3f}, test accuracy {history['test_acc'][-1][1]:.3f}, "
              f"chance 0.1, asked >= {args.assert_learning})")
        ok = ok and learned
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
