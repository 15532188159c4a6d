#!/usr/bin/env bash
# Checks that the C and C++ sources are clang-format clean (LLVM style, see
# .clang-format); prints the files that are not and exits 1.
# `scripts/check-format.sh --fix` formats them in place.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fmt="$(command -v clang-format-22 || true)"
if [ -z "$fmt" ]; then
  echo "check-format: clang-format-22 not found (scripts/install-deps.sh installs it)"
  exit 1
fi
mapfile -t files < <(git ls-files -- '*.c' '*.cpp' '*.h' ':!:test/**/Inputs/**')
if [ "${1:-}" = "--fix" ]; then
  "$fmt" -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! "$fmt" --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} files are not formatted (run scripts/check-format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
