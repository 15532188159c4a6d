//===- Passes.td - dl conversion passes --------------------*- tablegen -*-===//

#ifndef DLC_CONVERSION_PASSES_TD
#define DLC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Backend contract
//===----------------------------------------------------------------------===//

def DLVerifyBackendContract : Pass<"dl-verify-backend-contract",
                                   "::mlir::ModuleOp"> {
  let summary = "Check that every dl op can be lowered, before lowering";
  let description = [{
    Fails on the first dl op that `dl-to-linalg` has no lowering for (or whose
    operands it cannot take), naming the op and its location (the ONNX node),
    so a model fails with a clear message instead of deep in code generation.
  }];
}

//===----------------------------------------------------------------------===//
// dl to linalg
//===----------------------------------------------------------------------===//

def DLToLinalg : Pass<"dl-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower dl ops to linalg, tensor, arith and math";
  let description = [{
    Named linalg ops where they exist (matmul, batch_matmul, transpose,
    reduce, fill), linalg.generic otherwise. Elementwise ops broadcast with
    indexing maps; a dynamic dim is taken to be the same on every operand that
    has it (never broadcast from 1 at run time), which a cf.assert checks.
  }];
  let dependentDialects = [
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
  ];
}

//===----------------------------------------------------------------------===//
// linalg for the CPU
//===----------------------------------------------------------------------===//

def DLInterchangeReductions : Pass<"dl-interchange-reductions",
                                   "::mlir::ModuleOp"> {
  let summary = "Move reduction loops outside the innermost parallel loop";
  let description = [{
    For every linalg.generic whose innermost loop is a reduction: iterate the
    parallel loops but the last, then the reductions, then the last parallel
    loop. Matmul becomes (m, k, n) and conv puts the output width innermost,
    so the innermost loop walks contiguous rows that LLVM vectorizes.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DLFuseElementwise : Pass<"dl-fuse-elementwise", "::mlir::ModuleOp"> {
  let summary = "Elementwise fusion of linalg generics, minus data movement "
                "into contractions";
  let description = [{
    linalg-fuse-elementwise-ops (producer-into-consumer fusion of parallel
    generics, reshape propagation by expansion, constant folding), except
    that a producer which only moves data (a copy, transpose, broadcast or
    im2col generic, or a reshape) is not fused into a consumer with a
    reduction loop: inside a contraction it would turn the contiguous rows
    the vectorizer wants into strided gathers.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

#endif // DLC_CONVERSION_PASSES_TD
