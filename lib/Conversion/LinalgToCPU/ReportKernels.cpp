//===- ReportKernels.cpp - kernels and the ONNX nodes fused into each -----===//
//
// What fusion achieved, per function: the loop nests and runtime kernel
// calls (GEMM, conv, depthwise conv, max pool) the model runs, each with the
// ONNX nodes it computes. Elementwise fusion inlines the producers' bodies into
// the consumer's body with their own locations, and the GEMM epilogue's call
// carries the locations of the consumer it absorbed, so the nodes of a kernel
// are the node locations found in the op and its body.
//
//===----------------------------------------------------------------------===//

#include "MicrokernelUtils.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/NodeLocation.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace dlc {
#define GEN_PASS_DEF_DLREPORTKERNELS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Node descriptions in first-seen order, without repeats.
struct NodeList {
  std::vector<std::string> order;
  llvm::StringSet<> seen;
  void insert(std::string node) {
    if (seen.insert(node).second)
      order.push_back(std::move(node));
  }
};

/// Adds the nodes of `loc` ("NAME (OpType)") to `nodes`.
void collectNodes(Location loc, NodeList &nodes) {
  SmallVector<std::string> names;
  dlc::dl::appendNodeNames(loc, names);
  for (std::string &name : names)
    nodes.insert(std::move(name));
}

bool isKernel(Operation *op) {
  // A row kernel (softmax, layer norm) is one scf.forall over rows.
  return isa<linalg::LinalgOp, scf::ForallOp>(op) ||
         dlc::cpu::isRuntimeKernelCall(op);
}

struct ReportKernelsPass
    : public dlc::impl::DLReportKernelsBase<ReportKernelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    // One write per function: functions are reported from parallel
    // threads, and their lines must not interleave.
    std::string text;
    llvm::raw_string_ostream os(text);
    int64_t kernels = 0, calls = 0, fusing = 0;
    NodeList allNodes;
    // The kernels each dl-fuse group became.
    llvm::MapVector<Attribute, SmallVector<int64_t>> groupKernels;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!isKernel(op))
        return WalkResult::advance();
      NodeList nodes;
      op->walk([&](Operation *inner) { collectNodes(inner->getLoc(), nodes); });
      if (Attribute group = dlc::dl::fusionGroup(op->getLoc()))
        groupKernels[group].push_back(kernels);
      bool call = isa<func::CallOp>(op);
      bool looped = op->getParentOp() != func.getOperation();
      os << "dl-report-kernels: @" << func.getName() << ": kernel " << kernels
         << ": "
         << (call ? cast<func::CallOp>(op).getCallee()
                  : op->getName().getStringRef())
         << (looped ? " (in a loop)" : "") << ": ";
      if (nodes.order.empty())
        os << "(no ONNX node)";
      llvm::interleaveComma(nodes.order, os);
      os << "\n";
      ++kernels;
      calls += call;
      fusing += nodes.order.size() > 1;
      for (std::string &node : nodes.order)
        allNodes.insert(node);
      return WalkResult::skip();
    });
    os << "dl-report-kernels: @" << func.getName() << ": " << kernels
       << " kernels (" << calls << " runtime kernel calls, " << kernels - calls
       << " loop nests) for " << allNodes.order.size() << " ONNX nodes; "
       << fusing << " kernels fuse several nodes\n";
    // What dl-fuse meant as one kernel and became several.
    int64_t split = 0;
    for (auto &[group, indices] : groupKernels) {
      if (indices.size() < 2)
        continue;
      ++split;
      os << "dl-report-kernels: @" << func.getName()
         << ": one dl-fuse group is kernels ";
      llvm::interleaveComma(indices, os);
      os << "\n";
    }
    if (!groupKernels.empty())
      os << "dl-report-kernels: @" << func.getName() << ": "
         << groupKernels.size() << " dl-fuse groups, " << split
         << " of them several kernels\n";
    dlc::writeReport(text);
  }
};

} // namespace
