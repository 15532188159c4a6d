#!/usr/bin/env bash
# Installs every Debian package dlc needs to build, test and benchmark.
# Idempotent: when everything is already installed it returns in about a second
# and never touches the network.
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build ccache g++ git clang-format-22
  # fuzzing (scripts/fuzz.sh, -DDLC_FUZZ=ON): clang's libFuzzer runtime
  libfuzzer-22-dev libclang-rt-22-dev
  # LLVM / MLIR 22 (monolithic libLLVM.so and libMLIR.so)
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  # ONNX frontend
  protobuf-compiler libprotobuf-dev libonnx-dev
  # unit tests
  googletest libgtest-dev
  # python API, test models and reference data
  python3 python3-numpy python3-onnx libonnx-testdata
  # reference networks exported by PyTorch for the frontend tests
  python3-torch python3-torchvision
  # training example: Fashion-MNIST and the loss/accuracy plot
  dataset-fashion-mnist python3-matplotlib
  # data-parallel training (dlc --train --data-parallel, mpirun)
  libopenmpi-dev openmpi-bin

  # the Python API: its tests (pytest) and fit's progress bar
  python3-pytest python3-tqdm python3-pip python3-setuptools
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Only refresh the package lists when a package is unknown to apt (a fresh
# machine) or the lists are older than a day.
need_update=0
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
  need_update=1
fi
for p in "${missing[@]}"; do
  if ! apt-cache show "$p" >/dev/null 2>&1; then need_update=1; break; fi
done
if [ $need_update -eq 1 ]; then
  $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
