//===- Calibrate.cpp - calibration and the quantization report ------------===//
//
// The float model is compiled by dlc itself, as a shared library whose
// entry point returns, after the model's outputs, every tensor dl-quantize
// needs a range of (each candidate contraction's input and its output after
// the epilogue). It is loaded into this process and run on each input set;
// the ranges (min/max, or from histograms for percentile and entropy) go
// onto the contractions as attributes. The report compiles the quantized
// model with the same extra results and compares the two on the same sets.
//
//===----------------------------------------------------------------------===//

#include "Calibrate.h"

#include "dlc/Dialect/DL/IR/DLAttrNames.h"
#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/IR/ShapeUtils.h"
#include "dlc/Dialect/DL/Transforms/QuantizePasses.h"
#include "dlc/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include "onnx/onnx_pb.h"

#include <cmath>
#include <cstring>
#include <dlfcn.h>

using namespace mlir;
using namespace dlc;
using namespace dlc::driver;

namespace {

// runtime/include/dlc/runtime.h's dlc_tensor and dtypes.
struct Tensor {
  void *data;
  int32_t dtype;
  int32_t rank;
  int64_t *shape;
  const int64_t *strides;
};
using RunFn = int32_t (*)(const Tensor *, Tensor *);
using ReleaseFn = void (*)(Tensor *);
using LastErrorFn = const char *(*)();
enum : int32_t {
  kF32 = 0,
  kF64 = 3,
  kI8 = 4,
  kI32 = 5,
  kI64 = 6,
  kBool = 7,
  kU8 = 8
};

size_t dtypeSize(int32_t d) {
  switch (d) {
  case kF64:
  case kI64:
    return 8;
  case kF32:
  case kI32:
    return 4;
  default:
    return 1;
  }
}

struct HostTensor {
  int32_t dtype = kF32;
  std::vector<int64_t> shape;
  std::vector<char> bytes;
};

std::string shapeString(ArrayRef<int64_t> shape) {
  return dl::shapeToString(shape);
}

/// .npy (version 1-3, little-endian, C order).
bool readNpy(const std::string &path, StringRef buf, HostTensor &out,
             std::string &error) {
  if (buf.size() < 10 || !buf.starts_with("\x93NUMPY")) {
    error = path + " is not a .npy file";
    return false;
  }
  unsigned major = (unsigned char)buf[6];
  size_t headerLen, start;
  if (major == 1) {
    headerLen = (unsigned char)buf[8] | ((unsigned char)buf[9] << 8);
    start = 10;
  } else {
    if (buf.size() < 12) {
      error = path + " is not a .npy file";
      return false;
    }
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)buf[8 + i];
    start = 12;
  }
  if (start + headerLen > buf.size()) {
    error = path + ": truncated .npy header";
    return false;
  }
  StringRef header = buf.substr(start, headerLen);
  auto field = [&](StringRef key) -> StringRef {
    size_t at = header.find(key);
    if (at == StringRef::npos)
      return "";
    StringRef rest = header.substr(at + key.size());
    rest = rest.drop_until([](char c) { return c == ':'; }).drop_front();
    return rest.ltrim();
  };
  StringRef descr = field("'descr'");
  if (descr.empty() || descr.front() != '\'') {
    error = path + ": no dtype in the .npy header";
    return false;
  }
  descr = descr.drop_front().take_until([](char c) { return c == '\''; });
  static const std::pair<const char *, int32_t> kinds[] = {
      {"<f4", kF32}, {"<f8", kF64},  {"|i1", kI8}, {"<i4", kI32},
      {"<i8", kI64}, {"|b1", kBool}, {"|u1", kU8}};
  int32_t dtype = -1;
  for (auto &[name, d] : kinds)
    if (descr == name)
      dtype = d;
  if (dtype < 0) {
    error = path + ": unsupported .npy dtype '" + descr.str() + "'";
    return false;
  }
  if (field("'fortran_order'").starts_with("True")) {
    error = path + ": Fortran-order .npy arrays are not supported";
    return false;
  }
  StringRef shape = field("'shape'");
  if (shape.empty() || shape.front() != '(') {
    error = path + ": no shape in the .npy header";
    return false;
  }
  shape = shape.drop_front().take_until([](char c) { return c == ')'; });
  out.shape.clear();
  uint64_t count = 1;
  SmallVector<StringRef> dims;
  shape.split(dims, ',', -1, false);
  for (StringRef d : dims) {
    d = d.trim();
    if (d.empty())
      continue;
    int64_t v;
    if (d.getAsInteger(10, v) || v < 0 || v > (int64_t(1) << 40)) {
      error = path + ": bad shape in the .npy header";
      return false;
    }
    out.shape.push_back(v);
    count *= uint64_t(v);
  }
  size_t bytes = count * dtypeSize(dtype);
  if (buf.size() - start - headerLen != bytes) {
    error = path + ": the .npy data does not match its shape " +
            shapeString(out.shape);
    return false;
  }
  out.dtype = dtype;
  out.bytes.assign(buf.begin() + start + headerLen, buf.end());
  return true;
}

