/*===- version.c - Runtime version queries -------------------------------===*/

#include "dlc/runtime.h"

const char *dlc_runtime_version(void) { return DLC_RUNTIME_VERSION; }

int32_t dlc_runtime_abi_version(void) { return DLC_RUNTIME_ABI_VERSION; }
