#!/usr/bin/python3
"""A mutation campaign through `dlc FILE --emit=mlir` (issue 18's targets):
byte flips and truncations of binary models, structure-aware edits (onnx
package) and edits of ONNX text models, all made from the ONNX node tests'
models. Counts crashes (signals, uncaught exceptions, LLVM stack dumps), hangs
(over the CPU-time limit, --timeout, or blocked for 10 times that), memory
blowups (over an 8 GB address space) and clean rejections; keeps every failing file. Then compiles and runs up to RUN of the
accepted mutants with `dlc-run FILE --data SEED_TEST_DATA` (their seed's
inputs): a match, a mismatch (the model was mutated), an error status or a
compile error are all clean outcomes; a signal or a hang is a failure.

dlc and dlc-run run as in a shell, but through fork servers
(dlc-fork-server-dlc/-run: the tools' main in a forked child per file, same
command line, same limits) to skip exec's start-up cost.

The accepted mutants are compiled and run by one more worker while the
import workers go on.

usage: mutate_campaign.py BINDIR OUTDIR COUNT [--seed S] [--run N] [--jobs J]
                          [--run-jobs R] [--time-limit SECONDS]
"""
import argparse
import glob
import os
import queue
import random
import subprocess
import sys
import threading
import time

import onnx

ap = argparse.ArgumentParser()
ap.add_argument("bindir")
ap.add_argument("out")
ap.add_argument("count", type=int)
ap.add_argument("--seed", type=int, default=18)
ap.add_argument("--run", type=int, default=0, help="accepted mutants to compile and run")
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--run-jobs", type=int, default=1,
                help="workers compiling and running accepted mutants")
ap.add_argument("--timeout", type=int, default=30)
ap.add_argument("--time-limit", type=float, default=0,
                help="stop making mutants after this many seconds (0: none)")
args = ap.parse_args()

rnd = random.Random(args.seed)
os.makedirs(os.path.join(args.out, "crashes"), exist_ok=True)
work = os.path.join(args.out, "work")
os.makedirs(work, exist_ok=True)
seed_dirs = sorted(os.path.dirname(p) for p in
                   glob.glob("/usr/share/libonnx-testdata/data/node/*/model.onnx"))
blobs = [open(os.path.join(d, "model.onnx"), "rb").read() for d in seed_dirs]


def to_text():
    """The seeds as ONNX text (libonnx's printer, through the fork server)."""
    tdir = os.path.join(work, "text-seeds")
    os.makedirs(tdir, exist_ok=True)
    pairs = []
    for i, d in enumerate(seed_dirs):
        pairs += [os.path.join(d, "model.onnx"), os.path.join(tdir, f"{i}.onnxtxt")]
    subprocess.run([os.path.join(args.bindir, "dlc-fork-server-dlc"), "--to-text"] + pairs)
    out = []
    for i in range(len(seed_dirs)):
        path = os.path.join(tdir, f"{i}.onnxtxt")
        if os.path.exists(path):
            out.append((i, open(path, encoding="utf-8", errors="replace").read()))
    return out


texts = to_text()
print(f"{len(blobs)} seed models, {len(texts)} of them as text", flush=True)

WEIRD = ["1e999", "-1e999", "nan", "12345678901234567890", "-5", "0", "-9223372036854775808",
         "9223372036854775807", "\"\"", "[]", "[,]", "(", ")", "{", "}", "<", ">", "=",
         "float[]", "int64[0]", "float[-1]", "uint8", "string", "\\x00", "Loop", "If"]


def mutate_text(text):
    kind = rnd.randrange(5)
    if kind == 0:  # character flips
        t = list(text)
        for _ in range(rnd.randrange(1, 6)):
            t[rnd.randrange(len(t))] = chr(rnd.randrange(32, 127))
        return "".join(t)
    if kind == 1:  # truncation
        return text[:rnd.randrange(1, len(text))]
    if kind == 2:  # a number or token replaced by an odd one
        tokens = text.split(" ")
        i = rnd.randrange(len(tokens))
        tokens[i] = rnd.choice(WEIRD)
        return " ".join(tokens)
    lines = text.split("\n")
    if kind == 3 and len(lines) > 2:  # a line dropped or duplicated
        i = rnd.randrange(len(lines))
        if rnd.random() < 0.5:
            del lines[i]
        else:
            lines.insert(i, lines[i])
        return "\n".join(lines)
    # two models' lines spliced
    other = rnd.choice(texts)[1].split("\n")
    cut = rnd.randrange(len(lines))
    return "\n".join(lines[:cut] + other[rnd.randrange(len(other)):])


