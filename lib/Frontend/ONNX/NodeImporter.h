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
#include <map>
#include <set>

namespace dlc::onnx_frontend {

class NodeImporter;
bool isUnsignedType(int32_t onnxType);
using OpImportFn = std::function<mlir::LogicalResult(NodeImporter &)>;

/// The import functions by registry key (see registryKey) and the opset
/// version they take effect at: a node of opset N is read by the handler of
/// the greatest since-version <= N, so an op whose meaning changed has one
/// handler per meaning instead of version checks inside one.
class OpRegistry {
public:
  /// The handler of `key` from opset `sinceVersion` on.
  OpImportFn &operator()(llvm::StringRef key, int64_t sinceVersion) {
    return handlers[key][sinceVersion];
  }
  /// The handler of `key` at every opset.
  OpImportFn &operator[](llvm::StringRef key) { return (*this)(key, 1); }

  bool contains(llvm::StringRef key) const { return handlers.contains(key); }
  /// The handler for a node of `key` read at opset `version`, or null.
  const OpImportFn *lookup(llvm::StringRef key, int64_t version) const {
    auto it = handlers.find(key);
    if (it == handlers.end())
      return nullptr;
    auto v = it->second.upper_bound(version);
    if (v == it->second.begin())
      return nullptr;
    return &std::prev(v)->second;
  }

private:
  llvm::StringMap<std::map<int64_t, OpImportFn>> handlers;
};

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
  /// Nodes the version converter passed through unchanged although their
  /// meaning changed (Softmax, LogSoftmax, Hardmax before opset 13), by
  /// first output: the opset they are read at.
  std::map<std::string, int64_t> legacyNodeOpsets;
  /// The ONNX element types of the values whose type is known, by name.
  llvm::StringMap<int32_t> onnxTypes;
  /// The model's opset_import versions of the other domains.
  llvm::StringMap<int64_t> domainVersions;
  /// Keep ops on float initializers unfolded (training: the initializers
  /// are the parameters).
  bool keepWeights = false;
  /// Imports the nodes of a subgraph (If, Loop and Scan bodies) at the
  /// builder's insertion point; they see the values of the enclosing
  /// graphs through `values`. Set by the model importer.
  std::function<mlir::LogicalResult(const onnx::GraphProto &)> importNodes =
      nullptr;
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
      : node(node), state(state), loc(loc), b(state.builder),
        version(readVersion(node, state)) {}

  const onnx::NodeProto &node;
  GraphState &state;
  mlir::Location loc;
  mlir::OpBuilder &b;
  /// The node's name, or OpType_index for an unnamed node.
  std::string displayName;

  /// The opset the node is read at: the graph's, or the one a legacy node
  /// was written for.
  int64_t opset() const { return version; }
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
  /// Whether input `i` is of an unsigned ONNX type (dl integers are
  /// signless).
  bool inputUnsigned(unsigned i) const {
    return hasInput(i) && isUnsignedType(state.onnxTypes.lookup(node.input(i)));
  }

  /// Attributes with defaults.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name) != nullptr; }
  int64_t intAttr(llvm::StringRef name, int64_t dflt) const;
  double floatAttr(llvm::StringRef name, double dflt) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<llvm::SmallVector<int64_t>>
  intsAttr(llvm::StringRef name) const;
  std::optional<llvm::SmallVector<double>>
  floatsAttr(llvm::StringRef name) const;

  /// The elements of input `i` when it is a constant (an initializer, a
  /// Constant node or a folded subgraph).
  std::optional<llvm::SmallVector<int64_t>> constantInts(unsigned i) const;
  std::optional<llvm::SmallVector<double>> constantFloats(unsigned i) const;

  /// Creates a dl op of class `OpTy` from the arguments of its ODS builder
  /// that follow the result types (`create<dl::AddOp>(lhs, rhs)`). The
  /// result type comes from the op's shape inference; the op is verified and
  /// folded. On failure (a null operand, a type that cannot be inferred, a
  /// verifier error) the op is erased and the node's error recorded.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> create(Args &&...args) {
    return first(
        createAll<OpTy>(numResultsOf<OpTy>(), std::forward<Args>(args)...));
  }

  /// create with the result type given instead of inferred (casts, and ops
  /// whose result shape the operands alone do not fix).
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> createTyped(mlir::Type resultType,
                                           Args &&...args) {
    mlir::OperationState opState(loc, OpTy::getOperationName());
    OpTy::build(b, opState, mlir::TypeRange(resultType),
                std::forward<Args>(args)...);
    return first(finish(opState, /*inferResultTypes=*/false));
  }

  /// All results of a multi-result op; `numResults` of a variadic one.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> createAll(unsigned numResults,
                                                            Args &&...args) {
    // Placeholder types let the builder run without inferring: the
    // generated inferring builders abort on a type they cannot infer, where
    // the importer reports the node instead.
    llvm::SmallVector<mlir::Type> placeholders(numResults, b.getNoneType());
    mlir::OperationState opState(loc, OpTy::getOperationName());
    OpTy::build(b, opState, mlir::TypeRange(placeholders),
                std::forward<Args>(args)...);
    return finish(opState, /*inferResultTypes=*/true);
  }

  /// A dl.constant of `values` with the given type.
  mlir::Value constant(mlir::DenseElementsAttr values);
  mlir::Value constantI64(llvm::ArrayRef<int64_t> values);
  /// A scalar-like constant of `elementType` broadcastable to anything.
  mlir::Value scalar(double value, mlir::Type elementType);

  void setOutput(unsigned i, mlir::Value v);
  /// Sets output `i` from a create result; passes a failure through.
  mlir::LogicalResult output(mlir::FailureOr<mlir::Value> v, unsigned i = 0) {
    if (mlir::failed(v))
      return mlir::failure();
    setOutput(i, *v);
    return mlir::success();
  }

  /// Records "node 'NAME' (OP, opset N): MESSAGE" and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &message);

  /// Attribute helpers for the builders' optional attributes.
  mlir::DenseI64ArrayAttr i64s(llvm::ArrayRef<int64_t> v) {
    return b.getDenseI64ArrayAttr(v);
  }

