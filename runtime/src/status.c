/*===- status.c - Status messages and the per-thread last error ----------===*/

#include "dlc/runtime.h"

#include <stdarg.h>
#include <stdio.h>

/* Fixed size so recording an error never allocates (it may report an
 * out-of-memory condition). */
#define DLC_ERROR_CAPACITY 512

static _Thread_local char lastError[DLC_ERROR_CAPACITY];
static _Thread_local dlc_status lastErrorCode = DLC_STATUS_OK;

const char *dlc_status_message(dlc_status status) {
  switch (status) {
  case DLC_STATUS_OK:
    return "ok";
  case DLC_STATUS_INVALID_ARGUMENT:
    return "invalid argument";
  case DLC_STATUS_OUT_OF_MEMORY:
    return "out of memory";
  case DLC_STATUS_SHAPE_MISMATCH:
    return "shape mismatch";
  case DLC_STATUS_DTYPE_MISMATCH:
    return "dtype mismatch";
  case DLC_STATUS_IO_ERROR:
    return "I/O error";
  case DLC_STATUS_UNSUPPORTED:
    return "unsupported";
  case DLC_STATUS_RUNTIME_ERROR:
    return "runtime error";
  }
  return "unknown status";
}

const char *dlc_last_error(void) { return lastError; }

dlc_status dlc_last_error_code(void) { return lastErrorCode; }

dlc_status dlc_set_error(dlc_status status, const char *format, ...) {
  lastErrorCode = status;
  if (!format) {
    snprintf(lastError, sizeof(lastError), "%s", dlc_status_message(status));
    return status;
  }
  va_list args;
  va_start(args, format);
  int written = vsnprintf(lastError, sizeof(lastError), format, args);
  va_end(args);
  if (written < 0)
    snprintf(lastError, sizeof(lastError), "%s", dlc_status_message(status));
  return status;
}

void dlc_clear_error(void) {
  lastErrorCode = DLC_STATUS_OK;
  lastError[0] = '\0';
}
