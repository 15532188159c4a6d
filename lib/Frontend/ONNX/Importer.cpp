//===- Importer.cpp - ONNX model loading and graph import -----------------===//

#include "dlc/Frontend/ONNX/Importer.h"
#include "NodeImporter.h"
#include "Validate.h"
#include "dlc/Dialect/DL/IR/DLAttrNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Timer.h"

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"
#include "llvm/ADT/StringSet.h"

#include <chrono>
#include <limits>
#include <optional>
#include <set>

using namespace mlir;
using namespace dlc;
using namespace dlc::onnx_frontend;

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

Value NodeImporter::input(unsigned i) const {
  if (!hasInput(i))
    return {};
  return state.values.lookup(node.input(i));
}

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeImporter::intAttr(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

double NodeImporter::floatAttr(StringRef name, double dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeImporter::stringAttr(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::intsAttr(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<SmallVector<double>>
NodeImporter::floatsAttr(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<double>(a->floats().begin(), a->floats().end());
}

/// The elements of a constant value, dense or resource-backed.
static std::optional<DenseElementsAttr> constantOf(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense;
  return std::nullopt;
}

std::optional<SmallVector<int64_t>>
NodeImporter::constantInts(unsigned i) const {
  auto dense = constantOf(input(i));
  if (!dense || !isa<IntegerType>(dense->getElementType()))
    return std::nullopt;
  SmallVector<int64_t> out;
  for (const APInt &v : dense->getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

std::optional<SmallVector<double>>
NodeImporter::constantFloats(unsigned i) const {
  auto dense = constantOf(input(i));
  if (!dense)
    return std::nullopt;
  SmallVector<double> out;
  if (isa<FloatType>(dense->getElementType())) {
    for (const APFloat &v : dense->getValues<APFloat>()) {
      APFloat d = v;
      bool lost;
      d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(d.convertToDouble());
    }
  } else {
    for (const APInt &v : dense->getValues<APInt>())
      out.push_back(static_cast<double>(v.getSExtValue()));
  }
  return out;
}

LogicalResult NodeImporter::fail(const Twine &message) {
  std::string name = !displayName.empty()  ? displayName
                     : node.name().empty() ? "<unnamed>"
                                           : node.name();
  std::string opsetText;
  if (isDefaultDomain(node.domain())) {
    opsetText = std::to_string(state.opset);
    if (state.originalOpset && state.originalOpset != state.opset)
      opsetText += ", converted from " + std::to_string(state.originalOpset);
  } else {
    opsetText = std::to_string(state.domainVersions.lookup(node.domain()));
  }
  state.errors.push_back(("node '" + name + "' (" + registryKey(node) +
                          ", opset " + opsetText + "): " + message)
                             .str());
  return failure();
}

FailureOr<SmallVector<Value>> NodeImporter::finish(OperationState &opState,
                                                   bool inferResultTypes) {
  for (Value v : opState.operands)
    if (!v)
      return fail("an input has no value (an earlier node failed)");
  // Diagnostics from shape inference and the verifier become the node's
  // error, so they name the ONNX node rather than an MLIR location.
  std::string messages;
  ScopedDiagnosticHandler handler(state.context, [&](Diagnostic &diag) {
    if (!messages.empty())
      messages += "; ";
    messages += diag.str();
    return success();
  });
  StringRef opName = opState.name.getStringRef();
  Operation *op = b.create(opState);
  if (inferResultTypes) {
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    SmallVector<Type> inferred;
    if (!infer ||
        failed(infer.inferReturnTypes(
            state.context, loc, op->getOperands(), op->getRawDictionaryAttrs(),
            op->getPropertiesStorage(), op->getRegions(), inferred)) ||
        inferred.size() != op->getNumResults()) {
      op->erase();
      return fail(messages.empty()
                      ? "cannot infer the result type of " + opName.str()
                      : messages);
    }
    for (auto [r, t] : llvm::zip(op->getResults(), inferred))
      r.setType(t);
  }
  if (failed(verify(op))) {
    op->erase();
    return fail(messages);
  }
  // A static result no machine can hold (Resize by 1e9, Tile or Expand by
  // absurd factors) is refused here, before code that would hang or wrap.
  for (Type t : op->getResultTypes()) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    if (!ranked || !ranked.hasStaticShape())
      continue;
    int64_t count = 1;
    bool tooLarge = false;
    for (int64_t d : ranked.getShape())
      tooLarge |= llvm::MulOverflow(count, d, count) || count > kMaxElements;
    if (tooLarge) {
      op->erase();
      return fail("the result " + dl::shapeToString(ranked.getShape()) +
                  " has more than 2^40 elements");
    }
  }
  SmallVector<Value> results;
  auto isWeight = [](Value v) {
    auto c = v.getDefiningOp<dl::ConstantOp>();
    auto name = c ? dyn_cast<NameLoc>(c.getLoc()) : NameLoc();
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return name && isa<UnknownLoc>(name.getChildLoc()) && t &&
           t.getRank() > 0 && isa<FloatType>(t.getElementType());
  };
  bool keep = state.keepWeights && llvm::any_of(op->getOperands(), isWeight);
  if (!keep && succeeded(b.tryFold(op, results)) && !results.empty()) {
    op->erase();
    return results;
  }
  return SmallVector<Value>(op->getResults());
}

Value NodeImporter::constant(DenseElementsAttr values) {
  return dl::ConstantOp::create(b, loc, values);
}

Value NodeImporter::constantI64(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return constant(DenseElementsAttr::get(type, values));
}

Value NodeImporter::scalar(double value, Type elementType) {
  auto type = RankedTensorType::get({}, elementType);
  if (auto ft = dyn_cast<FloatType>(elementType)) {
    APFloat f(value);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return constant(DenseElementsAttr::get(type, f));
  }
  return constant(DenseElementsAttr::get(
      type, APInt(elementType.getIntOrFloatBitWidth(),
                  static_cast<int64_t>(value), /*isSigned=*/true)));
}

void NodeImporter::setOutput(unsigned i, Value v) {
  if (i < static_cast<unsigned>(node.output_size()) && !node.output(i).empty())
    state.values[node.output(i)] = v;
}

Type dlc::onnx_frontend::convertElementType(MLIRContext *ctx,
                                            int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  // Integers are signless (see DLBase.td): the unsigned types map to the
  // integer of their width, their sign travels on the ops that need it.
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI8Type();
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::UINT32:
    return b.getI32Type();
  case onnx::TensorProto::UINT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

bool dlc::onnx_frontend::isUnsignedType(int32_t onnxType) {
  return onnxType == onnx::TensorProto::UINT8 ||
         onnxType == onnx::TensorProto::UINT16 ||
         onnxType == onnx::TensorProto::UINT32 ||
         onnxType == onnx::TensorProto::UINT64;
}

static std::string onnxTypeName(int32_t t) {
  return onnx::TensorProto::DataType_IsValid(t)
             ? onnx::TensorProto::DataType_Name(
                   static_cast<onnx::TensorProto::DataType>(t))
             : "type " + std::to_string(t);
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

namespace {

/// Converts initializers and Constant tensors to attributes. Large float
/// tensors become dense_resource blobs so they are never printed or copied
/// through the attribute printer.
class TensorImporter {
public:
  TensorImporter(MLIRContext *ctx, std::string modelDir)
      : ctx(ctx), modelDir(std::move(modelDir)) {}

  FailureOr<ElementsAttr> import(const onnx::TensorProto &t,
                                 std::string &error);

private:
  FailureOr<std::string> externalData(const onnx::TensorProto &t,
                                      int64_t expectedBytes,
                                      std::string &error);
  MLIRContext *ctx;
  std::string modelDir;
  unsigned blobCounter = 0;
};

} // namespace

/// A non-negative decimal integer of external_data (offset, length), or
/// failure for anything else (signs, spaces, letters, overflow).
static std::optional<int64_t> parseExternalInt(StringRef text) {
  uint64_t v;
  if (text.empty() ||
      !llvm::all_of(text, [](char c) { return c >= '0' && c <= '9'; }) ||
      text.getAsInteger(10, v) ||
      v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return static_cast<int64_t>(v);
}

/// The file of `t`'s external data: its location resolved with realpath
/// (symlinks included) must lie inside `modelDir` and be a regular file (not
/// /dev/zero, a FIFO or a directory). Sets `realPath` and `size`.
static LogicalResult resolveExternalData(StringRef modelDir,
                                         const onnx::TensorProto &t,
                                         SmallString<256> &realPath,
                                         int64_t &size, std::string &error) {
  std::string location;
  for (const auto &kv : t.external_data())
    if (kv.key() == "location")
      location = kv.value();
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains("..")) {
    error = "external data location '" + location + "' of '" + t.name() +
            "' must be a relative path inside the model's directory";
    return failure();
  }
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  // Symlinks are resolved before the check, so neither a link to a file
  // (/etc/passwd) nor a linked directory leads out of the model's folder.
  SmallString<256> realDir;
  if (std::error_code ec = llvm::sys::fs::real_path(modelDir, realDir)) {
    error = "cannot resolve the model's directory '" + modelDir.str() +
            "': " + ec.message();
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::real_path(path, realPath)) {
    error = "cannot read external data file '" + std::string(path) + "' of '" +
            t.name() + "': " + ec.message();
    return failure();
  }
  if (!StringRef(realPath).starts_with(
          (realDir + llvm::sys::path::get_separator()).str())) {
    error = "external data file '" + std::string(path) + "' of '" + t.name() +
            "' resolves to '" + std::string(realPath) +
            "', outside the model's directory";
    return failure();
  }
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(realPath, status)) {
    error = "cannot read external data file '" + std::string(path) +
            "': " + ec.message();
    return failure();
  }
  if (status.type() != llvm::sys::fs::file_type::regular_file) {
    error = "external data file '" + std::string(path) + "' of '" + t.name() +
            "' is not a regular file";
    return failure();
  }
  size = static_cast<int64_t>(status.getSize());
  return success();
}

FailureOr<std::string> TensorImporter::externalData(const onnx::TensorProto &t,
                                                    int64_t expectedBytes,
                                                    std::string &error) {
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "offset" || kv.key() == "length") {
      auto v = parseExternalInt(kv.value());
      if (!v) {
        error = "external data of '" + t.name() + "' has " + kv.key() + " '" +
                kv.value() + "', not a non-negative 64-bit integer";
        return failure();
      }
      (kv.key() == "offset" ? offset : length) = *v;
    }
  }
  SmallString<256> realPath;
  int64_t size = 0;
  if (failed(resolveExternalData(modelDir, t, realPath, size, error)))
    return failure();
  std::string path = realPath.str().str();
  // Without a length the tensor's own size is read; a given length must be
  // that size (no more is ever read than the tensor holds).
  if (length < 0)
    length = expectedBytes;
  if (length != expectedBytes) {
    error = "external data of '" + t.name() + "' has length " +
            std::to_string(length) + " but the tensor needs " +
            std::to_string(expectedBytes) + " bytes";
    return failure();
  }
  if (offset > size || length > size - offset) {
    error = "external data of '" + t.name() + "' (offset " +
            std::to_string(offset) + ", length " + std::to_string(length) +
            ") lies outside '" + std::string(path) + "' (" +
            std::to_string(size) + " bytes)";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFileSlice(realPath, length, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer) {
    error = "cannot read external data file '" + std::string(path) +
            "': " + buffer.getError().message();
    return failure();
  }
  if (static_cast<int64_t>((*buffer)->getBufferSize()) != length) {
    error = "external data file '" + std::string(path) + "' changed size";
    return failure();
  }
  return std::string((*buffer)->getBufferStart(), length);
}

FailureOr<ElementsAttr> TensorImporter::import(const onnx::TensorProto &t,
                                               std::string &error) {
  Type et = convertElementType(ctx, t.data_type());
  if (!et) {
    error = "tensor '" + t.name() + "' has unsupported element type " +
            onnxTypeName(t.data_type());
    return failure();
  }
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0) {
      error = "tensor '" + t.name() + "' has a negative dim";
      return failure();
    }
  unsigned width = et.getIntOrFloatBitWidth();
  size_t elemBytes = width == 1 ? 1 : width / 8;
  // The element count must fit in memory before anything is allocated.
  int64_t count = 1;
  for (int64_t d : shape)
    if (llvm::MulOverflow(count, d, count) ||
        count > (int64_t(1) << 40) / static_cast<int64_t>(elemBytes)) {
      error = "tensor '" + t.name() + "' is too large (" +
              dl::shapeToString(shape) + ")";
      return failure();
    }
  auto type = RankedTensorType::get(shape, et);

  std::string raw;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto data = externalData(t, count * static_cast<int64_t>(elemBytes), error);
    if (failed(data))
      return failure();
    raw = std::move(*data);
  } else if (t.has_raw_data()) {
    raw = t.raw_data();
  } else {
    // Typed fields: pack them into the raw little-endian layout.
    int64_t fieldSize =
        t.data_type() == onnx::TensorProto::FLOAT    ? t.float_data_size()
        : t.data_type() == onnx::TensorProto::DOUBLE ? t.double_data_size()
        : t.data_type() == onnx::TensorProto::INT64  ? t.int64_data_size()
        : t.data_type() == onnx::TensorProto::UINT32 ||
                t.data_type() == onnx::TensorProto::UINT64
            ? t.uint64_data_size()
            : t.int32_data_size();
    if (fieldSize != count) {
      error = "tensor '" + t.name() + "' has " + std::to_string(fieldSize) +
              " values for shape with " + std::to_string(count) + " elements";
      return failure();
    }
    raw.resize(count * elemBytes);
    auto put = [&](int64_t i, auto v) {
      std::memcpy(&raw[i * elemBytes], &v, elemBytes);
    };
    int64_t have = 0;
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      have = t.float_data_size();
      for (int64_t i = 0; i < std::min(have, count); ++i)
        put(i, t.float_data(i));
      break;
    case onnx::TensorProto::DOUBLE:
      have = t.double_data_size();
      for (int64_t i = 0; i < std::min(have, count); ++i)
        put(i, t.double_data(i));
      break;
    case onnx::TensorProto::INT64:
      have = t.int64_data_size();
      for (int64_t i = 0; i < std::min(have, count); ++i)
        put(i, t.int64_data(i));
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      have = t.uint64_data_size();
      for (int64_t i = 0; i < std::min(have, count); ++i)
        put(i, t.uint64_data(i)); // little-endian: the low bytes first
      break;
    default: // (u)int8, (u)int16, int32, bool, f16, bf16: int32_data.
      have = t.int32_data_size();
      for (int64_t i = 0; i < std::min(have, count); ++i) {
        int32_t v = t.int32_data(i);
        if (elemBytes == 1)
          put(i, static_cast<int8_t>(v));
        else if (elemBytes == 2)
          put(i, static_cast<uint16_t>(v));
        else
          put(i, v);
      }
      break;
    }
    if (have != count) {
      error = "tensor '" + t.name() + "' has " + std::to_string(have) +
              " values for shape with " + std::to_string(count) + " elements";
      return failure();
    }
  }
  if (static_cast<int64_t>(raw.size()) != count * (int64_t)elemBytes) {
    error = "tensor '" + t.name() + "' has " + std::to_string(raw.size()) +
            " bytes of data, expected " + std::to_string(count * elemBytes);
    return failure();
  }
  if (width == 1) {
    SmallVector<bool> values;
    for (char c : raw)
      values.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
  }
  // Small tensors (shapes, scalars) stay dense so folders can read them.
  constexpr int64_t kResourceThreshold = 1024;
  if (count <= kResourceThreshold || isa<IntegerType>(et))
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef(raw.data(), raw.size())));
  std::string blobName = t.name().empty()
                             ? "onnx_tensor_" + std::to_string(blobCounter++)
                             : t.name();
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef(raw.data(), raw.size()), alignof(double));
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
}