/// ONNX TensorProto (.pb).
bool readPb(const std::string &path, StringRef buf, HostTensor &out,
            std::string &error) {
  onnx::TensorProto t;
  if (!t.ParseFromArray(buf.data(), int(buf.size()))) {
    error = path + " is not an ONNX TensorProto";
    return false;
  }
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    out.dtype = kF32;
    break;
  case onnx::TensorProto::DOUBLE:
    out.dtype = kF64;
    break;
  case onnx::TensorProto::INT8:
    out.dtype = kI8;
    break;
  case onnx::TensorProto::UINT8:
    out.dtype = kU8;
    break;
  case onnx::TensorProto::INT32:
    out.dtype = kI32;
    break;
  case onnx::TensorProto::INT64:
    out.dtype = kI64;
    break;
  case onnx::TensorProto::BOOL:
    out.dtype = kBool;
    break;
  default:
    error = path + ": unsupported TensorProto data type " +
            std::to_string(t.data_type());
    return false;
  }
  out.shape.assign(t.dims().begin(), t.dims().end());
  uint64_t count = 1;
  for (int64_t d : out.shape) {
    if (d < 0 || d > (int64_t(1) << 40)) {
      error = path + ": not a tensor of a valid shape";
      return false;
    }
    count *= uint64_t(d);
  }
  size_t size = dtypeSize(out.dtype);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != count * size) {
      error = path + ": its data does not match its shape " +
              shapeString(out.shape);
      return false;
    }
    out.bytes.assign(t.raw_data().begin(), t.raw_data().end());
    return true;
  }
  out.bytes.resize(count * size);
  auto fill = [&](const auto &field, auto convert) -> bool {
    if (uint64_t(field.size()) != count) {
      error = path + ": its data does not match its shape " +
              shapeString(out.shape);
      return false;
    }
    for (uint64_t i = 0; i < count; ++i) {
      auto v = convert(field.Get(int(i)));
      std::memcpy(out.bytes.data() + i * size, &v, size);
    }
    return true;
  };
  switch (out.dtype) {
  case kF32:
    return fill(t.float_data(), [](float v) { return v; });
  case kF64:
    return fill(t.double_data(), [](double v) { return v; });
  case kI64:
    return fill(t.int64_data(), [](int64_t v) { return v; });
  case kI32:
    return fill(t.int32_data(), [](int32_t v) { return v; });
  default:
    return fill(t.int32_data(), [](int32_t v) { return int8_t(v); });
  }
}

bool readTensor(const std::string &path, HostTensor &out, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    error = "cannot read calibration file " + path + ": " +
            buffer.getError().message();
    return false;
  }
  StringRef data = (*buffer)->getBuffer();
  if (StringRef(path).ends_with(".npy"))
    return readNpy(path, data, out, error);
  return readPb(path, data, out, error);
}

