"""dlc.compile: a dlc.nn module, an ONNX model or file, or dl IR, compiled
to native code by the `dlc` binary and loaded as a `CompiledModel`."""
import json
import os
import shutil
import subprocess
import tempfile
from typing import List, Optional, Sequence, Union

import numpy as np

from .abi import DLCError
from .loader import CompiledModel
from .paths import find_dlc
from .tracing import InputSpec, trace

# dlc's exit codes (README): 1 import error, 2 compile error, 3 usage error.
_EXIT = {1: "import error", 2: "compile error", 3: "usage error"}


class CompileError(DLCError):
    """dlc failed: `message` is dlc's own (naming the model's node), `stage`
    the kind of failure and `command` what ran."""

    def __init__(self, message: str, returncode: int, command: Sequence[str]):
        super().__init__(7, message)
        self.returncode = returncode
        self.stage = _EXIT.get(returncode, f"exit code {returncode}")
        self.command = list(command)


def run_dlc(args: Sequence[str], what: str = "dlc") -> str:
    """Runs dlc with `args`; CompileError with its stderr on failure."""
    cmd = [find_dlc(), *args]
    env = None
    if "PATH" not in os.environ:  # dlc links with the system's cc, found on PATH
        env = dict(os.environ, PATH=os.defpath)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env)
    if proc.returncode != 0:
        msg = proc.stderr.strip() or proc.stdout.strip() or f"dlc exited with {proc.returncode}"
        raise CompileError(f"{what}: {msg}", proc.returncode, cmd)
    return proc.stdout


def _specs(model, example_inputs, input_specs, dynamic_batch):
    if input_specs is not None:
        return [s if isinstance(s, InputSpec) else InputSpec(*s) if isinstance(s, tuple)
                else s for s in input_specs]
    if example_inputs is None:
        raise ValueError("dlc.compile of a dlc.nn module needs example_inputs or input_specs")
    if isinstance(example_inputs, np.ndarray):
        example_inputs = [example_inputs]
    return [InputSpec.like(a, dynamic_batch=dynamic_batch) for a in example_inputs]


def _calibration_dir(calibration, workdir: str) -> str:
    """A --calibration directory: `calibration` itself if it is a path, else
    one subdirectory per input set with input_N.npy files."""
    if isinstance(calibration, (str, os.PathLike)):
        return os.fspath(calibration)
    root = os.path.join(workdir, "calibration")
    for i, inputs in enumerate(calibration):
        if isinstance(inputs, np.ndarray):
            inputs = [inputs]
        d = os.path.join(root, f"set_{i}")
        os.makedirs(d, exist_ok=True)
        for j, a in enumerate(inputs):
            np.save(os.path.join(d, f"input_{j}.npy"), np.ascontiguousarray(a))
    os.makedirs(root, exist_ok=True)
    return root


