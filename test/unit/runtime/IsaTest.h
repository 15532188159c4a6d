//===- IsaTest.h - runtime kernel tests run once per microkernel ISA -----===//
//
// The fixture GemmTest, ConvTest and QConvTest share: the test's parameter
// names the ISA (dlc_internal_gemm_set_isa: "avx512", "avx2", "generic"),
// skipped where this CPU lacks it; afterwards the best ISA and the default
// thread count are restored.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TEST_UNIT_RUNTIME_ISATEST_H
#define DLC_TEST_UNIT_RUNTIME_ISATEST_H

#include "dlc/runtime.h"
#include "internal.h"

#include <gtest/gtest.h>

#include <string>

class IsaTest : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    if (!dlc_internal_gemm_set_isa(GetParam().c_str()))
      GTEST_SKIP() << "this CPU has no " << GetParam();
  }
  void TearDown() override {
    dlc_set_num_threads(0);
    dlc_internal_gemm_set_isa("avx512") || dlc_internal_gemm_set_isa("avx2") ||
        dlc_internal_gemm_set_isa("generic");
  }
};

#endif // DLC_TEST_UNIT_RUNTIME_ISATEST_H