//===----------------------------------------------------------------------===//
// Model loading
//===----------------------------------------------------------------------===//

namespace {

class ModelImporter {
public:
  ModelImporter(MLIRContext &context, const ImportOptions &options,
                llvm::raw_ostream &errors, llvm::raw_ostream &log)
      : context(context), options(options), errors(errors), log(log) {}

  OwningOpRef<ModuleOp> run(StringRef bytes, StringRef name,
                            StringRef modelDir);
  /// The folder external data must lie in.
  std::string modelDir = ".";
  void setModelPath(StringRef path) { modelPath = path.str(); }

private:
  LogicalResult load(StringRef bytes, StringRef name);
  /// Set when the model came from a file (for the checker).
  std::string modelPath;
  int64_t originalOpset = 0;
  bool newerThanLibrary = false;
  std::set<std::string> legacyResizeOutputs;
  LogicalResult pinInputShapes();
  std::map<std::string, int64_t> legacyNodeOpsets;
  OwningOpRef<ModuleOp> importGraph(StringRef modelDir);
  FailureOr<RankedTensorType> convertValueType(const onnx::ValueInfoProto &vi);
  /// One line per error: the ONNX library's multi-line messages are joined.
  void error(const Twine &message) {
    std::string text = message.str();
    std::string line;
    bool space = false;
    for (char c : text) {
      bool ws = c == '\n' || c == '\r' || c == '\t' || c == ' ';
      if (ws) {
        space = !line.empty();
        continue;
      }
      if (space)
        line += ' ';
      space = false;
      line += c;
    }
    errors << "error: " << line << "\n";
  }