def structural(data):
    m = onnx.ModelProto()
    m.ParseFromString(data)
    g = m.graph
    choice = rnd.randrange(10)
    if choice == 0 and g.node:
        n = rnd.choice(g.node)
        del n.input[rnd.randrange(len(n.input) + 1):]
    elif choice == 1 and g.node:
        n = rnd.choice(g.node)
        del n.output[rnd.randrange(len(n.output) + 1):]
    elif choice == 2 and g.node:
        for a in rnd.choice(g.node).attribute:
            if a.ints:
                a.ints[rnd.randrange(len(a.ints))] = rnd.choice([0, -1, 1 << 62, -(1 << 63)])
            if a.HasField("i"):
                a.i = rnd.choice([0, -1, 1 << 62, 99])
            if a.HasField("f"):
                a.f = rnd.choice([0.0, -1.0, 1e30, float("nan")])
    elif choice == 3:
        m.ir_version = rnd.choice([3, 9, 10, 99])
    elif choice == 4:
        for vi in list(g.input) + list(g.output):
            for d in vi.type.tensor_type.shape.dim:
                if rnd.random() < 0.3:
                    d.dim_value = rnd.choice([0, -5, 1 << 40, 1 << 62])
    elif choice == 5 and g.node:
        g.node.append(rnd.choice(g.node))
    elif choice == 6 and m.opset_import:
        m.opset_import[0].version = rnd.choice([1, 6, 7, 12, 18, 21, 22, 1000])
    elif choice == 7 and g.initializer:
        t = rnd.choice(g.initializer)
        if t.dims:
            t.dims[rnd.randrange(len(t.dims))] = rnd.choice([0, 1, 7, -3, 1 << 33])
        elif t.raw_data:
            t.raw_data = t.raw_data[:rnd.randrange(len(t.raw_data))]
    elif choice == 8 and g.node:
        n = rnd.choice(g.node)
        n.input[rnd.randrange(len(n.input))] = rnd.choice(
            [v.name for v in g.output] + ["", "missing"]) if n.input else "x"
    elif g.node:
        n = rnd.choice(g.node)
        n.op_type = rnd.choice(["Conv", "Split", "Resize", "Reshape", "Gather",
                                "Expand", "Tile", "Pad", "Slice", "ConvTranspose",
                                "MatMul", "Softmax", "BatchNormalization", "Concat"])
    return m.SerializeToString()


