#!/usr/bin/python3
"""Imports every ONNX backend node test model with `dlc --emit=mlir` and
reports how many import, and which op types are unsupported.

usage: onnx_import_survey.py DLC [--data DIR] [--json OUT] [--min-pass N]

Exit status 1 if a model crashes the importer (a signal, not a clean error),
or if fewer than --min-pass models import.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

DATA = "/usr/share/libonnx-testdata/data/node"


def run_one(dlc, test_dir):
    model = os.path.join(test_dir, "model.onnx")
    try:
        p = subprocess.run([dlc, model, "--emit=mlir", "-o", os.devnull],
                           capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return os.path.basename(test_dir), "timeout", ""
    if p.returncode == 0:
        return os.path.basename(test_dir), "pass", ""
    if p.returncode < 0:
        return os.path.basename(test_dir), "crash", p.stderr[-2000:]
    return os.path.basename(test_dir), "error", p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dlc")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--json")
    ap.add_argument("--min-pass", type=int, default=0)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        print(f"skipped: {args.data} not found (install libonnx-testdata)")
        return 0
    dirs = sorted(os.path.join(args.data, d) for d in os.listdir(args.data)
                  if os.path.isfile(os.path.join(args.data, d, "model.onnx")))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        for name, status, err in pool.map(lambda d: run_one(args.dlc, d), dirs):
            results[name] = (status, err)
    counts = collections.Counter(s for s, _ in results.values())
    unsupported = collections.Counter()
    other = collections.Counter()
    for name, (status, err) in results.items():
        if status != "error":
            continue
        ops = set(re.findall(r"\((?:[\w.]+::)?(\w+), opset \d+\): op is not supported", err))
        if ops:
            unsupported.update(ops)
        else:
            first = err.strip().splitlines()[0] if err.strip() else "?"
            other[re.sub(r"node '[^']*'", "node", first)[:160]] += 1
    print(f"{counts['pass']} of {len(results)} node test models import "
          f"({counts['error']} clean errors, {counts['crash']} crashes, "
          f"{counts['timeout']} timeouts)")
    print("unsupported op types (models):")
    for op, n in sorted(unsupported.items()):
        print(f"  {op} ({n})")
    print("other import errors:")
    for msg, n in other.most_common():
        print(f"  {n:3d}  {msg}")
    for name, (status, err) in sorted(results.items()):
        if status in ("crash", "timeout"):
            print(f"{status}: {name}\n{err}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: v[0] for k, v in results.items()}, f, indent=1,
                      sort_keys=True)
    ok = counts["crash"] == 0 and counts["timeout"] == 0 and \
        counts["pass"] >= args.min_pass
    print(f"import survey: {counts['pass']} imported, "
          f"{len(results) - counts['pass']} rejected, floor {args.min_pass}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
