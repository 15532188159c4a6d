# lit configuration for dlc: finds dlc-opt in the build and FileCheck, not and
# count from LLVM 22.
import os
import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "unit", "Inputs"]
# Test inputs and helper scripts that are not tests themselves.
config.excludes += ["export_models.py", "onnx_import_survey.py", "onnx_node_run.py",
                    "torch_models_check.py", "tiny_cnn_check.py", "misc_ops_check.py",
                    "gradcheck.py", "training_ops_check.py", "data_parallel_check.py",
                    "safety_check.py", "train_bn_dynamic_check.py", "mutate_campaign.py",
                    "recurrent_torch_check.py", "recurrent_onnx_check.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")

path = os.pathsep.join([config.dlc_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PATH"] = path
config.substitutions.append(("%dlc_src_root", config.dlc_src_root))
config.substitutions.append(("%dlc_bin", config.dlc_tools_dir))
# Debian's interpreter, which has numpy and onnx (a bare python3 may not).
config.substitutions.append(("%python", "/usr/bin/python3"))

# PyTorch (Debian's python3-torch), for the tests that export from it.
import subprocess
if subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                  capture_output=True).returncode == 0:
    config.available_features.add("torch")

# The ONNX backend node tests, when the Debian package is installed.
onnx_node = "/usr/share/libonnx-testdata/data/node"
if os.path.isdir(onnx_node):
    config.available_features.add("onnx-testdata")
config.substitutions.append(("%onnx_node", onnx_node))
# Debian's dataset-fashion-mnist, for the training example.
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")
config.substitutions.append(
    ("%expect-exit", "/usr/bin/python3 " +
     os.path.join(config.test_source_root, "tools", "Inputs", "expect_exit.py")))
# The runtime library that generated code links (thread pool, OpenMP shim).
config.substitutions.append(
    ("%dlcrt", os.path.join(config.dlc_obj_root, "runtime", "libdlcrt.a")))
# OpenMPI and the runtime's MPI component, for --data-parallel training.
import shutil
if shutil.which("mpirun") and os.path.exists(
        os.path.join(config.dlc_obj_root, "runtime", "libdlcrt_mpi.a")):
    config.available_features.add("mpi")
# Ranks on this machine only: shared memory and loopback.
config.substitutions.append(
    ("%mpirun", "mpirun --allow-run-as-root --oversubscribe --mca btl self,vader,tcp "
     "--mca btl_tcp_if_include lo --mca oob_tcp_if_include lo "
     "--mca btl_vader_single_copy_mechanism none"))
# ptxas from a CUDA toolkit, to assemble the PTX of --target=cuda models in
# the tests (dlc itself never needs it).
ptxas = shutil.which("ptxas")
if not ptxas and os.access("/usr/local/cuda/bin/ptxas", os.X_OK):
    ptxas = "/usr/local/cuda/bin/ptxas"
if ptxas:
    config.available_features.add("ptxas")
config.substitutions.append(("%ptxas", ptxas or "ptxas"))
# The fake CUDA driver of the runtime's unit tests (records calls, runs no
# kernel), for generated --target=cuda code run without a GPU.
config.substitutions.append(
    ("%fake_cuda", os.path.join(config.dlc_obj_root, "test", "unit",
                                "libdlc-fake-cuda.so")))
