//===- dlc-run.cpp - compile, run and check a model -----------------------===//
//
// dlc-run MODEL.onnx --data DIR     compile MODEL, run it on DIR/input_*.pb,
//                                   compare with DIR/output_*.pb
// dlc-run MODEL.so --entry NAME --data DIR   run an already compiled model
//
// --input-shape NAME=DIMS pins a dynamic input before compiling; without it
// a model with dynamic inputs is specialized to the shapes of the --data
// inputs (said on stderr). --output-dir DIR writes the outputs there as
// output_N.pb; then expected outputs in --data are optional.
//
// Floats match within rtol 1e-3, atol 1e-5 (|got - want| <= atol +
// rtol * |want|); integers and booleans exactly. Prints the max abs and rel
// error per output. Exit codes: 0 match, 1 import error, 2 compile error,
// 3 usage error, 4 run error, 5 mismatch.
//
//===----------------------------------------------------------------------===//

#include "dlc/Driver/Driver.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <set>

using namespace llvm;

static cl::OptionCategory category("dlc-run options");
static cl::opt<std::string> modelPath(cl::Positional,
                                      cl::desc("<model.onnx | model.so>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> dataDir("data",
                                    cl::desc("Directory with input_N.pb and "
                                             "output_N.pb (ONNX TensorProto)"),
                                    cl::Required, cl::cat(category));
static cl::opt<std::string> entryName("entry",
                                      cl::desc("Entry prefix of a compiled "
                                               "model (NAME in NAME_run)"),
                                      cl::init("model"), cl::cat(category));
static cl::opt<double> relTol("rtol", cl::init(1e-3), cl::cat(category),
                              cl::desc("Relative tolerance for floats"));
static cl::opt<double> absTol("atol", cl::init(1e-5), cl::cat(category),
                              cl::desc("Absolute tolerance for floats"));
static cl::opt<std::string>
    target("target", cl::init("cpu"), cl::cat(category),
           cl::desc("Compile MODEL for cpu (default) or cuda (runs where a "
                    "CUDA driver and device exist)"));
static cl::opt<std::string>
    gpuArch("gpu-arch", cl::init("sm_80"), cl::cat(category),
            cl::desc("--target=cuda: the architecture"));
static cl::opt<bool>
    gpuEmulate("gpu-emulate", cl::init(false), cl::cat(category),
               cl::desc("Compile MODEL for the CPU with the GPU schedules (dlc "
                        "--gpu-emulate)"));
static cl::opt<unsigned> repeat("repeat", cl::init(1), cl::cat(category),
                                cl::desc("Run N times and report the median"));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Pin an input's shape before compiling: "
                         "NAME=1x3x224x224 (repeatable); without any, dynamic "
                         "inputs take the --data shapes"),
                cl::value_desc("name=shape"), cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write the outputs to DIR/output_N.pb (ONNX "
                       "TensorProto)"),
              cl::value_desc("dir"), cl::cat(category));

enum { kMatch = 0, kUsage = 3, kRunError = 4, kMismatch = 5 };

// Mirrors runtime/include/dlc/runtime.h.
struct Tensor {
  void *data;
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
  const int64_t *strides;
};
using RunFn = int32_t (*)(const Tensor *, Tensor *);
using ReleaseFn = void (*)(Tensor *);