def mutate():
    """-> (seed index, kind, bytes, suffix)."""
    i = rnd.randrange(len(blobs))
    r = rnd.random()
    if r < 0.3:
        b = bytearray(blobs[i])
        for _ in range(rnd.randrange(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return i, "bytes", bytes(b), ".onnx"
    if r < 0.4:
        return i, "truncate", blobs[i][:rnd.randrange(1, len(blobs[i]))], ".onnx"
    if r < 0.7:
        try:
            return i, "structure", structural(blobs[i]), ".onnx"
        except Exception:
            return i, "structure", blobs[i], ".onnx"
    i, text = rnd.choice(texts)
    return i, "text", mutate_text(text).encode("utf-8", "replace"), ".onnxtxt"


class Server:
    def __init__(self, tool, slot):
        env = dict(os.environ, LD_BIND_NOW="1")
        self.p = subprocess.Popen([os.path.join(args.bindir, "dlc-fork-server-" + tool)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  env=env)
        self.log = os.path.join(work, f"{tool}{slot}.log")

    def call(self, argv):
        self.p.stdin.write("\t".join([self.log, str(args.timeout)] + argv) + "\n")
        self.p.stdin.flush()
        reply = self.p.stdout.readline().strip()
        with open(self.log, errors="replace") as f:
            output = f.read()
        return reply, output


def classify(reply, output):
    if reply == "timeout":
        return "hang"
    if "std::bad_alloc" in output or "out of memory" in output.lower() and reply.startswith("signal"):
        return "memory"
    if reply.startswith("signal") or "Stack dump" in output or "terminate called" in output:
        return "crash"
    if reply == "exit 0":
        return "accepted"
    if reply.startswith("exit"):
        return "rejected"
    return "crash"


lock = threading.Lock()
stats = {k: 0 for k in ("crash", "hang", "memory", "rejected", "accepted")}
by_kind = {}
accepted = []  # (path, seed dir)
failures = []
started = time.time()


def keep(path, kind, i, output):
    dest = os.path.join(args.out, "crashes", f"{kind}_{i}{os.path.splitext(path)[1]}")
    os.replace(path, dest)
    failures.append(dest)
    last = output.strip().splitlines()[-1][:200] if output.strip() else ""
    print(f"{kind} {i}: {dest}: {last}", flush=True)


run_stats = {}
runq = queue.Queue()


def run_worker(slot):
    server = Server("run", slot)
    while True:
        item = runq.get()
        if item is None:
            return
        path, seed = item
        data = os.path.join(seed, "test_data_set_0")
        reply, output = server.call(["dlc-run", path, "--data", data])
        c = classify(reply, output)
        if c == "rejected":
            c = {"exit 1": "import error", "exit 2": "compile error",
                 "exit 3": "data does not fit", "exit 4": "error status",
                 "exit 5": "mismatch"}.get(reply, reply)
        elif c == "accepted":
            c = "match"
        with lock:
            run_stats[c] = run_stats.get(c, 0) + 1
            if c in ("crash", "hang", "memory"):
                keep(path, "run-" + c, len(failures), output)
            elif os.path.exists(path):
                os.remove(path)
            n = sum(run_stats.values())
            if n % 500 == 0:
                print(f"{n} run: " + ", ".join(f"{k} {v}" for k, v in sorted(run_stats.items())),
                      flush=True)


def import_worker(slot, jobs):
    server = Server("dlc", slot)
    while True:
        item = jobs.get()
        if item is None:
            return
        i, seed, kind, data, suffix = item
        path = os.path.join(work, f"m{i}{suffix}")
        with open(path, "wb") as f:
            f.write(data)
        reply, output = server.call(["dlc", path, "--emit=mlir", "-o", os.devnull])
        c = classify(reply, output)
        with lock:
            stats[c] += 1
            by_kind.setdefault(kind, {}).setdefault(c, 0)
            by_kind[kind][c] += 1
            done = sum(stats.values())
            if c in ("crash", "hang", "memory"):
                keep(path, c, i, output)
            elif c == "accepted" and len(accepted) < args.run:
                kept = os.path.join(args.out, "accepted", f"m{i}{suffix}")
                os.makedirs(os.path.dirname(kept), exist_ok=True)
                os.replace(path, kept)
                accepted.append((kept, seed_dirs[seed]))
                runq.put((kept, seed_dirs[seed]))
            if done % 2000 == 0:
                rate = done / (time.time() - started)
                print(f"{done} done ({rate:.0f}/s): " +
                      ", ".join(f"{k} {v}" for k, v in stats.items()), flush=True)
        if os.path.exists(path):
            os.remove(path)


jobs = queue.Queue(maxsize=64)
threads = [threading.Thread(target=import_worker, args=(s, jobs)) for s in range(args.jobs)]
for t in threads:
    t.start()
runners = [threading.Thread(target=run_worker, args=(s,))
           for s in range(args.run_jobs if args.run else 0)]
for t in runners:
    t.start()
made = 0
for i in range(args.count):
    if args.time_limit and time.time() - started > args.time_limit:
        print(f"time limit: stopping after {i} mutants", flush=True)
        break
    seed, kind, data, suffix = mutate()
    jobs.put((i, seed, kind, data, suffix))
    made += 1
for _ in threads:
    jobs.put(None)
for t in threads:
    t.join()
print(f"{made} mutated files through dlc --emit=mlir in {time.time() - started:.0f} s: " +
      ", ".join(f"{k} {v}" for k, v in stats.items()))
for kind, counts in sorted(by_kind.items()):
    print(f"  {kind}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
if args.run:
    for _ in runners:
        runq.put(None)
    for t in runners:
        t.join()
    print(f"{sum(run_stats.values())} accepted mutants compiled and run with dlc-run "
          f"(their seed's test data): " +
          ", ".join(f"{k} {v}" for k, v in sorted(run_stats.items())))

bad = stats["crash"] + stats["hang"] + stats["memory"] + sum(
    run_stats.get(k, 0) for k in ("crash", "hang", "memory"))
print(f"failures: {bad}")
sys.exit(1 if bad else 0)
