//===- ContractFMA.cpp - FMA contraction in kernels -----------------------===//
//
// dl-gpu-contract-fma (see GPUPasses.td).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPUCONTRACTFMA
#define GEN_PASS_DEF_DLGPUNATIVEMATH
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct ContractFMAPass
    : public dlc::impl::DLGPUContractFMABase<ContractFMAPass> {
  void runOnOperation() override {
    getOperation().walk([](arith::ArithFastMathInterface op) {
      // Only arith: a flagged math op (math.fma) would become a libdevice
      // call (__nv_fmaf) instead of an instruction, and libdevice is a CUDA
      // toolkit file dlc does not link.
      if (!isa<arith::ArithDialect>(op->getDialect()))
        return;
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

struct NativeMathPass : public dlc::impl::DLGPUNativeMathBase<NativeMathPass> {
  void runOnOperation() override {
    SmallVector<LLVM::CallOp> calls;
    getOperation().walk([&](LLVM::CallOp call) {
      if (auto callee = call.getCallee();
          callee && callee->starts_with("__nv_"))
        calls.push_back(call);
    });
    bool failedAny = false;
    for (LLVM::CallOp call : calls) {
      StringRef name = *call.getCallee();
      name = name.drop_front(5);
      // f32 functions end in 'f'; the f64 ones have the bare name.
      if (call.getNumResults() == 1 && call.getResult().getType().isF32() &&
          name.ends_with("f"))
        name = name.drop_back();
      OpBuilder b(call);
      Location loc = call.getLoc();
      ValueRange args = call.getArgOperands();
      Type type = call.getNumResults() ? call.getResult().getType() : Type();
      Value native;
      if (name == "fma" && args.size() == 3)
        native = LLVM::FMAOp::create(b, loc, type, args[0], args[1], args[2]);
      else if (name == "floor" && args.size() == 1)
        native = LLVM::FFloorOp::create(b, loc, type, args[0]);
      else if (name == "ceil" && args.size() == 1)
        native = LLVM::FCeilOp::create(b, loc, type, args[0]);
      else if (name == "trunc" && args.size() == 1)
        native = LLVM::FTruncOp::create(b, loc, type, args[0]);
      else if (name == "rint" && args.size() == 1)
        native = LLVM::RoundEvenOp::create(b, loc, type, args[0]);
      else if (name == "sqrt" && args.size() == 1)
        native = LLVM::SqrtOp::create(b, loc, type, args[0]);
      else if (name == "rsqrt" && args.size() == 1)
        native = LLVM::FDivOp::create(
            b, loc,
            LLVM::ConstantOp::create(b, loc, type, b.getFloatAttr(type, 1.0)),
            LLVM::SqrtOp::create(b, loc, type, args[0]));
      else if (name == "fabs" && args.size() == 1)
        native = LLVM::FAbsOp::create(b, loc, type, args[0]);
      else if (name == "fmin" && args.size() == 2)
        native = LLVM::MinNumOp::create(b, loc, type, args[0], args[1]);
      else if (name == "fmax" && args.size() == 2)
        native = LLVM::MaxNumOp::create(b, loc, type, args[0], args[1]);
      else if (name == "fmod" && args.size() == 2)
        native = LLVM::FRemOp::create(b, loc, type, args[0], args[1]);
      else if (name == "copysign" && args.size() == 2)
        native = LLVM::CopySignOp::create(b, loc, type, args[0], args[1]);
      if (!native) {
        call.emitError("for --target=cuda this needs ")
            << *call.getCallee()
            << " from libdevice, a CUDA toolkit file dlc does not link";
        failedAny = true;
        continue;
      }
      call.getResult().replaceAllUsesWith(native);
      call.erase();
    }
    if (failedAny)
      return signalPassFailure();
    // The declarations nothing calls any more.
    SmallVector<LLVM::LLVMFuncOp> unused;
    getOperation().walk([&](LLVM::LLVMFuncOp f) {
      if (f.isExternal() && f.getName().starts_with("__nv_") &&
          SymbolTable::symbolKnownUseEmpty(f, getOperation()))
        unused.push_back(f);
    });
    for (LLVM::LLVMFuncOp f : unused)
      f.erase();
  }
};

} // namespace