namespace {

struct HostTensor {
  int32_t dtype = 0; // dlc_dtype
  std::vector<int64_t> shape;
  std::vector<char> bytes;
  size_t count() const {
    size_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// ONNX data type -> dlc_dtype and element size; -1 if unsupported.
std::pair<int32_t, size_t> dlcType(int onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return {0, 4};
  case onnx::TensorProto::FLOAT16:
    return {1, 2};
  case onnx::TensorProto::BFLOAT16:
    return {2, 2};
  case onnx::TensorProto::DOUBLE:
    return {3, 8};
  case onnx::TensorProto::INT8:
    return {4, 1};
  case onnx::TensorProto::INT32:
    return {5, 4};
  case onnx::TensorProto::INT64:
    return {6, 8};
  case onnx::TensorProto::BOOL:
    return {7, 1};
  case onnx::TensorProto::UINT8:
    return {8, 1};
  case onnx::TensorProto::UINT16:
    return {9, 2};
  case onnx::TensorProto::UINT32:
    return {10, 4};
  case onnx::TensorProto::UINT64:
    return {11, 8};
  case onnx::TensorProto::INT16:
    return {12, 2};
  default:
    return {-1, 0};
  }
}

bool readTensor(const std::string &path, HostTensor &out, std::string &error) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    error = "cannot read " + path;
    return false;
  }
  onnx::TensorProto t;
  if (!t.ParseFromArray((*buffer)->getBufferStart(),
                        (int)(*buffer)->getBufferSize())) {
    error = path + " is not an ONNX TensorProto";
    return false;
  }
  auto [dtype, size] = dlcType(t.data_type());
  if (dtype < 0) {
    error = path + ": unsupported data type " + std::to_string(t.data_type());
    return false;
  }
  out.dtype = dtype;
  out.shape.assign(t.dims().begin(), t.dims().end());
  // The file's data bounds the element count: a file that is not a tensor
  // (a sequence, a mutated file) must not make us allocate its dims.
  uint64_t n = 1;
  for (int64_t d : out.shape) {
    if (d < 0 || (d > 0 && n > (uint64_t(1) << 40) / uint64_t(d))) {
      error = path + ": not a tensor of a valid shape";
      return false;
    }
    n *= uint64_t(d);
  }
  uint64_t available =
      t.raw_data().size() + uint64_t(t.float_data_size()) * 4 +
      uint64_t(t.double_data_size()) * 8 + uint64_t(t.int32_data_size()) * 4 +
      uint64_t(t.int64_data_size()) * 8 + uint64_t(t.uint64_data_size()) * 8;
  if (n * size > available * 8 + 64) {
    error = path + ": its data does not fill its shape (not a tensor?)";
    return false;
  }
  out.bytes.resize(n * size);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != out.bytes.size()) {
      error = path + ": raw data size does not match its shape";
      return false;
    }
    if (!out.bytes.empty()) // an empty tensor's data() may be null
      std::memcpy(out.bytes.data(), t.raw_data().data(), out.bytes.size());
    return true;
  }
  auto fill = [&](auto field, auto cast) -> bool {
    if ((size_t)field.size() != n) {
      error = path + ": value count does not match its shape";
      return false;
    }
    for (size_t i = 0; i < n; ++i) {
      auto v = cast(field.Get(i));
      std::memcpy(out.bytes.data() + i * size, &v, size);
    }
    return true;
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return fill(t.float_data(), [](float v) { return v; });
  case onnx::TensorProto::DOUBLE:
    return fill(t.double_data(), [](double v) { return v; });
  case onnx::TensorProto::INT64:
    return fill(t.int64_data(), [](int64_t v) { return v; });
  case onnx::TensorProto::INT32:
    return fill(t.int32_data(), [](int32_t v) { return v; });
  case onnx::TensorProto::INT8:
    return fill(t.int32_data(), [](int32_t v) { return (int8_t)v; });
  case onnx::TensorProto::UINT8:
    return fill(t.int32_data(), [](int32_t v) { return (uint8_t)v; });
  case onnx::TensorProto::INT16:
    return fill(t.int32_data(), [](int32_t v) { return (int16_t)v; });
  case onnx::TensorProto::UINT32:
    return fill(t.uint64_data(), [](uint64_t v) { return (uint32_t)v; });
  case onnx::TensorProto::UINT64:
    return fill(t.uint64_data(), [](uint64_t v) { return v; });
  case onnx::TensorProto::BOOL:
    return fill(t.int32_data(), [](int32_t v) { return (uint8_t)(v != 0); });
  default:
    return fill(t.int32_data(), [](int32_t v) { return (uint16_t)v; });
  }
}

