"""Where the `dlc` compiler is, without environment variables: next to an
installed package (PREFIX/lib/python3/dist-packages/dlc -> PREFIX/bin/dlc),
in the source tree's build folder (python/dlc -> build/bin/dlc), where a pip
install recorded the build it came from (_build_dir.py), or on PATH.
DLC_COMPILER, if set, names it explicitly."""
import os
import shutil
from typing import List

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates() -> List[str]:
    out = []
    env = os.environ.get("DLC_COMPILER")
    if env:
        out.append(env)
    # Installed by cmake --install: walk up to the prefix.
    d = _HERE
    for _ in range(5):
        d = os.path.dirname(d)
        out.append(os.path.join(d, "bin", "dlc"))
    # The source tree (development): python/dlc -> build/bin/dlc.
    root = os.path.dirname(os.path.dirname(_HERE))
    build = os.environ.get("DLC_BUILD_DIR") or os.path.join(root, "build")
    out.append(os.path.join(build, "bin", "dlc"))
    try:  # recorded by setup.py when pip installed the package
        from ._build_dir import BUILD_DIR
        out.append(os.path.join(BUILD_DIR, "bin", "dlc"))
    except ImportError:
        pass
    which = shutil.which("dlc")
    if which:
        out.append(which)
    return out


def find_dlc() -> str:
    """The path of the dlc binary; FileNotFoundError naming the places
    looked at if there is none."""
    cands = _candidates()
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise FileNotFoundError("cannot find the dlc compiler; looked at " + ", ".join(cands) +
                            " (build it with scripts/build.sh or set DLC_COMPILER)")
