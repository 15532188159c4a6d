/* The main() of executables built by `dlc --emit=exe`: reads the inputs
 * (.npy or ONNX TensorProto files), runs the model, prints or writes the
 * outputs, and with --bench N times N runs.
 *
 *   NAME INPUT... [-o DIR] [--format npy|pb] [--bench N]
 *
 * The model side is four symbols dlc generates for an executable. */
#define _POSIX_C_SOURCE 199309L
#include "tensor_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const char dlc_model_name[];
extern const int32_t dlc_model_num_inputs;
extern const int32_t dlc_model_num_outputs;
int32_t dlc_model_run(const dlc_tensor *inputs, dlc_tensor *outputs);
void dlc_model_release(dlc_tensor *outputs);
/* Present when the model was built with --weights=external. */
extern int32_t dlc_model_init(const char *path) __attribute__((weak));
extern const char dlc_model_weights_file[] __attribute__((weak));

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s INPUT... [-o DIR] [--format npy|pb] [--bench N]\n"
          "Runs %s on %d input(s) given as .npy or ONNX TensorProto (.pb)\n"
          "files; prints the outputs, or writes DIR/output_N.npy|.pb.\n",
          argv0, dlc_model_name, (int)dlc_model_num_inputs);
}

static void print_tensor(int index, const dlc_tensor *t) {
  printf("output %d: %s [", index, dlc_dtype_name(t->dtype));
  for (int32_t i = 0; i < t->rank; ++i)
    printf("%s%lld", i ? ", " : "", (long long)t->shape[i]);
  printf("]");
  int64_t n = dlc_tensor_num_elements(t);
  for (int64_t i = 0; i < n && i < 10; ++i) {
    double v = 0;
    switch (t->dtype) {
    case DLC_DTYPE_F32:
      v = ((const float *)t->data)[i];
      break;
    case DLC_DTYPE_F64:
      v = ((const double *)t->data)[i];
      break;
    case DLC_DTYPE_I8:
      v = ((const int8_t *)t->data)[i];
      break;
    case DLC_DTYPE_I32:
      v = ((const int32_t *)t->data)[i];
      break;
    case DLC_DTYPE_I64:
      v = (double)((const int64_t *)t->data)[i];
      break;
    case DLC_DTYPE_I1:
    case DLC_DTYPE_U8:
      v = ((const uint8_t *)t->data)[i];
      break;
    case DLC_DTYPE_I16:
      v = ((const int16_t *)t->data)[i];
      break;
    case DLC_DTYPE_U32:
      v = ((const uint32_t *)t->data)[i];
      break;
    case DLC_DTYPE_U64:
      v = (double)((const uint64_t *)t->data)[i];
      break;
    default:
      v = ((const uint16_t *)t->data)[i];
      break;
    }
    printf(i ? " %.6g" : " %.6g", v);
  }
  printf(n > 10 ? " ...\n" : "\n");
}

int main(int argc, char **argv) {
  const char *out_dir = NULL, *format = "npy";
  long bench = 0;
  const char *files[64];
  int nfiles = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc) {
      out_dir = argv[++i];
    } else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
      format = argv[++i];
    } else if (!strcmp(argv[i], "--bench") && i + 1 < argc) {
      bench = strtol(argv[++i], NULL, 10);
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(argv[0]);
      return 0;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      usage(argv[0]);
      return 2;
    } else if (nfiles < 64) {
      files[nfiles++] = argv[i];
    }
  }
  if (nfiles != dlc_model_num_inputs || bench < 0 ||
      (strcmp(format, "npy") && strcmp(format, "pb"))) {
    fprintf(stderr, "error: %s takes %d input file(s), got %d\n",
            dlc_model_name, (int)dlc_model_num_inputs, nfiles);
    usage(argv[0]);
    return 2;
  }
  if (dlc_model_init) {
    /* The weights file sits next to the program. */
    char path[4096];
    const char *slash = strrchr(argv[0], '/');
    int dir = slash ? (int)(slash - argv[0]) + 1 : 0;
    snprintf(path, sizeof path, "%.*s%s", dir, argv[0], dlc_model_weights_file);
    if (dlc_model_init(path) != DLC_STATUS_OK) {
      fprintf(stderr, "error: cannot load the weights from %s\n", path);
      return 3;
    }
  }
  dlc_owned_tensor inputs_owned[64];
  dlc_tensor inputs[64];
  for (int i = 0; i < nfiles; ++i) {
    if (dlc_read_tensor(files[i], &inputs_owned[i]) != DLC_STATUS_OK) {
      fprintf(stderr, "error: %s\n", dlc_last_error());
      return 3;
    }
    inputs[i] = inputs_owned[i].view;
  }
  int32_t nout = dlc_model_num_outputs;
  dlc_tensor *outputs = calloc((size_t)nout, sizeof *outputs);
  int64_t (*shapes)[DLC_IO_MAX_RANK] = calloc((size_t)nout, sizeof *shapes);
  if (!outputs || !shapes) {
    fprintf(stderr, "error: out of memory\n");
    return 4;
  }
  long runs = bench > 0 ? bench : 1;
  double *times = calloc((size_t)runs, sizeof *times);
  for (long r = 0; r < runs; ++r) {
    for (int32_t i = 0; i < nout; ++i)
      outputs[i].shape = shapes[i];
    double start = now_ms();
    int32_t status = dlc_model_run(inputs, outputs);
    times[r] = now_ms() - start;
    if (status != DLC_STATUS_OK) {
      const char *why = dlc_last_error();
      fprintf(stderr, "error: %s failed: %s\n", dlc_model_name,
              why[0] ? why : dlc_status_message((dlc_status)status));
      return 4;
    }
    if (r + 1 < runs)
      dlc_model_release(outputs);
  }
  for (int32_t i = 0; i < nout; ++i) {
    if (out_dir) {
      char path[4096];
      snprintf(path, sizeof path, "%s/output_%d.%s", out_dir, (int)i, format);
      if (dlc_write_tensor(path, &outputs[i]) != DLC_STATUS_OK) {
        fprintf(stderr, "error: %s\n", dlc_last_error());
        return 3;
      }
    } else {
      print_tensor((int)i, &outputs[i]);
    }
  }
  if (bench > 0) {
    qsort(times, (size_t)runs, sizeof *times, compare_double);
    printf("%s: %ld runs, median %.3f ms, min %.3f ms\n", dlc_model_name, runs,
           times[runs / 2], times[0]);
  }
  dlc_model_release(outputs);
  for (int i = 0; i < nfiles; ++i)
    dlc_free_owned_tensor(&inputs_owned[i]);
  free(times);
  free(outputs);
  free(shapes);
  return 0;
}
