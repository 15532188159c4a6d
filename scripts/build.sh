#!/usr/bin/env bash
# Installs what the project needs (quick when it is there), configures and
# builds dlc into build/ (or $DLC_BUILD_DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DLC_BUILD_DIR:-$root/build}"
# Paths relative to the checkout, so git worktrees share ccache hits.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"

bash "$root/scripts/install-deps.sh"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" -j "$(nproc)"