/// Names in natural order (input_2 before input_10).
bool naturalLess(StringRef a, StringRef b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (isdigit((unsigned char)a[i]) && isdigit((unsigned char)b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && isdigit((unsigned char)a[i2]))
        ++i2;
      while (j2 < b.size() && isdigit((unsigned char)b[j2]))
        ++j2;
      StringRef na = a.slice(i, i2).ltrim('0'), nb = b.slice(j, j2).ltrim('0');
      if (na.size() != nb.size())
        return na.size() < nb.size();
      if (na != nb)
        return na < nb;
      i = i2;
      j = j2;
      continue;
    }
    if (a[i] != b[j])
      return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

bool isTensorFile(StringRef name) {
  return name.ends_with(".npy") || name.ends_with(".pb");
}

struct CalibSet {
  std::string name; // the file, or the subdirectory
  std::vector<std::string> files;
};

/// The input sets of `dir`: one per subdirectory (its .npy/.pb files, in
/// natural order, are the model's inputs in order), or, without
/// subdirectories, one per .npy/.pb file (a one-input model).
bool listSets(const std::string &dir, std::vector<CalibSet> &sets,
              std::string &error) {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(dir, status) || !llvm::sys::fs::exists(status)) {
    error = "calibration directory '" + dir + "' does not exist";
    return false;
  }
  if (!llvm::sys::fs::is_directory(status)) {
    error = "calibration path '" + dir + "' is not a directory";
    return false;
  }
  auto list = [&](const std::string &d, std::vector<std::string> &files,
                  std::vector<std::string> &subdirs) -> bool {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(d, ec), end; it != end && !ec;
         it.increment(ec)) {
      StringRef name = llvm::sys::path::filename(it->path());
      if (name.starts_with("."))
        continue;
      if (llvm::sys::fs::is_directory(it->path()))
        subdirs.push_back(it->path());
      else if (isTensorFile(name))
        files.push_back(it->path());
    }
    if (ec) {
      error = "cannot read calibration directory '" + d + "': " + ec.message();
      return false;
    }
    llvm::sort(files, naturalLess);
    llvm::sort(subdirs, naturalLess);
    return true;
  };
  std::vector<std::string> files, subdirs;
  if (!list(dir, files, subdirs))
    return false;
  if (!subdirs.empty()) {
    for (const std::string &sub : subdirs) {
      CalibSet set{sub, {}};
      std::vector<std::string> nested;
      if (!list(sub, set.files, nested))
        return false;
      if (set.files.empty()) {
        error = "calibration set '" + sub + "' has no .npy or .pb files";
        return false;
      }
      sets.push_back(std::move(set));
    }
  } else {
    for (const std::string &f : files)
      sets.push_back({f, {f}});
  }
  if (sets.empty()) {
    error = "calibration directory '" + dir +
            "' has no input sets (.npy or .pb files, or subdirectories of "
            "them)";
    return false;
  }
  return true;
}

int32_t dtypeOf(Type t, bool isUnsigned) {
  if (t.isF32())
    return kF32;
  if (t.isF64())
    return kF64;
  if (t.isInteger(1))
    return kBool;
  if (t.isInteger(8))
    return isUnsigned ? kU8 : kI8;
  if (t.isInteger(32))
    return kI32;
  if (t.isInteger(64))
    return kI64;
  return -1;
}

/// Reads a set and checks it against `main`'s inputs; a float64 file for a
/// float32 input is converted.
bool readSet(const CalibSet &set, func::FuncOp main,
             std::vector<HostTensor> &tensors, std::string &error) {
  unsigned n = main.getNumArguments();
  if (set.files.size() != n) {
    error = "calibration set '" + set.name + "' has " +
            std::to_string(set.files.size()) + " tensor file(s), but the " +
            "model has " + std::to_string(n) + " input(s)";
    return false;
  }
  tensors.resize(n);
  for (unsigned i = 0; i < n; ++i) {
    HostTensor &t = tensors[i];
    if (!readTensor(set.files[i], t, error))
      return false;
    auto type = cast<RankedTensorType>(main.getArgumentTypes()[i]);
    std::string name = "#" + std::to_string(i);
    if (auto attr = main.getArgAttrOfType<StringAttr>(i, dl::kNameAttr))
      name = "'" + attr.str() + "'";
    bool isUnsigned = main.getArgAttr(i, dl::kUnsignedAttr) != nullptr;
    int32_t want = dtypeOf(type.getElementType(), isUnsigned);
    if (t.dtype == kF64 && want == kF32) {
      std::vector<char> f32(t.bytes.size() / 2);
      for (size_t k = 0; k < t.bytes.size() / 8; ++k) {
        double d;
        std::memcpy(&d, t.bytes.data() + 8 * k, 8);
        float f = float(d);
        std::memcpy(f32.data() + 4 * k, &f, 4);
      }
      t.bytes = std::move(f32);
      t.dtype = kF32;
    }
    bool shapeOk = int64_t(t.shape.size()) == type.getRank();
    for (int64_t d = 0; shapeOk && d < type.getRank(); ++d)
      shapeOk = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
    if (!shapeOk || t.dtype != want) {
      error = set.files[i] + ": " + (shapeOk ? "the element type" : "shape " +
              shapeString(t.shape)) + " does not match the model's input " +
              name + " (" + shapeString(type.getShape()) + ", " +
              (want == kU8 ? std::string("ui8") : [&] {
                std::string s;
                llvm::raw_string_ostream os(s);
                os << type.getElementType();
                return s;
              }()) + ")";
      return false;
    }
  }
  return true;
}