  MLIRContext &context;
  const ImportOptions &options;
  llvm::raw_ostream &errors;
  llvm::raw_ostream &log;
  onnx::ModelProto model;
  int64_t opset = 0;
  llvm::StringMap<int64_t> domainVersions;
};

/// Steady-clock milliseconds since `start`, for -v.
double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

/// Softmax, LogSoftmax and Hardmax before opset 13 normalize the input
/// coerced to 2-D at `axis`. The version converter rewrites Softmax and
/// LogSoftmax with a constant target shape that breaks on dynamic dims, and
/// takes Hardmax over unchanged as if its meaning had not changed. So the
/// converter passes all three through untouched, and the importer reads them
/// at the model's opset (their opset-1 handlers), recorded by first output
/// in `legacyNodeOpsets`.
static onnx::ModelProto
convertVersion(const onnx::ModelProto &model, int64_t opset,
               int64_t targetOpset,
               std::map<std::string, int64_t> &legacyNodeOpsets) {
  namespace vc = onnx::version_conversion;
  // A converter copies every schema with its history when it is made (most
  // of a small model's import time): make each of the two once.
  // convert_version is const.
  static const vc::DefaultVersionConverter plain;
  static const vc::DefaultVersionConverter &keepingSoftmax = *[] {
    auto *converter = new vc::DefaultVersionConverter;
    for (const char *op : {"Softmax", "LogSoftmax"})
      converter->registerAdapter(std::make_unique<vc::CompatibleAdapter>(
          op, onnx::OpSetID(12), onnx::OpSetID(13)));
    return converter;
  }();
  const vc::DefaultVersionConverter *converter = &plain;
  if (opset < 13 && targetOpset >= 13) {
    converter = &keepingSoftmax;
    for (const auto &node : model.graph().node())
      if ((node.op_type() == "Softmax" || node.op_type() == "LogSoftmax" ||
           node.op_type() == "Hardmax") &&
          isDefaultDomain(node.domain()) && node.output_size() > 0)
        legacyNodeOpsets[node.output(0)] = opset;
  }
  return converter->convert_version(model, onnx::OpSetID(opset),
                                    onnx::OpSetID(targetOpset));
}

/// The default domain's opset, or 0 when the model imports none (a model of
/// training operators only, say).
static int64_t defaultDomainOpset(const onnx::ModelProto &model) {
  for (const auto &os : model.opset_import())
    if (isDefaultDomain(os.domain()))
      return os.version();
  return 0;
}

LogicalResult ModelImporter::load(StringRef bytes, StringRef name) {
  auto start = std::chrono::steady_clock::now();
  if (bytes.empty()) {
    error("'" + name + "' is empty, not an ONNX model");
    return failure();
  }
  if (options.textFormat) {
    std::string text = bytes.str();
    // The parser converts numbers with std::stoll/stof, which throw on a
    // literal that does not fit; the literal is found again for its place.
    try {
      auto status = onnx::OnnxParser::Parse(model, text.c_str());
      if (!status.IsOK()) {
        error("'" + name +
              "' is not valid ONNX text: " + status.ErrorMessage());
        return failure();
      }
    } catch (const std::exception &e) {
      std::string where = findBadNumericLiteral(text);
      error("'" + name + "' is not valid ONNX text: " +
            (where.empty() ? std::string("a number does not fit its type (") +
                                 e.what() + ")"
                           : where));
      return failure();
    }
  } else if (bytes.size() > static_cast<size_t>(INT_MAX) ||
             !model.ParseFromArray(bytes.data(),
                                   static_cast<int>(bytes.size()))) {
    error("'" + name +
          "' is not an ONNX model (protobuf parse failed; is the "
          "file truncated or of another format?)");
    return failure();
  }
  if (!model.has_graph() || model.opset_import_size() == 0) {
    error("'" + name + "' is not an ONNX model (no graph or no opset_import)");
    return failure();
  }
  opset = defaultDomainOpset(model);
  for (const auto &os : model.opset_import())
    if (!isDefaultDomain(os.domain()))
      domainVersions[os.domain()] = os.version();
  if (options.verbose)
    log << "dlc: parsed '" << name << "' (ir_version " << model.ir_version()
        << ", opset " << opset << ") in "
        << llvm::format("%.1f", msSince(start)) << " ms\n";
  // Without a default-domain import every node is of another domain, and
  // there is nothing to convert.
  bool noDefaultDomain = llvm::none_of(model.opset_import(),
                                       [](const onnx::OperatorSetIdProto &os) {
                                         return isDefaultDomain(os.domain());
                                       });
  if (noDefaultDomain) {
    for (const auto &node : model.graph().node())
      if (isDefaultDomain(node.domain())) {
        error("'" + name + "' has " + node.op_type() +
              " nodes of the default domain but imports no opset for it");
        return failure();
      }
  } else if (opset > kMaxOpset || opset < 1) {
    error("'" + name + "' uses opset " + Twine(opset) +
          " of the default domain; dlc accepts opsets " + Twine(kMinOpset) +
          " to " + Twine(kMaxOpset));
    return failure();
  }
  originalOpset = opset;
  // Pins go in first, so an input without a shape can be given one.
  if (failed(pinInputShapes()))
    return failure();
  // The ONNX library checks what it knows; a newer model (IR version or
  // opset) is checked by the importer itself, node by node.
  int64_t libraryOpset =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
          .Map()
          .at("")
          .second;
  newerThanLibrary =
      opset > libraryOpset || model.ir_version() > onnx::Version::IR_VERSION;
  // dlc's own checks come first: the library's shape inference and version
  // converter crash on some models its checker passes, and its checker does
  // not run on newer models.
  guardLibraryShapeInference();
  {
    std::vector<std::string> problems;
    validateModel(model, opset, domainVersions,
                  /*strict=*/opset <= libraryOpset, problems);
    // External data files are checked before the ONNX checker opens them
    // (a FIFO or /dev/zero would block or never end).
    for (const auto &t : model.graph().initializer()) {
      if (t.data_location() != onnx::TensorProto::EXTERNAL)
        continue;
      SmallString<256> realPath;
      int64_t size;
      std::string message;
      if (failed(resolveExternalData(modelDir, t, realPath, size, message)))
        problems.push_back("initializer: " + message);
    }
    if (!problems.empty()) {
      for (const auto &p : problems)
        error(p);
      return failure();
    }
  }
  if (newerThanLibrary) {
    if (options.verbose)
      log << "dlc: the ONNX library knows IR version "
          << onnx::Version::IR_VERSION << " and opset " << libraryOpset
          << "; checking this IR version " << model.ir_version() << ", opset "
          << opset << " model in the importer\n";
  } else {
    try {
      start = std::chrono::steady_clock::now();
      // Only the path-based checker can see external data next to the
      // model, at the cost of parsing the file again: use it only then.
      bool externalData = llvm::any_of(
          model.graph().initializer(), [](const onnx::TensorProto &t) {
            return t.data_location() == onnx::TensorProto::EXTERNAL;
          });
      if (externalData && !options.textFormat && !modelPath.empty() &&
          options.inputShapes.empty())
        onnx::checker::check_model(modelPath);
      else
        onnx::checker::check_model(model);
      if (options.verbose)
        log << "dlc: checker passed in " << llvm::format("%.1f", msSince(start))
            << " ms\n";
    } catch (const std::exception &e) {
      error("'" + name + "' fails the ONNX checker: " + e.what());
      return failure();
    }
  }
  // Resize before opset 11 maps output to input coordinates asymmetrically
  // and rounds down; the version converter forgets that, so remember it.
  if (opset < 11)
    for (const auto &node : model.graph().node())
      if (node.op_type() == "Resize" || node.op_type() == "Upsample")
        for (const auto &out : node.output())
          legacyResizeOutputs.insert(out);
  if (!noDefaultDomain && opset < options.targetOpset) {
    start = std::chrono::steady_clock::now();
    try {
      onnx::ModelProto converted =
          convertVersion(model, opset, options.targetOpset, legacyNodeOpsets);
      model = std::move(converted);
      if (options.verbose)
        log << "dlc: converted opset " << opset << " -> " << options.targetOpset
            << " in " << llvm::format("%.1f", msSince(start)) << " ms\n";
      opset = options.targetOpset;
    } catch (const std::exception &e) {
      // The importer knows the semantics of opsets 7 and up, so a model the
      // converter cannot handle is imported at its own opset.
      if (opset < kMinOpset) {
        error("'" + name + "' uses opset " + Twine(opset) +
              ", which the ONNX version converter cannot take to " +
              Twine(options.targetOpset) + " (" + e.what() +
              "); dlc accepts opsets " + Twine(kMinOpset) + " to " +
              Twine(kMaxOpset));
        return failure();
      }
      if (options.verbose)
        log << "dlc: version converter cannot take opset " << opset << " to "
            << options.targetOpset << " (" << e.what()
            << "); importing at opset " << opset << "\n";
    }
  }
  try {
    start = std::chrono::steady_clock::now();
    onnx::shape_inference::InferShapes(model);
    if (options.verbose)
      log << "dlc: ONNX shape inference in "
          << llvm::format("%.1f", msSince(start)) << " ms\n";
  } catch (const std::exception &e) {
    // For a model newer than the library, dl's own shape inference decides.
    if (!newerThanLibrary) {
      error("ONNX shape inference failed on '" + name + "': " + e.what());
      return failure();
    }
  }
  return success();
}

LogicalResult ModelImporter::pinInputShapes() {
  std::set<std::string> pinned;
  for (auto &in : *model.mutable_graph()->mutable_input()) {
    auto it = options.inputShapes.find(in.name());
    if (it == options.inputShapes.end())
      continue;
    pinned.insert(in.name());
    auto *tensorType = in.mutable_type()->mutable_tensor_type();
    const auto &dims = it->second;
    if (!tensorType->has_shape())
      for (size_t i = 0; i < dims.size(); ++i)
        tensorType->mutable_shape()->add_dim();
    auto *shape = tensorType->mutable_shape();
    if (shape->dim_size() != static_cast<int>(dims.size())) {
      error("--input-shape " + in.name() + " has " + Twine(dims.size()) +
            " dims but the input has rank " + Twine(shape->dim_size()));
      return failure();
    }
    for (int i = 0; i < shape->dim_size(); ++i) {
      auto *dim = shape->mutable_dim(i);
      if (dim->has_dim_value() && dim->dim_value() != dims[i]) {
        error("--input-shape " + in.name() + " sets dim " + Twine(i) + " to " +
              Twine(dims[i]) + " but the model fixes it at " +
              Twine(dim->dim_value()));
        return failure();
      }
      dim->set_dim_value(dims[i]);
    }
  }
  for (const auto &[name, dims] : options.inputShapes)
    if (!pinned.count(name)) {
      error("--input-shape names '" + name + "', which is not a graph input");
      return failure();
    }
  return success();
}

FailureOr<RankedTensorType>
ModelImporter::convertValueType(const onnx::ValueInfoProto &vi) {
  if (!vi.type().has_tensor_type()) {
    error("value '" + vi.name() +
          "' is not a tensor (sequences, maps and "
          "optionals are not supported)");
    return failure();
  }
  const auto &tt = vi.type().tensor_type();
  Type et = convertElementType(&context, tt.elem_type());
  if (!et) {
    error("value '" + vi.name() + "' has unsupported element type " +
          onnxTypeName(tt.elem_type()));
    return failure();
  }
  if (!tt.has_shape()) {
    error("value '" + vi.name() +
          "' has unknown rank; pin it with "
          "--input-shape " +
          vi.name() + "=DxDx...");
    return failure();
  }
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() < 0) {
      error("value '" + vi.name() + "' has a negative dim (" +
            Twine(d.dim_value()) + ")");
      return failure();
    }
    shape.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, et);
}