double toDouble(const char *p, int32_t dtype) {
  switch (dtype) {
  case 0: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case 3: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case 4:
    return *(const int8_t *)p;
  case 5: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case 6: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return (double)v;
  }
  case 7:
  case 8:
    return *(const uint8_t *)p;
  case 10: {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case 11: {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return (double)v;
  }
  case 12: {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  default: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  } // f16/bf16 bits
  }
}

std::vector<std::string> numbered(const std::string &dir, const char *prefix) {
  std::vector<std::string> files;
  for (int i = 0;; ++i) {
    SmallString<256> p(dir);
    sys::path::append(p, std::string(prefix) + std::to_string(i) + ".pb");
    if (!sys::fs::exists(p))
      break;
    files.push_back(p.str().str());
  }
  return files;
}

/// The graph inputs (initializers excluded) of an ONNX model, in order,
/// with whether each has a dim not fixed by a number; empty for a model
/// that cannot be read (the compiler reports that).
std::vector<std::pair<std::string, bool>> graphInputs(const std::string &path) {
  std::vector<std::pair<std::string, bool>> out;
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false);
  onnx::ModelProto model;
  if (!buffer)
    return out;
  if (StringRef(path).ends_with(".onnxtxt")) {
    try {
      if (!onnx::OnnxParser::Parse(model, (*buffer)->getBuffer().str().c_str())
               .IsOK())
        return out;
    } catch (const std::exception &) {
      return out;
    }
  } else if (!model.ParseFromArray((*buffer)->getBufferStart(),
                                   (int)(*buffer)->getBufferSize())) {
    return out;
  }
  std::set<std::string> inits;
  for (const auto &init : model.graph().initializer())
    inits.insert(init.name());
  for (const auto &in : model.graph().input()) {
    if (inits.count(in.name()))
      continue;
    bool dynamic = false;
    for (const auto &d : in.type().tensor_type().shape().dim())
      dynamic |= !d.has_dim_value();
    out.emplace_back(in.name(), dynamic);
  }
  return out;
}

/// onnx::TensorProto data type of a dlc_dtype.
int onnxType(int32_t dtype) {
  static const int types[] = {
      onnx::TensorProto::FLOAT,    onnx::TensorProto::FLOAT16,
      onnx::TensorProto::BFLOAT16, onnx::TensorProto::DOUBLE,
      onnx::TensorProto::INT8,     onnx::TensorProto::INT32,
      onnx::TensorProto::INT64,    onnx::TensorProto::BOOL,
      onnx::TensorProto::UINT8,    onnx::TensorProto::UINT16,
      onnx::TensorProto::UINT32,   onnx::TensorProto::UINT64,
      onnx::TensorProto::INT16};
  return dtype >= 0 && dtype < 13 ? types[dtype] : onnx::TensorProto::UNDEFINED;
}