private:
  /// The fixed result count of `OpTy` (variadic ones go through createAll).
  template <typename OpTy> static constexpr unsigned numResultsOf() {
    if constexpr (OpTy::template hasTrait<mlir::OpTrait::OneResult>())
      return 1;
    else if constexpr (OpTy::template hasTrait<
                           mlir::OpTrait::NResults<2>::Impl>())
      return 2;
    else if constexpr (OpTy::template hasTrait<
                           mlir::OpTrait::NResults<3>::Impl>())
      return 3;
    else
      static_assert(sizeof(OpTy) == 0, "give the result count to createAll");
  }

  static int64_t readVersion(const onnx::NodeProto &node,
                             const GraphState &state) {
    if (!isDefaultDomain(node.domain()))
      return state.domainVersions.lookup(node.domain());
    if (node.output_size() > 0)
      if (auto it = state.legacyNodeOpsets.find(node.output(0));
          it != state.legacyNodeOpsets.end())
        return it->second;
    return state.opset;
  }

  static mlir::FailureOr<mlir::Value>
  first(mlir::FailureOr<llvm::SmallVector<mlir::Value>> results) {
    if (mlir::failed(results))
      return mlir::failure();
    return (*results)[0];
  }

  /// Creates the op `opState` describes: infers its result types unless
  /// given, verifies and folds it.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  finish(mlir::OperationState &opState, bool inferResultTypes);

  int64_t version;
};

/// Builds a chain of dl ops for one node, remembering the first failure so
/// a long formula reads as arithmetic; every value is null after one.
struct OpChain {
  NodeImporter &n;
  bool failed = false;

  template <typename OpTy, typename... Args> mlir::Value make(Args &&...args) {
    if (failed)
      return mlir::Value();
    auto v = n.create<OpTy>(std::forward<Args>(args)...);
    if (mlir::failed(v)) {
      failed = true;
      return mlir::Value();
    }
    return *v;
  }
  template <typename OpTy, typename... Args>
  mlir::Value makeTyped(mlir::Type type, Args &&...args) {
    if (failed)
      return mlir::Value();
    auto v = n.createTyped<OpTy>(type, std::forward<Args>(args)...);
    if (mlir::failed(v)) {
      failed = true;
      return mlir::Value();
    }
    return *v;
  }
  mlir::Value add(mlir::Value a, mlir::Value b) {
    return make<dl::AddOp>(a, b);
  }
  mlir::Value sub(mlir::Value a, mlir::Value b) {
    return make<dl::SubOp>(a, b);
  }
  mlir::Value mul(mlir::Value a, mlir::Value b) {
    return make<dl::MulOp>(a, b);
  }
  mlir::Value div(mlir::Value a, mlir::Value b) {
    return make<dl::DivOp>(a, b);
  }
  mlir::Value min(mlir::Value a, mlir::Value b) {
    return make<dl::MinOp>(a, b);
  }
  mlir::Value max(mlir::Value a, mlir::Value b) {
    return make<dl::MaxOp>(a, b);
  }
  mlir::Value floor(mlir::Value a) { return make<dl::FloorOp>(a); }
  mlir::Value c(double v, mlir::Type et) { return n.scalar(v, et); }
  mlir::Value clamp(mlir::Value a, double lo, double hi) {
    mlir::Type et =
        failed
            ? mlir::Type()
            : mlir::cast<mlir::RankedTensorType>(a.getType()).getElementType();
    if (failed)
      return mlir::Value();
    return min(max(a, c(lo, et)), c(hi, et));
  }
};

/// Maps an ONNX TensorProto data type to an MLIR element type, or null.
mlir::Type convertElementType(mlir::MLIRContext *ctx, int32_t onnxType);
/// Whether an ONNX TensorProto data type is an unsigned integer.
bool isUnsignedType(int32_t onnxType);

/// Explicit pads for a windowed op from ONNX's auto_pad / pads attributes:
/// [begin..., end...]. SAME_* needs static spatial input dims.
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolvePads(NodeImporter &n, mlir::RankedTensorType input,
            llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
            llvm::ArrayRef<int64_t> dilations);

/// A forward Conv of `x` and `w` (and `bias`, may be null) with the node's
/// window attributes (Conv, ConvInteger, QLinearConv).
mlir::FailureOr<mlir::Value> importConvOn(NodeImporter &n, mlir::Value x,
                                          mlir::Value w, mlir::Value bias);
/// dl.conv_integer of `x` and `w` with zero points `xz`, `wz` and the
/// node's window attributes (ConvInteger, QLinearConv).
mlir::FailureOr<mlir::Value> importConvIntegerOn(NodeImporter &n, mlir::Value x,
                                                 mlir::Value w, mlir::Value xz,
                                                 mlir::Value wz, bool xUnsigned,
                                                 bool wUnsigned);

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
void registerLossOps(OpRegistry &registry);
void registerScatterGatherOps(OpRegistry &registry);
void registerSignalOps(OpRegistry &registry);
void registerRecurrentOps(OpRegistry &registry);
void registerControlFlowOps(OpRegistry &registry);

} // namespace dlc::onnx_frontend

#endif // DLC_LIB_FRONTEND_ONNX_NODEIMPORTER_H