/// A compiled, loaded model.
struct Loaded {
  void *handle = nullptr;
  RunFn run = nullptr;
  ReleaseFn release = nullptr;
  std::vector<int32_t> ranks; // of every result
  ~Loaded() {
    if (handle)
      dlclose(handle);
  }
};

/// Writes `module` to DIR/NAME.mlir and compiles it with dlc's own
/// pipeline into DIR/NAME.so, then loads it.
int compileAndLoad(ModuleOp module, const Options &options,
                   const std::string &dir, const std::string &name,
                   Loaded &loaded, llvm::raw_ostream &errs) {
  std::string mlirPath = dir + "/" + name + ".mlir";
  {
    std::string error;
    auto out = openOutputFile(mlirPath, &error);
    if (!out) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }
    module->print(out->os(), OpPrintingFlags().enableDebugInfo());
    out->keep();
  }
  Options sub = options;
  sub.input = mlirPath;
  sub.output = dir + "/" + name + ".so";
  sub.emit = Emit::Shared;
  sub.entry.clear();
  sub.extraEntries.clear();
  sub.inputShapes.clear();
  sub.quantize.clear();
  sub.reportQuant = false;
  sub.reportArena = false;
  sub.reportFusion = false;
  sub.verbose = false;
  sub.mlirCLOptions = false;
  sub.externalWeights = false;
  std::string log;
  llvm::raw_string_ostream quiet(log);
  if (int rc = run(sub, errs, quiet))
    return rc;
  loaded.handle = dlopen(sub.output.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!loaded.handle) {
    errs << "error: cannot load " << sub.output << ": " << dlerror() << "\n";
    return kCompileError;
  }
  loaded.run = (RunFn)dlsym(loaded.handle, (name + "_run").c_str());
  loaded.release = (ReleaseFn)dlsym(loaded.handle, (name + "_release").c_str());
  if (!loaded.run || !loaded.release) {
    errs << "error: " << sub.output << " has no " << name << "_run\n";
    return kCompileError;
  }
  auto main = module.lookupSymbol<func::FuncOp>("main");
  for (Type t : main.getResultTypes())
    loaded.ranks.push_back(cast<RankedTensorType>(t).getRank());
  return kSuccess;
}

/// Runs `model` on one set; `outputs` get the f32 results (others empty).
bool runSet(Loaded &model, const std::vector<HostTensor> &inputs,
            const std::string &setName,
            std::vector<std::vector<float>> &outputs, llvm::raw_ostream &errs) {
  std::vector<std::vector<int64_t>> inShapes;
  std::vector<Tensor> in;
  for (const HostTensor &t : inputs)
    inShapes.push_back(t.shape);
  for (size_t i = 0; i < inputs.size(); ++i)
    in.push_back({const_cast<char *>(inputs[i].bytes.data()), inputs[i].dtype,
                  int32_t(inputs[i].shape.size()), inShapes[i].data(),
                  nullptr});
  size_t n = model.ranks.size();
  std::vector<std::vector<int64_t>> shapes(n);
  std::vector<Tensor> out(n);
  for (size_t i = 0; i < n; ++i) {
    shapes[i].resize(std::max(model.ranks[i], 1));
    out[i] = {nullptr, 0, 0, shapes[i].data(), nullptr};
  }
  if (int32_t status = model.run(in.data(), out.data())) {
    auto lastError = (LastErrorFn)dlsym(model.handle, "dlc_last_error");
    const char *message = lastError ? lastError() : nullptr;
    errs << "error: calibration set '" << setName
         << "': the model failed (status " << status << ")"
         << (message && *message ? std::string(": ") + message : "") << "\n";
    return false;
  }
  outputs.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    if (out[i].dtype != kF32)
      continue;
    size_t count = 1;
    for (int32_t d = 0; d < out[i].rank; ++d)
      count *= size_t(out[i].shape[d]);
    const float *data = static_cast<const float *>(out[i].data);
    outputs[i].assign(data, data + count);
  }
  model.release(out.data());
  return true;
}

