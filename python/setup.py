"""pip install --no-deps --no-build-isolation ./python (offline, with
Debian's pip and setuptools). The package finds the dlc binary next to an
installed prefix or, as here, in the build tree it was installed from:
setup.py records that build folder (DLC_BUILD_DIR, default ../build) in
dlc/_build_dir.py."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildPy(build_py):
    def run(self):
        super().run()
        build = os.path.abspath(os.environ.get("DLC_BUILD_DIR")
                                or os.path.join(HERE, "..", "build"))
        target = os.path.join(self.build_lib, "dlc", "_build_dir.py")
        with open(target, "w") as f:
            f.write(f"# Written by setup.py: the build tree this package came from.\n"
                    f"BUILD_DIR = {build!r}\n")


setup(cmdclass={"build_py": BuildPy})
