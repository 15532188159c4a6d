//===- Passes.td - dl passes -------------------------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_PASSES_TD
#define DLC_DIALECT_DL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Shape inference
//===----------------------------------------------------------------------===//

def DLShapeInference : Pass<"dl-shape-inference"> {
  let summary = "Refine dl result types from their operands";
  let description = [{
    Re-infers the result type of every dl op, in order, and replaces a result
    type by the inferred one where that is more precise (a dynamic dim becomes
    static). dl users re-infer from the refined type; any other user (a call,
    an op of another dialect) gets a `tensor.cast` back to the type it had,
    so the IR stays valid. With `refine-function-results`, a function that no
    call in the module uses gets the refined types as its results; otherwise
    `func.return` gets casts too.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"refineFunctionResults", "refine-function-results", "bool",
           /*default=*/"true",
           "Update func.func result types to the refined return types">,
  ];
  let statistics = [
    Statistic<"numRefined", "num-refined", "Number of results refined">,
  ];
}

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

def DLAutodiff : Pass<"dl-autodiff", "::mlir::ModuleOp"> {
  let summary = "Build reverse-mode gradient functions";
  let description = [{
    For each function named in `functions`, adds `NAME_grad(args...,
    result cotangents...) -> (results..., gradient of each float argument)`:
    the forward ops, then a reverse sweep that calls each op's
    GradientOpInterface rule and sums the contributions of values used more
    than once. Only gradients that reach an argument are built. An op on the
    path without a rule is an error naming it.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "Functions to differentiate">,
  ];
}

#endif // DLC_DIALECT_DL_TRANSFORMS_PASSES_TD