/// |x| histograms for percentile and entropy calibration.
constexpr int kBins = 2048;

struct Stats {
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  std::vector<double> hist; // of |x| over [0, max(|lo|, |hi|)]
  double absMax() const { return std::max(std::fabs(lo), std::fabs(hi)); }
};

/// The |x| threshold below which `fraction` of the values lie.
double percentileThreshold(const Stats &s, double fraction) {
  double total = 0;
  for (double h : s.hist)
    total += h;
  double width = s.absMax() / kBins, seen = 0;
  for (int i = 0; i < kBins; ++i) {
    seen += s.hist[i];
    if (seen >= fraction * total)
      return (i + 1) * width;
  }
  return s.absMax();
}

/// TensorRT's entropy calibration: the |x| threshold whose quantization to
/// `levels` bins loses the least information (KL divergence) against the
/// histogram with the outliers clipped into its last bin.
double entropyThreshold(const Stats &s, int levels) {
  double width = s.absMax() / kBins;
  double best = HUGE_VAL;
  int bestI = kBins;
  std::vector<double> p, q;
  for (int i = levels; i <= kBins; ++i) {
    p.assign(s.hist.begin(), s.hist.begin() + i);
    for (int k = i; k < kBins; ++k)
      p[i - 1] += s.hist[k];
    q.assign(i, 0.0);
    // Merge hist[0, i) into `levels` groups and spread each group's total
    // back over its nonzero bins.
    for (int g = 0; g < levels; ++g) {
      int b0 = int(int64_t(g) * i / levels),
          b1 = int(int64_t(g + 1) * i / levels);
      double total = 0;
      int nonzero = 0;
      for (int k = b0; k < b1; ++k) {
        total += s.hist[k];
        nonzero += s.hist[k] > 0;
      }
      for (int k = b0; k < b1; ++k)
        if (s.hist[k] > 0)
          q[k] = total / nonzero;
    }
    double ps = 0, qs = 0;
    for (int k = 0; k < i; ++k) {
      ps += p[k];
      qs += q[k];
    }
    if (ps <= 0 || qs <= 0)
      continue;
    double kl = 0;
    for (int k = 0; k < i; ++k) {
      if (p[k] <= 0)
        continue;
      double pk = p[k] / ps, qk = q[k] / qs;
      kl += pk * std::log(pk / std::max(qk, 1e-12));
    }
    if (kl < best) {
      best = kl;
      bestI = i;
    }
  }
  return (bestI + 0.5) * width;
}

/// Status on a terminal: "dlc: WHAT 3/8 sets".
struct Progress {
  llvm::raw_ostream &errs;
  bool shown;
  std::string what;
  size_t total;
  void update(size_t done) {
    if (shown)
      errs << "\rdlc: " << what << " " << done << "/" << total << " sets\x1b[K";
  }
  void finish() {
    if (shown)
      errs << "\n";
  }
};

} // namespace