def compile(model, example_inputs=None, input_specs=None, *, target: str = "cpu",
            opt_level: int = 3, quantize: Optional[str] = None, calibration=None,
            output: Optional[str] = None,
            dynamic_batch: bool = True, name: Optional[str] = None, live=(),
            options: Sequence[str] = ()) -> CompiledModel:
    """Compiles `model` to a shared library and loads it.

    model: a dlc.nn.Module (traced on `example_inputs` -- numpy arrays whose
    first dim becomes a dynamic batch unless dynamic_batch=False -- or on
    `input_specs`, dlc.InputSpec(shape, dtype, name) with None for dynamic
    dims), an onnx.ModelProto, or a path to .onnx / .onnxtxt / .mlir.
    output: where the .so goes (its header beside it); default a temporary
    folder (use .save() to keep it). live: modules whose parameters become
    inputs the model reads from them at every call, instead of constants.
    quantize: "static" (INT8 with ranges calibrated on `calibration`) or
    "dynamic" (matmul/gemm, ranges at run time); calibration: a directory
    in dlc --calibration's layout, or a list of input sets, each an array
    or a sequence of arrays (the model's inputs). options: more dlc flags
    (e.g. "--calibrate=entropy", "--quantize-exclude=fc1"). Raises
    CompileError with dlc's message.
    """
    if target not in ("cpu", "cuda"):
        raise CompileError(f"dlc.compile: target '{target}' is not one dlc has "
                           f"(cpu, cuda)", 3, [])
    if quantize not in (None, "static", "dynamic"):
        raise CompileError(f"dlc.compile: quantize='{quantize}' is not one dlc has "
                           f"(static, dynamic)", 3, [])
    if quantize == "static" and calibration is None:
        raise CompileError("dlc.compile: quantize='static' needs calibration= (a directory "
                           "or a list of input sets)", 3, [])
    if not 0 <= opt_level <= 3:
        raise ValueError(f"opt_level {opt_level} is not 0-3")
    from .nn.modules import Module
    workdir = tempfile.mkdtemp(prefix="dlc-")
    meta = {"single_output": None, "inputs": None, "bound": []}
    bound = []
    if isinstance(model, Module):
        name = name or type(model).__name__.lower()
        traced = trace(model, _specs(model, example_inputs, input_specs, dynamic_batch),
                       live=live, name=name)
        src = os.path.join(workdir, name + ".onnx")
        import onnx
        onnx.save(traced.model, src)
        meta["single_output"] = len(traced.output_names) == 1
        meta["inputs"] = [(s.name, [d if isinstance(d, int) else None for d in s.shape],
                           np.dtype(s.dtype).str) for s in traced.inputs]
        bound = traced.bound
        meta["bound"] = [n for n, _ in bound]
    elif hasattr(model, "graph") and hasattr(model, "SerializeToString"):
        name = name or (model.graph.name or "model")
        src = os.path.join(workdir, "model.onnx")
        import onnx
        onnx.save(model, src)
    elif isinstance(model, (str, os.PathLike)):
        src = os.fspath(model)
        if not os.path.exists(src):
            raise FileNotFoundError(src)
        base = os.path.basename(src).split(".")[0]
        name = name or base
    else:
        raise TypeError(f"dlc.compile takes a dlc.nn.Module, an onnx.ModelProto or a path, "
                        f"not {type(model).__name__}")
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if output is None:
        lib = os.path.join(workdir, f"lib{name}.so")
    else:
        lib = os.path.abspath(output)
        os.makedirs(os.path.dirname(lib), exist_ok=True)
        name = os.path.splitext(os.path.basename(lib))[0]
        name = name[3:] if name.startswith("lib") else name
    args = [src, "--emit=shared", "-o", lib, f"-O{opt_level}",
            *(["--target=cuda"] if target == "cuda" else []), *options]
    entry = name + "_forward"
    for i, o in enumerate(options):  # an explicit entry function
        if o == "--entry" and i + 1 < len(options):
            entry = options[i + 1]
        elif o.startswith("--entry="):
            entry = o.split("=", 1)[1]
    for spec in (input_specs or []):
        if isinstance(spec, InputSpec) and spec.name and not isinstance(model, Module) and \
                all(isinstance(d, int) for d in spec.shape):
            args += ["--input-shape", f"{spec.name}=" + "x".join(map(str, spec.shape))]
    if quantize is not None:
        args.append(f"--quantize={quantize}")
    if calibration is not None:
        args += ["--calibration", _calibration_dir(calibration, workdir)]
    run_dlc(args, f"dlc.compile({name})")
    meta["entry"] = entry
    m = CompiledModel(lib, entry)
    m._setup(meta, bound, workdir if output is None else None)
    return m


def load(path: str, entry: Optional[str] = None) -> CompiledModel:
    """Loads a model that CompiledModel.save (or dlc --emit=shared) wrote."""
    lib = path if path.endswith(".so") else path + ".so"
    if not os.path.exists(lib):
        raise FileNotFoundError(lib)
    base = os.path.splitext(lib)[0]
    meta = {"single_output": None, "inputs": None, "bound": []}
    if os.path.exists(base + ".json"):
        with open(base + ".json") as f:
            meta = json.load(f)
    name = os.path.basename(base)
    name = name[3:] if name.startswith("lib") else name
    m = CompiledModel(lib, entry or meta.get("entry") or name + "_forward")
    bound = []
    if meta.get("bound"):
        values = np.load(base + ".npz")
        bound = [(n, np.require(values[n], requirements="C")) for n in meta["bound"]]
    m._setup(meta, bound, None)
    return m
