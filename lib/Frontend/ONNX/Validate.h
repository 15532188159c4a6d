//===- Validate.h - checks before the ONNX library sees a model -*- C++ -*-===//
//
// The ONNX library's shape inference and version converter crash (SIGFPE,
// SIGSEGV, CHECK aborts) on some models its checker lets through, and the
// checker is skipped for models newer than the library. These checks run on
// every model first: node arity and attribute types against the op's schema
// (the one place every importer's arity is checked, so no importer sees a
// missing required input), attribute ranges of windowed ops, unique value
// names, graph outputs that something produces, and tensor dims.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_FRONTEND_ONNX_VALIDATE_H
#define DLC_LIB_FRONTEND_ONNX_VALIDATE_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace dlc::onnx_frontend {

/// Checks `model` (default-domain opset `opset`, other domains at
/// `domainVersions`) and appends one message per problem to `errors`, each
/// naming the node, tensor or value. `strict`: the ONNX library knows the
/// model's opset, so inputs, outputs and attributes beyond the schema's are
/// errors too (a newer opset may have added them).
void validateModel(const onnx::ModelProto &model, int64_t opset,
                   const llvm::StringMap<int64_t> &domainVersions, bool strict,
                   std::vector<std::string> &errors);

/// Wraps the ONNX library's shape inference of every default-domain op with
/// checks on the inferred input types: windowed ops' (convs, pools) input
/// and weight ranks, and an 'axis' attribute's range. The library indexes
/// dims of a rank-1 weight, or at axis -16777217, without looking, and the
/// ranks of intermediate values are unknown to validateModel. Call before the
/// library infers shapes or converts versions; idempotent and thread-safe.
void guardLibraryShapeInference();

/// For ONNX text the library's parser could not convert: the first numeric
/// literal that does not fit its type, as "line L, column C: ...", or empty.
std::string findBadNumericLiteral(llvm::StringRef text);

/// Largest element count of a tensor dlc accepts (2^40): more than any
/// machine holds, and far from int64 overflow in byte sizes.
inline constexpr int64_t kMaxElements = int64_t(1) << 40;

} // namespace dlc::onnx_frontend

#endif // DLC_LIB_FRONTEND_ONNX_VALIDATE_H
