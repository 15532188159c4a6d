#!/usr/bin/python3
"""Compiles ONNX backend node tests (libonnx-testdata) with dlc, runs them on
their test data and compares with the expected outputs.

usage: onnx_node_run.py DLC [--filter REGEX] [--json OUT] [--markdown OUT]
                          [--min-pass N]

Each test is classified: pass, import-error (unsupported op or attribute),
compile-error, runtime-error, mismatch, expected-mismatch, crash or timeout.
Float outputs must match within rtol 1e-3, atol 1e-5; integers and booleans
exactly. Each run happens in its own process, so a crash is counted, not fatal.
A mismatch of a test listed in EXPECTED_MISMATCH (its expected outputs cannot
be reproduced, for the reason given there) is an expected-mismatch: never a
pass, but not a regression either; test/e2e/training_ops_check.py checks
what can be checked of those. So is a test in BAD_TEST_DATA whose call the
compiled model refuses (its data does not fit the model's declared inputs).
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

_NUMPY_RNG = ("expected values come from numpy's MT19937 stream (np.random.seed "
              "+ uniform); dlc's dropout draws its mask from its own "
              "counter-based generator")
EXPECTED_MISMATCH = {
    "test_training_dropout": _NUMPY_RNG,
    "test_training_dropout_default": _NUMPY_RNG,
    "test_training_dropout_default_mask": _NUMPY_RNG,
    "test_training_dropout_mask": _NUMPY_RNG,
    "test_adam_multiple": "the expected outputs use epsilon=1e-2, which the "
                          "model's Adam node lacks (default 1e-6): "
                          "onnx/onnx#7749, fixed upstream by #7763",
}
# Tests whose test data does not fit the model: a call with it is refused
# (an expected-mismatch, with the refusal as detail), as ONNX Runtime refuses
# it, instead of running on memory the caller never gave.
_LIKE_SHAPE = ("input 'like' of the test data has shape [1]; the model "
               "declares [3, 4] (CastLike reads only its dtype)")
BAD_TEST_DATA = {
    "test_castlike_BFLOAT16_to_FLOAT": _LIKE_SHAPE,
    "test_castlike_BFLOAT16_to_FLOAT_expanded": _LIKE_SHAPE,
    "test_castlike_FLOAT_to_BFLOAT16": _LIKE_SHAPE,
    "test_castlike_FLOAT_to_BFLOAT16_expanded": _LIKE_SHAPE,
}
STATUSES = ["pass", "import-error", "compile-error", "runtime-error",
            "mismatch", "expected-mismatch", "crash", "timeout"]

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


DLC_FLAGS = []  # --dlc-flag: more dlc flags for every compile


def run_one(dlc, test_dir, tmp):
    name = os.path.basename(test_dir)
    lib = os.path.join(tmp, name + ".so")
    try:
        p = subprocess.run([dlc, os.path.join(test_dir, "model.onnx"),
                            "--emit=shared", "-o", lib, "--entry", "f",
                            *DLC_FLAGS],
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
        if name in EXPECTED_MISMATCH:
            return name, "expected-mismatch", \
                f"{EXPECTED_MISMATCH[name]} ({r.stdout.strip()[:150]})"
        return name, "mismatch", r.stdout.strip()[:300]
    if r.returncode < 0:
        return name, "crash", f"signal {-r.returncode}"
    if name in BAD_TEST_DATA and "DLCError" in r.stderr:
        return name, "expected-mismatch", \
            f"{BAD_TEST_DATA[name]} ({r.stderr.strip().splitlines()[-1][:150]})"
    return name, "runtime-error", (r.stderr.strip().splitlines() or ["?"])[-1][:300]


def write_markdown(path, data, results):
    """The ONNX op support table: every op type that a node test uses (outside
    the default domain as DOMAIN::Op), with how many of its tests pass and why
    the others fail."""
    import onnx
    per_op = collections.defaultdict(list)
    for name, (status, detail) in results.items():
        model = onnx.load(os.path.join(data, name, "model.onnx"), load_external_data=False)
        ops = {n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}"
               for n in model.graph.node}
        # An "_expanded" test exercises the ops of a function body; count it
        # for those ops only when it has no single op of its own.
        for op in ops:
            per_op[op].append((name, status, detail))
    total = collections.Counter(s for s, _ in results.values())
    lines = ["# ONNX operator support", "",
             "Generated by `test/e2e/onnx_node_run.py --markdown` from the ONNX",
             "backend node tests (Debian package libonnx-testdata): each test is",
             "compiled with `dlc --emit=shared`, run on its test data and compared",
             "with the expected outputs (float: rtol 1e-3, atol 1e-5). An",
             "expected-mismatch is a test whose expected outputs cannot be",
             "reproduced (a numpy random stream, or test data inconsistent with",
             "its model); it does not count as a pass. Do not edit by hand.", "",
             f"**{total['pass']} of {len(results)} node tests pass.** " +
             ", ".join(f"{k}: {total[k]}" for k in STATUSES[1:]) + ".", "",
             "| op | tests | pass | status | first failure |",
             "| --- | ---: | ---: | --- | --- |"]
    for op in sorted(per_op):
        tests = per_op[op]
        passed = sum(1 for _, s, _ in tests if s == "pass")
        status = "supported" if passed == len(tests) else \
            ("partial" if passed else "unsupported")
        # A real failure says more than an expected mismatch.
        fail = next(((n, s, d) for n, s, d in tests
                     if s not in ("pass", "expected-mismatch")), None) or \
            next(((n, s, d) for n, s, d in tests if s == "expected-mismatch"), None)
        reason = ""
        if fail:
            detail = re.sub(r"^.*?error: ", "", fail[2]).replace("|", "/")[:110]
            reason = f"{fail[0]}: {fail[1]}: {detail}"
        lines.append(f"| {op} | {len(tests)} | {passed} | {status} | {reason} |")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dlc")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--filter", default="")
    ap.add_argument("--json")
    ap.add_argument("--markdown", help="write the per-op support table here")
    ap.add_argument("--from-json", help="report a previous run's JSON, run nothing")
    ap.add_argument("--min-pass", type=int, default=0)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--dlc-flag", action="append", default=[],
                    help="one more dlc flag (repeatable), e.g. --gpu-emulate")
    args = ap.parse_args()
    DLC_FLAGS.extend(args.dlc_flag)
    if not os.path.isdir(args.data):
        print(f"skipped: {args.data} not found (install libonnx-testdata)")
        return 0
    dirs = sorted(d for d in glob.glob(os.path.join(args.data, "*"))
                  if os.path.isfile(os.path.join(d, "model.onnx"))
                  and re.search(args.filter, os.path.basename(d)))
    results = {}
    if args.from_json:
        with open(args.from_json) as f:
            results = {k: (v["status"], v["detail"]) for k, v in json.load(f).items()}
        dirs = []
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        for name, status, detail in pool.map(lambda d: run_one(args.dlc, d, tmp), dirs):
            results[name] = (status, detail)
            if args.v and status != "pass":
                print(f"{status}: {name}: {detail}")
    counts = collections.Counter(s for s, _ in results.values())
    print(" ".join(f"{k}={counts[k]}" for k in STATUSES))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: {"status": s, "detail": d} for k, (s, d) in results.items()},
                      f, indent=1, sort_keys=True)
    if args.markdown:
        write_markdown(args.markdown, args.data, results)
    print(f"conformance: {counts['pass']} of {len(results)} node tests pass "
          f"(floor {args.min_pass})")
    ok = counts["crash"] == 0 and counts["timeout"] == 0 and \
        counts["pass"] >= args.min_pass
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
