//===- AsanDefaults.cpp - AddressSanitizer defaults of the sanitizer build ===//
//
// Linked into every executable of a DLC_SANITIZE=address build (see the top
// CMakeLists.txt). dlc's code is instrumented and LLVM/MLIR are not, so the
// inline parts of llvm::BumpPtrAllocator exist twice: the instrumented copy
// poisons a new slab and unpoisons what it hands out, the library's copy
// hands out from the same slab without unpoisoning. ASan then reports
// MLIR's own writes to its storage uniquer as use-after-poison. Manual
// poisoning is turned off.
//
// An allocation too large for the machine returns null, as it does without
// ASan, so the generated code's DLC_STATUS_OUT_OF_MEMORY path is what runs
// (ASan's default is to abort). ASAN_OPTIONS still overrides both.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0:allocator_may_return_null=1";
}