/// Ops that take unsigned integers: those whose import passes the sign to
/// the dl ops that depend on it, and those that only move data.
static LogicalResult checkUnsignedSupport(NodeImporter &n) {
  static const llvm::StringSet<> ops = {"Add",
                                        "Sub",
                                        "Mul",
                                        "Div",
                                        "Mod",
                                        "Max",
                                        "Min",
                                        "Sum",
                                        "Equal",
                                        "Less",
                                        "LessOrEqual",
                                        "Greater",
                                        "GreaterOrEqual",
                                        "Cast",
                                        "BitShift",
                                        "Pow",
                                        "CastLike",
                                        "QuantizeLinear",
                                        "DynamicQuantizeLinear",
                                        "MatMulInteger",
                                        "ConvInteger",
                                        "QLinearMatMul",
                                        "QLinearConv",
                                        "DequantizeLinear",
                                        "Identity",
                                        "Reshape",
                                        "Transpose",
                                        "Concat",
                                        "Slice",
                                        "Gather",
                                        "Squeeze",
                                        "Unsqueeze",
                                        "Flatten",
                                        "Expand",
                                        "Tile",
                                        "Split",
                                        "Where",
                                        "Shape",
                                        "Size",
                                        "MaxPool"};
  if (!isDefaultDomain(n.node.domain()) || ops.contains(n.opType()))
    return success();
  for (const std::string &v : n.node.input())
    if (isUnsignedType(n.state.onnxTypes.lookup(v)))
      return n.fail("unsigned element type " +
                    onnxTypeName(n.state.onnxTypes.lookup(v)) + " of '" + v +
                    "' is not supported by this op");
  for (const std::string &v : n.node.output())
    if (isUnsignedType(n.state.onnxTypes.lookup(v)))
      return n.fail("unsigned element type " +
                    onnxTypeName(n.state.onnxTypes.lookup(v)) + " of '" + v +
                    "' is not supported by this op");
  return success();
}

