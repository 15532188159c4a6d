//===- Calibrate.h - calibration and the quantization report ----*- C++ -*-===//

#ifndef DLC_LIB_DRIVER_CALIBRATE_H
#define DLC_LIB_DRIVER_CALIBRATE_H

#include "dlc/Driver/Driver.h"

#include "mlir/IR/BuiltinOps.h"

namespace dlc::driver {

/// What `dlc --quantize` does before dl-quantize: with --quantize=static,
/// compiles the float `module` (its `main`) with every tensor that
/// dl-quantize needs a range of as an extra result, runs it on the input
/// sets of --calibration, and puts the ranges on the contractions
/// (dl.input_range, dl.output_range). With --report=quant, also compiles the
/// quantized model the same way and prints the SQNR of each layer and
/// output against the float model on the same sets. Returns an exit code;
/// errors (a missing or empty directory, a file that cannot be read or does
/// not fit the model) name the file.
int calibrate(mlir::ModuleOp module, const Options &options,
              llvm::raw_ostream &errs);

} // namespace dlc::driver

#endif // DLC_LIB_DRIVER_CALIBRATE_H
