//===- NodeImporter.h - what an ONNX op importer sees -----------*- C++ -*-===//
//
// Each ONNX op family file registers functions that turn one NodeProto into
// dl ops through a NodeImporter: inputs as SSA values, attributes with their
// defaults, constant inputs as numbers, and error reporting that names the
// node.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_FRONTEND_ONNX_NODEIMPORTER_H
#define DLC_LIB_FRONTEND_ONNX_NODEIMPORTER_H

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <functional>
#include <set>

namespace dlc::onnx_frontend {

class NodeImporter;
using OpImportFn = std::function<mlir::LogicalResult(NodeImporter &)>;
using OpRegistry = llvm::StringMap<OpImportFn>;

/// State shared by all nodes of one graph.
struct GraphState {
  mlir::MLIRContext *context;
  mlir::OpBuilder builder;
  llvm::StringMap<mlir::Value> values;
  int64_t opset;
  std::vector<std::string> errors;
  /// The model's opset before version conversion (0: not converted).
  int64_t originalOpset = 0;
  /// Outputs of Resize/Upsample nodes from opset < 11 models.
  std::set<std::string> legacyResizeOutputs;
  /// The model's opset_import versions of the other domains.
  llvm::StringMap<int64_t> domainVersions;
  /// Keep ops on float initializers unfolded (training: the initializers
  /// are the parameters).
  bool keepWeights = false;
};

/// The domain of ONNX's training operators (Adagrad, Adam, Momentum).
inline constexpr llvm::StringLiteral kPreviewTrainingDomain =
    "ai.onnx.preview.training";

/// Whether `domain` names the default ONNX domain.
inline bool isDefaultDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// The registry key of a node: its op type, prefixed with "DOMAIN::" outside
/// the default domain.
inline std::string registryKey(const onnx::NodeProto &node) {
  if (isDefaultDomain(node.domain()))
    return node.op_type();
  return node.domain() + "::" + node.op_type();
}

class NodeImporter {
public:
  NodeImporter(const onnx::NodeProto &node, GraphState &state,
               mlir::Location loc)
      : node(node), state(state), loc(loc), b(state.builder) {}

  const onnx::NodeProto &node;
  GraphState &state;
  mlir::Location loc;
  mlir::OpBuilder &b;
  /// The node's name, or OpType_index for an unnamed node.
  std::string displayName;

  int64_t opset() const { return state.opset; }
  llvm::StringRef opType() const { return node.op_type(); }

  /// Inputs; an empty name is an omitted optional input.
  unsigned numInputs() const { return node.input_size(); }
  bool hasInput(unsigned i) const {
    return i < static_cast<unsigned>(node.input_size()) &&
           !node.input(i).empty();
  }
  mlir::Value input(unsigned i) const;
  mlir::RankedTensorType inputType(unsigned i) const {
    return mlir::cast<mlir::RankedTensorType>(input(i).getType());
  }
  unsigned numOutputs() const { return node.output_size(); }

  /// Attributes with defaults.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name) != nullptr; }
  int64_t intAttr(llvm::StringRef name, int64_t dflt) const;
  double floatAttr(llvm::StringRef name, double dflt) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<llvm::SmallVector<int64_t>> intsAttr(llvm::StringRef name) const;
  std::optional<llvm::SmallVector<double>> floatsAttr(llvm::StringRef name) const;

  /// The elements of input `i` when it is a constant (an initializer, a
  /// Constant node or a folded subgraph).
  std::optional<llvm::SmallVector<int64_t>> constantInts(unsigned i) const;
  std::optional<llvm::SmallVector<double>> constantFloats(unsigned i) const;

  /// Creates a dl op by name. Result types come from the op's shape
  /// inference unless `resultTypes` is given; the op is verified and folded.
  /// On failure the op is erased and the node's error recorded.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  create(llvm::StringRef opName, mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {},
         unsigned numResults = 1, mlir::TypeRange resultTypes = {});

  /// Single-result form of create.
  mlir::FailureOr<mlir::Value>
  create1(llvm::StringRef opName, mlir::ValueRange operands,
          llvm::ArrayRef<mlir::NamedAttribute> attrs = {},
          mlir::Type resultType = {});

  /// A dl.constant of `values` with the given type.
  mlir::Value constant(mlir::DenseElementsAttr values);
  mlir::Value constantI64(llvm::ArrayRef<int64_t> values);
  /// A scalar-like constant of `elementType` broadcastable to anything.
  mlir::Value scalar(double value, mlir::Type elementType);

  void setOutput(unsigned i, mlir::Value v);
  /// Sets output `i` from a create1 result; passes a failure through.
  mlir::LogicalResult output(mlir::FailureOr<mlir::Value> v, unsigned i = 0) {
    if (mlir::failed(v))
      return mlir::failure();
    setOutput(i, *v);
    return mlir::success();
  }

  /// Records "node 'NAME' (OP, opset N): MESSAGE" and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &message);

  /// Attribute helpers.
  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute a) {
    return b.getNamedAttr(name, a);
  }
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t v) {
    return named(name, b.getI64IntegerAttr(v));
  }
  mlir::NamedAttribute f64(llvm::StringRef name, double v) {
    return named(name, b.getF64FloatAttr(v));
  }
  mlir::NamedAttribute boolean(llvm::StringRef name, bool v) {
    return named(name, b.getBoolAttr(v));
  }
  mlir::NamedAttribute i64s(llvm::StringRef name, llvm::ArrayRef<int64_t> v) {
    return named(name, b.getDenseI64ArrayAttr(v));
  }
};

/// Maps an ONNX TensorProto data type to an MLIR element type, or null.
mlir::Type convertElementType(mlir::MLIRContext *ctx, int32_t onnxType);

/// Explicit pads for a windowed op from ONNX's auto_pad / pads attributes:
/// [begin..., end...]. SAME_* needs static spatial input dims.
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolvePads(NodeImporter &n, mlir::RankedTensorType input,
            llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
            llvm::ArrayRef<int64_t> dilations);

/// Op families, one file each.
void registerElementwiseOps(OpRegistry &registry);
void registerMathOps(OpRegistry &registry);
void registerConvOps(OpRegistry &registry);
void registerPoolOps(OpRegistry &registry);
void registerNormalizationOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);
void registerTensorOps(OpRegistry &registry);
void registerQuantizationOps(OpRegistry &registry);
void registerTrainingOps(OpRegistry &registry);

} // namespace dlc::onnx_frontend

#endif // DLC_LIB_FRONTEND_ONNX_NODEIMPORTER_H
