#!/usr/bin/python3
"""expect_exit.py CODE CMD ARGS...: runs CMD, passes its output through, and
succeeds only if it exits with CODE (lit's shell has no $?)."""
import subprocess
import sys

code = int(sys.argv[1])
r = subprocess.run(sys.argv[2:])
if r.returncode != code:
    print(f"expected exit code {code}, got {r.returncode}", file=sys.stderr)
    sys.exit(1)
