"""Shared setup of the Python tests: the package from the source tree, the
dlc binary from the build tree (DLC_BUILD_DIR, set by ctest), seeds."""
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))


@pytest.fixture(autouse=True)
def _seed():
    import dlc
    dlc.manual_seed(0)
    np.random.seed(0)
    yield