int driver::calibrate(ModuleOp module, const Options &options,
                      llvm::raw_ostream &errs) {
  bool isStatic = options.quantize == "static";
  if (!isStatic && !options.reportQuant)
    return kSuccess;
  if (options.calibrationDir.empty()) {
    errs << "error: " << (isStatic ? "--quantize=static" : "--report=quant")
         << " needs --calibration DIR (the input sets to run the model on)\n";
    return kUsageError;
  }
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.getBody().empty()) {
    errs << "error: --quantize: the model has no function 'main'\n";
    return kCompileError;
  }
  std::vector<CalibSet> sets;
  std::string error;
  if (!listSets(options.calibrationDir, sets, error)) {
    errs << "error: " << error << "\n";
    return kUsageError;
  }
  // Every set is read and checked before anything is compiled.
  std::vector<std::vector<HostTensor>> data(sets.size());
  for (size_t s = 0; s < sets.size(); ++s)
    if (!readSet(sets[s], main, data[s], error)) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }

  bool dynamic = options.quantize == "dynamic";
  std::vector<std::string> exclude = options.quantizeExclude;
  auto candidates = dl::findQuantCandidates(module, exclude, dynamic);
  // The float model with the tensors to measure as extra results: only
  // main's own ops can be returned.
  OwningOpRef<ModuleOp> instrumented = module.clone();
  auto imain = instrumented->lookupSymbol<func::FuncOp>("main");
  auto icandidates = dl::findQuantCandidates(*instrumented, exclude, dynamic);
  if (icandidates.size() != candidates.size()) {
    errs << "error: --quantize: the model's copy differs from it\n";
    return kCompileError;
  }
  Block &body = imain.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  unsigned numOutputs = ret.getNumOperands();
  llvm::DenseMap<Value, unsigned> index;
  std::vector<Value> recorded;
  auto record = [&](Value v) -> int {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.getElementType().isF32())
      return -1;
    if (Operation *def = v.getDefiningOp(); def && def->getBlock() != &body)
      return -1;
    auto [it, inserted] = index.try_emplace(v, numOutputs + recorded.size());
    if (inserted)
      recorded.push_back(v);
    return int(it->second);
  };
  std::vector<int> inIdx(candidates.size(), -1), outIdx(candidates.size(), -1);
  for (size_t j = 0; j < icandidates.size(); ++j) {
    if (icandidates[j].contraction->getBlock() != &body)
      continue;
    inIdx[j] = record(icandidates[j].input());
    outIdx[j] = record(icandidates[j].output());
  }
  for (Value v : recorded) {
    if (failed(imain.insertResult(imain.getNumResults(), v.getType(),
                                  DictionaryAttr())))
      return kCompileError;
    ret->insertOperands(ret.getNumOperands(), v);
  }

  llvm::SmallString<128> tempDir;
  if (auto ec =
          llvm::sys::fs::createUniqueDirectory("dlc-calibrate", tempDir)) {
    errs << "error: cannot create a temporary directory: " << ec.message()
         << "\n";
    return kUsageError;
  }
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(tempDir); });
  std::string dir = tempDir.str().str();
  bool terminal = errs.is_displayed();

  Loaded floatModel;
  if (int rc = compileAndLoad(*instrumented, options, dir, "calib", floatModel,
                              errs))
    return rc;

  if (isStatic) {
    std::vector<Stats> stats(recorded.size());
    std::vector<std::vector<float>> outputs;
    bool histograms = options.calibrationMethod != "minmax";
    for (int pass = 0; pass < (histograms ? 2 : 1); ++pass) {
      Progress progress{errs, terminal,
                        pass ? "calibration (histograms)" : "calibration",
                        sets.size()};
      for (size_t s = 0; s < sets.size(); ++s) {
        progress.update(s);
        if (!runSet(floatModel, data[s], sets[s].name, outputs, errs))
          return kCompileError;
        for (size_t r = 0; r < recorded.size(); ++r) {
          Stats &st = stats[r];
          const std::vector<float> &v = outputs[numOutputs + r];
          if (pass == 0) {
            for (float x : v) {
              if (!std::isfinite(x))
                continue;
              st.lo = std::min(st.lo, double(x));
              st.hi = std::max(st.hi, double(x));
            }
            continue;
          }
          if (st.hist.empty())
            st.hist.assign(kBins, 0.0);
          double a = st.absMax();
          if (!(a > 0))
            continue;
          for (float x : v) {
            if (!std::isfinite(x))
              continue;
            int bin = int(std::fabs(double(x)) / a * kBins);
            st.hist[std::min(bin, kBins - 1)] += 1;
          }
        }
      }
      progress.update(sets.size());
      progress.finish();
    }
    auto rangeOf = [&](int r) -> std::array<double, 2> {
      const Stats &st = stats[r - numOutputs];
      double lo = st.lo == HUGE_VAL ? 0 : st.lo,
             hi = st.hi == -HUGE_VAL ? 0 : st.hi;
      if (options.calibrationMethod == "minmax" || !(st.absMax() > 0))
        return {lo, hi};
      double t = options.calibrationMethod == "percentile"
                     ? percentileThreshold(st, 0.9999)
                     : entropyThreshold(st, lo >= 0 ? 255 : 128);
      return {std::max(lo, -t), std::min(hi, t)};
    };
    Builder b(module.getContext());
    for (size_t j = 0; j < candidates.size(); ++j) {
      if (inIdx[j] < 0)
        continue;
      auto in = rangeOf(inIdx[j]);
      for (Operation *c :
           {candidates[j].contraction, icandidates[j].contraction})
        c->setAttr(dl::kInputRangeAttr, b.getDenseF64ArrayAttr(in));
      // A layer whose result only leaves the model keeps a float result.
      Value out = candidates[j].output();
      bool onlyReturned = llvm::all_of(
          out.getUsers(), [](Operation *u) { return isa<func::ReturnOp>(u); });
      if (outIdx[j] < 0 || onlyReturned)
        continue;
      auto range = rangeOf(outIdx[j]);
      for (Operation *c :
           {candidates[j].contraction, icandidates[j].contraction})
        c->setAttr(dl::kOutputRangeAttr, b.getDenseF64ArrayAttr(range));
    }
  }
  if (!options.reportQuant)
    return kSuccess;

  // The report: the quantized model with the same extra results.
  OwningOpRef<ModuleOp> quantized = instrumented->clone();
  {
    PassManager pm(module.getContext());
    buildQuantizePipeline(pm, options.quantize, exclude);
    if (failed(pm.run(*quantized))) {
      errs << "error: --report=quant: quantization failed\n";
      return kCompileError;
    }
  }
  Loaded quantModel;
  if (int rc =
          compileAndLoad(*quantized, options, dir, "quant", quantModel, errs))
    return rc;
  size_t total = numOutputs + recorded.size();
  std::vector<double> signal(total, 0.0), noise(total, 0.0);
  Progress progress{errs, terminal, "quantization report", sets.size()};
  std::vector<std::vector<float>> f, q;
  for (size_t s = 0; s < sets.size(); ++s) {
    progress.update(s);
    if (!runSet(floatModel, data[s], sets[s].name, f, errs) ||
        !runSet(quantModel, data[s], sets[s].name, q, errs))
      return kCompileError;
    for (size_t r = 0; r < total; ++r)
      for (size_t k = 0; k < std::min(f[r].size(), q[r].size()); ++k) {
        double d = double(f[r][k]) - double(q[r][k]);
        signal[r] += double(f[r][k]) * f[r][k];
        noise[r] += d * d;
      }
  }
  progress.update(sets.size());
  progress.finish();
  auto sqnr = [&](size_t r) -> std::string {
    if (noise[r] == 0)
      return "inf";
    return llvm::formatv("{0:f1}", 10 * std::log10(signal[r] / noise[r]));
  };
  errs << "quantization report (--quantize=" << options.quantize
       << "): SQNR of the quantized vs the float model on " << sets.size()
       << " calibration set(s)\n";
  errs << llvm::format("  %-28s %-12s %-22s %10s\n", "layer", "op", "int8 path",
                       "SQNR (dB)");
  for (size_t j = 0; j < candidates.size(); ++j) {
    Operation *c = candidates[j].contraction;
    bool quantizedLayer = dynamic || c->hasAttr(dl::kInputRangeAttr);
    std::string path = !quantizedLayer ? "float (not calibrated)"
                       : dynamic       ? "dynamic, float result"
                       : c->hasAttr(dl::kOutputRangeAttr)
                           ? "requantized to uint8"
                           : "float result";
    std::string name = candidates[j].name.empty() ? "?" : candidates[j].name;
    errs << llvm::format("  %-28s %-12s %-22s %10s\n", name.c_str(),
                         c->getName().getStringRef().str().c_str(),
                         path.c_str(),
                         outIdx[j] < 0 ? "-" : sqnr(outIdx[j]).c_str());
  }
  for (unsigned r = 0; r < numOutputs; ++r) {
    std::string name = "#" + std::to_string(r);
    if (auto attr = main.getResultAttrOfType<StringAttr>(r, dl::kNameAttr))
      name = attr.str();
    errs << llvm::format("  output %-21s %-12s %-22s %10s\n", name.c_str(), "",
                         "", sqnr(r).c_str());
  }
  return kSuccess;
}
