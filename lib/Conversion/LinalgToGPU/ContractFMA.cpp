//===- ContractFMA.cpp - FMA contraction in kernels -----------------------===//
//
// dl-gpu-contract-fma (see GPUPasses.td).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPUCONTRACTFMA
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct ContractFMAPass
    : public dlc::impl::DLGPUContractFMABase<ContractFMAPass> {
  void runOnOperation() override {
    getOperation().walk([](arith::ArithFastMathInterface op) {
      arith::FastMathFlags flags = op.getFastMathFlagsAttr()
                                       ? op.getFastMathFlagsAttr().getValue()
                                       : arith::FastMathFlags::none;
      op->setAttr(
          op.getFastMathAttrName(),
          arith::FastMathFlagsAttr::get(
              op->getContext(), flags | arith::FastMathFlags::contract));
    });
  }
};

} // namespace
