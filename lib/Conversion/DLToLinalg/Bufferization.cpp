//===- Bufferization.cpp - dl ops that one-shot bufferization meets -------===//
//
// dl-to-linalg lowers every dl op but dl.recompute_barrier, which must keep
// gradient checkpointing's clones apart from the originals until buffers
// exist (CSE would merge two equal linalg ops on tensors). Bufferization
// forwards each input's buffer, like tensor.cast, and the barrier is gone.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

struct RecomputeBarrierBufferization
    : public BufferizableOpInterface::ExternalModel<
          RecomputeBarrierBufferization, dlc::dl::RecomputeBarrierOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return false;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return false;
  }
  AliasingValueList getAliasingValues(Operation *op, OpOperand &operand,
                                      const AnalysisState &) const {
    auto barrier = cast<dlc::dl::RecomputeBarrierOp>(op);
    unsigned i = operand.getOperandNumber();
    if (i >= barrier.getInputs().size())
      return {}; // an `after` operand: an ordering, no data
    return {{op->getResult(i), BufferRelation::Equivalent}};
  }
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto barrier = cast<dlc::dl::RecomputeBarrierOp>(op);
    SmallVector<Value> buffers;
    for (Value input : barrier.getInputs()) {
      FailureOr<Value> buffer = getBuffer(rewriter, input, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    replaceOpWithBufferizedValues(rewriter, op, buffers);
    return success();
  }
};

} // namespace

void dlc::registerDLBufferizationInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, dl::DLDialect *) {
    dl::RecomputeBarrierOp::attachInterface<RecomputeBarrierBufferization>(
        *ctx);
  });
}
