"""Packaging: `cmake --install` into a prefix, then a fresh interpreter with
no environment but that prefix's package folder on PYTHONPATH imports dlc,
finds the installed dlc (not the build tree's) and its runtime, and
compiles and runs a model; `pip install --no-deps --no-build-isolation
./python` (offline) gives a package that finds the build tree's dlc."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("DLC_BUILD_DIR", os.path.join(ROOT, "build"))

CHECK = """
import numpy as np, dlc, dlc.nn as nn
net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
out = dlc.compile(net, [np.zeros((1, 3), np.float32)])(np.ones((5, 3), np.float32))
print(dlc.__file__, dlc.find_dlc(), out.shape)
"""


def fresh_python(pythonpath, cwd):
    # What a fresh login shell has: a default PATH, no DLC_* variables.
    env = {"PYTHONPATH": pythonpath, "HOME": str(cwd), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    return subprocess.run(["/usr/bin/python3", "-c", CHECK], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_cmake_install_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", BUILD, "--prefix", str(prefix)], check=True,
                   stdout=subprocess.DEVNULL)
    site = prefix / "lib" / ("python%d.%d" % sys.version_info[:2]) / "dist-packages"
    for f in ("bin/dlc", "lib/libdlcrt.a", "lib/libdlcrt_exe.a", "include/dlc/runtime.h",
              f"{site.relative_to(prefix)}/dlc/__init__.py"):
        assert (prefix / f).exists(), f
    proc = fresh_python(str(site), tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert f"{site}/dlc/__init__.py {prefix}/bin/dlc (5, 2)" in proc.stdout, proc.stdout


def test_pip_install(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(os.path.join(ROOT, "python"), src,
                    ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    target = tmp_path / "site"
    proc = subprocess.run(["/usr/bin/python3", "-m", "pip", "install", "--no-deps",
                           "--no-build-isolation", "--no-index", "--target", str(target),
                           str(src)], env=dict(os.environ, DLC_BUILD_DIR=BUILD),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    proc = fresh_python(str(target), tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert f"{target}/dlc/__init__.py {os.path.realpath(BUILD)}/bin/dlc (5, 2)" in proc.stdout \
        or f"{target}/dlc/__init__.py {BUILD}/bin/dlc (5, 2)" in proc.stdout, proc.stdout
