#!/usr/bin/python3
"""Compiles ONNX backend node tests (libonnx-testdata) with dlc, runs them on
their test data and compares with the expected outputs.

usage: onnx_node_run.py DLC [--filter REGEX] [--json OUT] [--min-pass N]

Each test is classified: pass, import-error (unsupported op or attribute),
compile-error, runtime-error, mismatch, crash or timeout. Float outputs must
match within rtol 1e-3, atol 1e-5; integers and booleans exactly. Each run
happens in its own process, so a crash is counted, not fatal.
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/libonnx-testdata/data/node"

RUNNER = r'''
import sys, glob, os
import numpy as np
import onnx
from onnx import numpy_helper
sys.path.insert(0, sys.argv[1])
from dlc import CompiledModel, TensorSpec
lib, entry, test_dir = sys.argv[2], sys.argv[3], sys.argv[4]
def load(pattern):
    out = []
    for f in sorted(glob.glob(os.path.join(test_dir, "test_data_set_0", pattern)),
                    key=lambda p: int(re.search(r"_(\d+)\.pb$", p).group(1))):
        t = onnx.TensorProto()
        t.ParseFromString(open(f, "rb").read())
        out.append(numpy_helper.to_array(t))
    return out
import re
ins, outs = load("input_*.pb"), load("output_*.pb")
m = CompiledModel(lib, entry, [TensorSpec(a.ndim, a.dtype) for a in ins],
                  [TensorSpec(a.ndim, a.dtype) for a in outs])
got = m(*ins)
worst = 0.0
for i, (g, e) in enumerate(zip(got, outs)):
    if g.shape != e.shape:
        print(f"output {i}: shape {g.shape}, expected {e.shape}"); sys.exit(3)
    if e.dtype.kind == "f":
        ok = np.allclose(g, e, rtol=1e-3, atol=1e-5, equal_nan=True)
        err = float(np.max(np.abs(g.astype(np.float64) - e))) if e.size else 0.0
        worst = max(worst, err)
    else:
        ok = np.array_equal(g, e)
    if not ok:
        print(f"output {i}: mismatch, max abs error {np.max(np.abs(g.astype(np.float64) - e.astype(np.float64)))}")
        sys.exit(3)
print(f"ok max_abs_err={worst:.3g}")
'''


def run_one(dlc, test_dir, tmp):
    name = os.path.basename(test_dir)
    lib = os.path.join(tmp, name + ".so")
    try:
        p = subprocess.run([dlc, os.path.join(test_dir, "model.onnx"),
                            "--emit=shared", "-o", lib, "--entry", "f"],
                           capture_output=True, text=True, errors="replace",
                           timeout=120)
    except subprocess.TimeoutExpired:
        return name, "timeout", "compile"
    if p.returncode == 1:
        return name, "import-error", p.stderr.strip().splitlines()[0] if p.stderr.strip() else ""
    if p.returncode != 0:
        kind = "crash" if p.returncode < 0 else "compile-error"
        lines = [l for l in p.stderr.splitlines() if "error" in l] or [p.stderr[-300:]]
        return name, kind, lines[0][:300]
    try:
        r = subprocess.run([sys.executable, "-c", RUNNER,
                            os.path.join(HERE, "..", "..", "python"), lib, "f",
                            test_dir], capture_output=True, text=True,
                           errors="replace", timeout=60)
    except subprocess.TimeoutExpired:
        return name, "timeout", "run"
    finally:
        if os.path.exists(lib):
            os.remove(lib)
    if r.returncode == 0:
        return name, "pass", r.stdout.strip()
    if r.returncode == 3:
        return name, "mismatch", r.stdout.strip()[:300]
    if r.returncode < 0:
        return name, "crash", f"signal {-r.returncode}"
    return name, "runtime-error", (r.stderr.strip().splitlines() or ["?"])[-1][:300]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dlc")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--filter", default="")
    ap.add_argument("--json")
    ap.add_argument("--min-pass", type=int, default=0)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        print(f"skipped: {args.data} not found (install libonnx-testdata)")
        return 0
    dirs = sorted(d for d in glob.glob(os.path.join(args.data, "*"))
                  if os.path.isfile(os.path.join(d, "model.onnx"))
                  and re.search(args.filter, os.path.basename(d)))
    results = {}
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        for name, status, detail in pool.map(lambda d: run_one(args.dlc, d, tmp), dirs):
            results[name] = (status, detail)
            if args.v and status != "pass":
                print(f"{status}: {name}: {detail}")
    counts = collections.Counter(s for s, _ in results.values())
    print(" ".join(f"{k}={counts[k]}" for k in
                   ["pass", "import-error", "compile-error", "runtime-error",
                    "mismatch", "crash", "timeout"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: {"status": s, "detail": d} for k, (s, d) in results.items()},
                      f, indent=1, sort_keys=True)
    print(f"conformance: {counts['pass']} of {len(results)} node tests pass "
          f"(floor {args.min_pass})")
    ok = counts["crash"] == 0 and counts["timeout"] == 0 and \
        counts["pass"] >= args.min_pass
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