static const OpRegistry &registry() {
  static OpRegistry r = [] {
    OpRegistry reg;
    registerElementwiseOps(reg);
    registerMathOps(reg);
    registerConvOps(reg);
    registerPoolOps(reg);
    registerNormalizationOps(reg);
    registerReductionOps(reg);
    registerTensorOps(reg);
    registerQuantizationOps(reg);
    registerTrainingOps(reg);
    registerLossOps(reg);
    registerScatterGatherOps(reg);
    registerSignalOps(reg);
    registerRecurrentOps(reg);
    registerControlFlowOps(reg);
    return reg;
  }();
  return r;
}

OwningOpRef<ModuleOp> ModelImporter::importGraph(StringRef modelDir) {
  const onnx::GraphProto &graph = model.graph();
  auto start = std::chrono::steady_clock::now();

  // Every unsupported node is reported at once, before any import.
  std::vector<std::string> unsupported;
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    bool defaultDomain = isDefaultDomain(node.domain());
    if (registry().contains(registryKey(node)) ||
        (defaultDomain && node.op_type() == "Constant"))
      continue;
    // Named by index as in the import loop below (the nodes of a repeated
    // field are separate objects: address differences mean nothing).
    std::string nodeName = node.name().empty()
                               ? node.op_type() + "_" + std::to_string(index)
                               : node.name();
    int64_t version =
        defaultDomain ? opset : domainVersions.lookup(node.domain());
    unsupported.push_back("node '" + nodeName + "' (" + registryKey(node) +
                          ", opset " + std::to_string(version) +
                          "): op is not supported");
  }
  if (!unsupported.empty()) {
    for (const auto &u : unsupported)
      error(u);
    return {};
  }

  OpBuilder builder(&context);
  auto fileLoc = FileLineColLoc::get(&context, graph.name(), 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  std::set<std::string> initNames;
  for (const auto &init : graph.initializer())
    initNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (initNames.count(in.name()))
      continue;
    auto type = convertValueType(in);
    if (failed(type))
      return {};
    argTypes.push_back(*type);
    argNames.push_back(in.name());
  }
  std::string funcName = options.entryName;
  if (funcName.empty())
    funcName = "main";
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, funcName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames))
    func.setArgAttr(i, dl::kNameAttr, builder.getStringAttr(name));
  // The ONNX element type of every value whose type is known (inputs,
  // initializers, shape inference's value_info, outputs): importers read
  // the sign of integers from it.
  llvm::StringMap<int32_t> onnxTypes;
  {
    auto note = [&](const onnx::ValueInfoProto &vi) {
      if (vi.type().has_tensor_type())
        onnxTypes[vi.name()] = vi.type().tensor_type().elem_type();
    };
    for (const auto &vi : graph.input())
      note(vi);
    for (const auto &vi : graph.value_info())
      note(vi);
    for (const auto &vi : graph.output())
      note(vi);
    for (const auto &init : graph.initializer())
      onnxTypes[init.name()] = init.data_type();
    for (auto [i, name] : llvm::enumerate(argNames))
      if (isUnsignedType(onnxTypes.lookup(name)))
        func.setArgAttr(i, dl::kUnsignedAttr, builder.getUnitAttr());
  }
  // Symbolic dim names ("batch") are kept for messages and the C header.
  {
    unsigned argIndex = 0;
    for (const auto &in : graph.input()) {
      if (initNames.count(in.name()))
        continue;
      SmallVector<Attribute> dimNames;
      bool any = false;
      for (const auto &d : in.type().tensor_type().shape().dim()) {
        dimNames.push_back(builder.getStringAttr(d.dim_param()));
        any |= !d.has_dim_value() && !d.dim_param().empty();
      }
      if (any)
        func.setArgAttr(argIndex, dl::kDimNamesAttr,
                        builder.getArrayAttr(dimNames));
      ++argIndex;
    }
  }

  GraphState state{&context, OpBuilder(&context), {}, opset, {}, 0, {}, {}, {}};
  state.originalOpset = originalOpset;
  state.legacyResizeOutputs = legacyResizeOutputs;
  state.legacyNodeOpsets = legacyNodeOpsets;
  state.domainVersions = domainVersions;
  state.keepWeights = options.keepWeights;
  state.onnxTypes = onnxTypes;
  state.builder.setInsertionPointToEnd(entry);
  for (auto [i, name] : llvm::enumerate(argNames))
    state.values[name] = entry->getArgument(i);

  TensorImporter tensors(&context, modelDir.str());
  for (const auto &init : graph.initializer()) {
    std::string err;
    auto attr = tensors.import(init, err);
    if (failed(attr)) {
      error("initializer: " + err);
      return {};
    }
    auto loc = NameLoc::get(builder.getStringAttr(init.name()));
    state.values[init.name()] =
        dl::ConstantOp::create(state.builder, loc, *attr);
  }

  // The nodes of the main graph and, through state.importNodes, of If, Loop
  // and Scan bodies (their initializers first).
  auto importNodes = [&](const onnx::GraphProto &graph) -> LogicalResult {
    size_t errorsBefore = state.errors.size();
    for (const auto &init : graph.initializer()) {
      if (&graph == &model.graph())
        break;
      std::string err;
      auto attr = tensors.import(init, err);
      if (failed(attr)) {
        state.errors.push_back("initializer: " + err);
        continue;
      }
      auto loc = NameLoc::get(builder.getStringAttr(init.name()));
      state.values[init.name()] =
          dl::ConstantOp::create(state.builder, loc, *attr);
    }
    for (const auto &[index, node] : llvm::enumerate(graph.node())) {
      std::string nodeName = node.name().empty()
                                 ? node.op_type() + "_" + std::to_string(index)
                                 : node.name();
      auto loc =
          NameLoc::get(builder.getStringAttr(nodeName),
                       NameLoc::get(builder.getStringAttr(node.op_type())));
      NodeImporter ni(node, state, loc);
      ni.displayName = nodeName;
      if (node.op_type() == "Constant") {
        // Constant's tensor attribute goes through the tensor importer; the
        // scalar and list forms (opset 12+) become a tensor first.
        onnx::TensorProto t;
        if (const auto *value = ni.attr("value"); value && value->has_t()) {
          t = value->t();
        } else if (const auto *v = ni.attr("value_float")) {
          t.set_data_type(onnx::TensorProto::FLOAT);
          t.add_float_data(v->f());
        } else if (const auto *v = ni.attr("value_floats")) {
          t.set_data_type(onnx::TensorProto::FLOAT);
          t.add_dims(v->floats_size());
          for (float f : v->floats())
            t.add_float_data(f);
        } else if (const auto *v = ni.attr("value_int")) {
          t.set_data_type(onnx::TensorProto::INT64);
          t.add_int64_data(v->i());
        } else if (const auto *v = ni.attr("value_ints")) {
          t.set_data_type(onnx::TensorProto::INT64);
          t.add_dims(v->ints_size());
          for (int64_t i : v->ints())
            t.add_int64_data(i);
        } else {
          (void)ni.fail("only the value, value_float(s) and value_int(s) forms "
                        "of Constant are supported");
          continue;
        }
        std::string err;
        auto attr = tensors.import(t, err);
        if (failed(attr)) {
          (void)ni.fail(err);
          continue;
        }
        ni.setOutput(0, dl::ConstantOp::create(state.builder, loc, *attr));
        continue;
      }
      bool inputsReady = true;
      for (int i = 0; i < node.input_size(); ++i)
        if (!node.input(i).empty() && !state.values.count(node.input(i))) {
          inputsReady = false;
          // Only a dangling name is this node's fault; a value an earlier
          // failing node should have produced was already reported.
          bool producedByFailedNode = false;
          for (const auto &prev : graph.node())
            for (const auto &out : prev.output())
              producedByFailedNode |= out == node.input(i);
          if (!producedByFailedNode)
            (void)ni.fail("input '" + node.input(i) + "' is not defined");
        }
      if (!inputsReady)
        continue;
      if (failed(checkUnsignedSupport(ni)))
        continue;
      if (const OpImportFn *import =
              registry().lookup(registryKey(node), ni.opset()))
        (void)(*import)(ni);
      else
        (void)ni.fail("op is not supported at this opset");
    }
    return success(state.errors.size() == errorsBefore);
  };
  state.importNodes = importNodes;
  (void)importNodes(graph);
  if (!state.errors.empty()) {
    for (const auto &e : state.errors)
      error(e);
    return {};
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    Value v = state.values.lookup(out.name());
    if (!v) {
      error("graph output '" + out.name() + "' is not produced by any node");
      return {};
    }
    // A declared shape is a promise of the model: one that contradicts
    // what its nodes compute is an error, not silently ignored.
    auto type = cast<RankedTensorType>(v.getType());
    if (out.type().has_tensor_type() && out.type().tensor_type().has_shape()) {
      const auto &declared = out.type().tensor_type().shape();
      bool conflict = declared.dim_size() != type.getRank();
      for (int i = 0; !conflict && i < declared.dim_size(); ++i)
        conflict = declared.dim(i).has_dim_value() && !type.isDynamicDim(i) &&
                   declared.dim(i).dim_value() != type.getDimSize(i);
      if (conflict) {
        SmallVector<int64_t> want;
        for (const auto &d : declared.dim())
          want.push_back(d.has_dim_value() ? d.dim_value()
                                           : ShapedType::kDynamic);
        std::string producer = "its producer";
        for (const auto &[index, node] : llvm::enumerate(graph.node()))
          if (llvm::is_contained(node.output(), out.name()))
            producer = "node '" +
                       (node.name().empty()
                            ? node.op_type() + "_" + std::to_string(index)
                            : node.name()) +
                       "'";
        error("graph output '" + out.name() + "' is declared with shape " +
              dl::shapeToString(want) + " but " + producer + " computes " +
              dl::shapeToString(type.getShape()));
        return {};
      }
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(state.builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, dl::kNameAttr, builder.getStringAttr(out.name()));
    if (isUnsignedType(onnxTypes.lookup(out.name())))
      func.setResultAttr(i, dl::kUnsignedAttr, builder.getUnitAttr());
  }

  if (failed(verify(*module))) {
    error("the imported IR does not verify (a bug in dlc's importer)");
    return {};
  }
  if (options.verbose)
    log << "dlc: imported " << graph.node_size() << " nodes, "
        << graph.initializer_size() << " initializers in "
        << llvm::format("%.1f", msSince(start)) << " ms\n";
  return module;
}

OwningOpRef<ModuleOp> ModelImporter::run(StringRef bytes, StringRef name,
                                         StringRef modelDir) {
  context.loadDialect<dl::DLDialect, func::FuncDialect>();
  this->modelDir = modelDir.str();
  if (failed(load(bytes, name)))
    return {};
  return importGraph(modelDir);
}

OwningOpRef<ModuleOp> dlc::onnx_frontend::importModelBytes(
    MLIRContext &context, StringRef bytes, StringRef name,
    const ImportOptions &options, llvm::raw_ostream &errors,
    llvm::raw_ostream &log) {
  ModelImporter importer(context, options, errors, log);
  return importer.run(bytes, name, ".");
}

OwningOpRef<ModuleOp> dlc::onnx_frontend::importModelFile(
    MLIRContext &context, const std::string &path, const ImportOptions &options,
    llvm::raw_ostream &errors, llvm::raw_ostream &log) {
  auto buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buffer) {
    errors << "error: cannot read '" << path
           << "': " << buffer.getError().message() << "\n";
    return {};
  }
  SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  ModelImporter importer(context, options, errors, log);
  importer.setModelPath(path);
  return importer.run((*buffer)->getBuffer(), path, dir);
}
