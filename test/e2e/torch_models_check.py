#!/usr/bin/python3
"""Compiles the reference networks (torchvision resnet18, mobilenet_v2, a
TransformerEncoder) with dlc and compares their outputs with PyTorch's.

usage: torch_models_check.py DLC OUTDIR [--models resnet18,...] [--opset 17]

Each model is compiled once with a dynamic batch and run at batch 1 and 7;
float outputs must match within rtol 1e-3, atol 1e-5 (np.allclose) and, as
the largest error, within 1e-4 of the largest |output|. Prints
the max abs and rel error per model and run, and the kernels the compiled
model runs (`dlc --report=fusion`); without extra dlc flags, a model over
its kernel target (#11: ResNet-18 <= 25, the TransformerEncoder <= 8 per
layer) is a failure.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import export_models  # noqa: E402
from dlc import CompiledModel, TensorSpec  # noqa: E402

# Kernels per model at most (the default pipeline, a dynamic batch): one per
# conv with its epilogue plus pooling and the head; 8 per Transformer layer
# (2 layers).
KERNEL_TARGETS = {"resnet18": 25, "transformer": 2 * 8}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dlc")
    ap.add_argument("outdir")
    ap.add_argument("--models", default="resnet18,mobilenet_v2,transformer")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--batches", default="1,7")
    ap.add_argument("--dlc-flag", action="append", default=[],
                    help="one more dlc flag (repeatable), e.g. --gpu-emulate")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    failures = 0
    for name in args.models.split(","):
        path = export_models.export(name, args.opset, args.outdir)
        lib = os.path.join(args.outdir, f"{name}.so")
        t0 = time.time()
        p = subprocess.run([args.dlc, path, "--emit=shared", "-O3", "-o", lib,
                            "--entry", "forward", "--report=fusion", *args.dlc_flag],
                           capture_output=True, text=True)
        compile_s = time.time() - t0
        if p.returncode != 0:
            print(f"{name}: compile failed ({p.returncode}): {p.stderr.strip()[:500]}")
            failures += 1
            continue
        counts = re.findall(r"dl-report-kernels: @\S+: (\d+) kernels \(", p.stderr)
        if counts:
            kernels = sum(int(c) for c in counts)
            target = KERNEL_TARGETS.get(name) if not args.dlc_flag else None
            within = target is None or kernels <= target
            print(f"{name}: {kernels} kernels"
                  + (f" ({'within' if within else 'OVER'} the target of {target})"
                     if target else ""))
            failures += not within
        torch.manual_seed(0)
        ctor, shape = export_models.MODELS[name]
        model = ctor().eval()
        compiled = CompiledModel(lib, "forward", [TensorSpec(len(shape), np.float32)],
                                 [TensorSpec(len(shape) if name == "transformer" else 2,
                                             np.float32)])
        for batch in (int(b) for b in args.batches.split(",")):
            x = torch.randn(batch, *shape[1:])
            with torch.no_grad():
                expected = model(x).numpy()
            t0 = time.time()
            got = compiled(x.numpy())[0]
            run_s = time.time() - t0
            ok = got.shape == expected.shape and np.allclose(got, expected, rtol=1e-3, atol=1e-5)
            # Also against the output's scale: random-weight mobilenet_v2's
            # logits are ~1e-9, far below atol, so allclose alone passes
            # outputs that are wrong by 50% (a freed buffer read once did).
            scale = float(np.max(np.abs(expected))) if expected.size else 0.0
            ok = ok and float(np.max(np.abs(got - expected))) <= 1e-4 * scale + 1e-30
            abs_err = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else float("inf")
            rel_err = float(np.max(np.abs(got - expected) / (np.abs(expected) + 1e-12))) \
                if got.shape == expected.shape else float("inf")
            # The same check through dlc-run, on TensorProto files.
            data = os.path.join(args.outdir, f"{name}_b{batch}")
            os.makedirs(data, exist_ok=True)
            from onnx import numpy_helper
            for fname, arr in (("input_0.pb", x.numpy()), ("output_0.pb", expected)):
                with open(os.path.join(data, fname), "wb") as f:
                    f.write(numpy_helper.from_array(arr).SerializeToString())
            r = subprocess.run([os.path.join(os.path.dirname(args.dlc), "dlc-run"),
                                lib, "--entry", "forward", "--data", data],
                               capture_output=True, text=True)
            dlc_run = (r.stdout.strip().splitlines() or [r.stderr.strip()])[0]
            ok = ok and r.returncode == 0
            print(f"{name} batch {batch}: dlc-run: {dlc_run}")
            print(f"{name} batch {batch}: {'match' if ok else 'MISMATCH'} "
                  f"max abs err {abs_err:.3g}, max rel err {rel_err:.3g} "
                  f"(compile {compile_s:.1f} s, run {run_s:.2f} s)")
            failures += not ok
    print(f"{len(args.models.split(','))} models checked, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