size_t dtypeSize(int32_t dtype) {
  static const size_t sizes[] = {4, 2, 2, 8, 1, 4, 8, 1, 1, 2, 4, 8, 2};
  return dtype >= 0 && dtype < 13 ? sizes[dtype] : 0;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "dlc-run: compile, run and check a model\n");
  std::string library = modelPath, entry = entryName;
  std::vector<HostTensor> inputs, expected;
  std::string error;
  for (const auto &f : numbered(dataDir, "input_")) {
    inputs.emplace_back();
    if (!readTensor(f, inputs.back(), error)) {
      errs() << "error: " << error << "\n";
      return kUsage;
    }
  }
  for (const auto &f : numbered(dataDir, "output_")) {
    expected.emplace_back();
    if (!readTensor(f, expected.back(), error)) {
      errs() << "error: " << error << "\n";
      return kUsage;
    }
  }
  if (expected.empty() && outputDir.empty()) {
    errs() << "error: no output_0.pb in " << dataDir
           << " (give --output-dir to only run)\n";
    return kUsage;
  }
  SmallString<128> tempDir;
  if (!StringRef(modelPath).ends_with(".so")) {
    // Compile the model first, with the same driver as dlc.
    if (auto ec = sys::fs::createUniqueDirectory("dlc-run", tempDir)) {
      errs() << "error: cannot create a temporary directory: " << ec.message()
             << "\n";
      return kUsage;
    }
    dlc::driver::Options options;
    options.input = modelPath;
    options.emit = dlc::driver::Emit::Shared;
    options.output = (tempDir + "/model.so").str();
    options.entry = "model_forward";
    options.optLevel = 2;
    for (const std::string &spec : inputShapes) {
      std::string err = dlc::driver::parseInputShape(spec, options.inputShapes);
      if (!err.empty()) {
        errs() << "error: --input-shape " << err << "\n";
        return kUsage;
      }
    }
    // A dynamic model is compiled for the data it runs on: its dynamic
    // inputs pinned to the shapes of the --data inputs.
    if (inputShapes.empty()) {
      auto names = graphInputs(modelPath);
      std::string pinned;
      if (names.size() == inputs.size())
        for (auto [i, in] : llvm::enumerate(names)) {
          if (!in.second)
            continue;
          options.inputShapes[in.first] = inputs[i].shape;
          pinned += (pinned.empty() ? "" : ", ") + in.first + "=";
          for (auto [k, d] : llvm::enumerate(inputs[i].shape))
            pinned += (k ? "x" : "") + std::to_string(d);
          if (inputs[i].shape.empty())
            pinned += "(scalar)";
        }
      if (!pinned.empty())
        errs() << "dlc-run: specializing the dynamic inputs to the --data "
                  "shapes: "
               << pinned << " (--input-shape to choose)\n";
    }
    options.target = target;
    options.gpuArch = gpuArch;
    options.gpuEmulate = gpuEmulate;
    int rc = dlc::driver::run(options, errs(), errs());
    if (rc != 0)
      return rc;
    library = options.output;
    entry = "model";
  }
  auto cleanup = [&] {
    if (!tempDir.empty())
      sys::fs::remove_directories(tempDir);
  };
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    errs() << "error: cannot load " << library << ": " << dlerror() << "\n";
    cleanup();
    return kRunError;
  }
  auto run = (RunFn)dlsym(handle, (entry + "_run").c_str());
  auto release = (ReleaseFn)dlsym(handle, (entry + "_release").c_str());
  if (!run || !release) {
    errs() << "error: " << library << " has no " << entry << "_run\n";
    cleanup();
    return kRunError;
  }
  // A --target=cuda model: without a driver or a device, say why it cannot
  // run (dlc_cuda_init's message names what is missing).
  using CudaInitFn = int32_t (*)();
  if (auto cudaInit = (CudaInitFn)dlsym(handle, "dlc_cuda_init")) {
    if (cudaInit() != 0) {
      using LastErrorFn = const char *(*)();
      auto lastError = (LastErrorFn)dlsym(handle, "dlc_last_error");
      errs() << "error: cannot run " << entry
             << " (compiled for --target=cuda) on this machine: "
             << (lastError ? lastError() : "no CUDA driver or device") << "\n";
      cleanup();
      return kRunError;
    }
  }
  std::vector<Tensor> in;
  for (auto &t : inputs)
    in.push_back({t.bytes.data(), t.dtype, (int32_t)t.shape.size(),
                  t.shape.data(), nullptr});
  // Each output's shape array holds its rank (NAME_run_output_ranks; a
  // model without that table gets the expected output's rank, at least 64).
  const auto *ranks =
      (const int32_t *)dlsym(handle, (entry + "_run_output_ranks").c_str());
  const auto *numOutputs =
      (const int32_t *)dlsym(handle, (entry + "_run_num_outputs").c_str());
  // As many outputs as the model returns, even when fewer are expected.
  size_t count = expected.size();
  if (numOutputs && *numOutputs > 0)
    count = std::max<size_t>(count, *numOutputs);
  std::vector<std::vector<int64_t>> shapes(count);
  for (size_t i = 0; i < shapes.size(); ++i) {
    size_t rank = std::max<size_t>(
        i < expected.size() ? expected[i].shape.size() : 0, 64);
    if (ranks && numOutputs && i < (size_t)*numOutputs)
      rank = std::max<size_t>(rank, ranks[i]);
    shapes[i].resize(rank);
  }
  std::vector<Tensor> out(count);
  std::vector<double> times;
  for (unsigned r = 0; r < std::max(1u, (unsigned)repeat); ++r) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = {nullptr, 0, 0, shapes[i].data(), nullptr};
    auto start = std::chrono::steady_clock::now();
    int32_t status = run(in.data(), out.data());
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
    if (status != 0) {
      errs() << "error: " << entry << "_run returned status " << status
             << (status == 2   ? " (out of memory)"
                 : status == 3 ? " (shape mismatch)"
                 : status == 4 ? " (dtype mismatch)"
                 : status == 7 ? " (run-time error)"
                               : "")
             << "\n";
      // The runtime's message names the node or input and the values.
      using LastErrorFn = const char *(*)();
      if (auto lastError = (LastErrorFn)dlsym(handle, "dlc_last_error"))
        if (const char *message = lastError(); message && *message)
          errs() << "error: " << message << "\n";
      cleanup();
      return kRunError;
    }
    if (r + 1 < std::max(1u, (unsigned)repeat))
      release(out.data());
  }
  std::sort(times.begin(), times.end());
  bool ok = true;
  if (!outputDir.empty()) {
    if (auto ec = sys::fs::create_directories(outputDir)) {
      errs() << "error: cannot create " << outputDir << ": " << ec.message()
             << "\n";
      release(out.data());
      cleanup();
      return kUsage;
    }
    for (size_t i = 0; i < out.size(); ++i) {
      const Tensor &got = out[i];
      onnx::TensorProto t;
      t.set_data_type(onnxType(got.dtype));
      size_t n = 1;
      for (int32_t d = 0; d < got.rank; ++d) {
        t.add_dims(got.shape[d]);
        n *= got.shape[d];
      }
      if (n > 0)
        t.set_raw_data(got.data, n * dtypeSize(got.dtype));
      SmallString<256> p(outputDir);
      sys::path::append(p, "output_" + std::to_string(i) + ".pb");
      std::error_code ec;
      raw_fd_ostream os(p, ec);
      std::string bytes;
      if (ec || !t.SerializeToString(&bytes)) {
        errs() << "error: cannot write " << p << "\n";
        ok = false;
        continue;
      }
      os << bytes;
    }
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const HostTensor &want = expected[i];
    const Tensor &got = out[i];
    std::vector<int64_t> gotShape(got.shape, got.shape + got.rank);
    if (got.dtype != want.dtype || gotShape != want.shape) {
      outs() << "output " << i
             << ": shape or dtype differs from the expected\n";
      ok = false;
      continue;
    }
    size_t size = want.bytes.size() / std::max<size_t>(1, want.count());
    bool isFloat = want.dtype <= 3;
    double maxAbs = 0, maxRel = 0;
    bool match = true;
    for (size_t k = 0; k < want.count(); ++k) {
      double g = toDouble((const char *)got.data + k * size, got.dtype);
      double w = toDouble(want.bytes.data() + k * size, want.dtype);
      if (std::isnan(g) && std::isnan(w))
        continue;
      double err = std::fabs(g - w);
      maxAbs = std::max(maxAbs, err);
      maxRel = std::max(maxRel, err / std::max(std::fabs(w), 1e-30));
      match &= isFloat ? err <= absTol + relTol * std::fabs(w) : g == w;
    }
    outs() << "output " << i << ": " << (match ? "match" : "MISMATCH")
           << ", max abs error " << format("%.3g", maxAbs) << ", max rel error "
           << format("%.3g", maxRel) << "\n";
    ok &= match;
  }
  outs() << "run time: " << format("%.3f", times[times.size() / 2])
         << " ms (median of " << times.size() << ")\n";
  release(out.data());
  cleanup();
  return ok ? kMatch : kMismatch;
}
