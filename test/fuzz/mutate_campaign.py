#!/usr/bin/python3
"""A mutation campaign through `dlc --emit=mlir` (issue 18's targets): byte
flips, truncations and structure-aware edits (onnx package) of the ONNX node
tests' models. Counts crashes (signals), hangs (over the timeout), memory
blowups (over 8 GB address space) and clean rejections; keeps crashing files.

usage: mutate_campaign.py DLC OUTDIR COUNT [SEED]
"""
import glob
import os
import random
import resource
import subprocess
import sys

import onnx

dlc, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 18)
os.makedirs(os.path.join(out, "crashes"), exist_ok=True)
seeds = sorted(glob.glob("/usr/share/libonnx-testdata/data/node/*/model.onnx"))
blobs = [open(s, "rb").read() for s in seeds]


def structural(data):
    m = onnx.ModelProto()
    m.ParseFromString(data)
    g = m.graph
    choice = rnd.randrange(8)
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
    elif g.node:
        n = rnd.choice(g.node)
        n.op_type = rnd.choice(["Conv", "Split", "Resize", "Reshape", "Gather",
                                "Expand", "Tile", "Pad", "Slice", "ConvTranspose"])
    return m.SerializeToString()


def mutate(data):
    kind = rnd.randrange(3)
    if kind == 0:
        b = bytearray(data)
        for _ in range(rnd.randrange(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    if kind == 1:
        return data[:rnd.randrange(1, len(data))]
    try:
        return structural(data)
    except Exception:
        return data


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))


stats = {"crash": 0, "hang": 0, "memory": 0, "rejected": 0, "accepted": 0}
path = os.path.join(out, "case.onnx")
for i in range(count):
    if i and i % 200 == 0:
        print(f"{i} done: " + ", ".join(f"{k} {v}" for k, v in stats.items()),
              flush=True)
    data = mutate(rnd.choice(blobs))
    with open(path, "wb") as f:
        f.write(data)
    try:
        p = subprocess.run([dlc, path, "--emit=mlir", "-o", os.devnull],
                           capture_output=True, timeout=30, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        stats["hang"] += 1
        os.replace(path, os.path.join(out, "crashes", f"hang_{i}.onnx"))
        continue
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0 or "Stack dump" in err or "terminate called" in err:
        kind = "memory" if "std::bad_alloc" in err or "out of memory" in err else "crash"
        stats[kind] += 1
        os.replace(path, os.path.join(out, "crashes", f"{kind}_{i}.onnx"))
        print(f"{kind} {i}: {err.strip().splitlines()[-1][:200] if err.strip() else p.returncode}")
    elif p.returncode == 0:
        stats["accepted"] += 1
    else:
        stats["rejected"] += 1
print(f"{count} mutated files: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
sys.exit(1 if stats["crash"] or stats["hang"] or stats["memory"] else 0)
