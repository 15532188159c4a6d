/* Embeds a model compiled by dlc in a C program.
 *
 *   dlc examples/tiny_cnn.onnxtxt --emit=lib -o build/libtiny_cnn.a
 *   cc -Ibuild -Iruntime/include examples/c/main.c build/libtiny_cnn.a
 * build/runtime/libdlcrt.a -lm -lpthread -o app
 *
 * Runs the example CNN on two 8x8 images and prints the class
 * probabilities, then shows the error a wrongly shaped input gets. */
#include <stdio.h>
#include <string.h>

#include "tiny_cnn.h"

int main(void) {
  enum { N = 2 };
  static float images[N][1][8][8];
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      images[0][0][i][j] = j >= 4 ? 1.0f : 0.0f; /* a vertical edge */
      images[1][0][i][j] = i >= 4 ? 1.0f : 0.0f; /* a horizontal edge */
    }
  int64_t in_shape[4] = {N, 1, 8, 8};
  dlc_tensor input = {images, DLC_DTYPE_F32, 4, in_shape, NULL};
  int64_t out_shape[TINY_CNN_OUTPUT0_RANK];
  dlc_tensor output = {NULL, DLC_DTYPE_F32, TINY_CNN_OUTPUT0_RANK, out_shape,
                       NULL};

  int32_t status = tiny_cnn_run(&input, &output);
  if (status != DLC_STATUS_OK) {
    fprintf(stderr, "tiny_cnn_run failed with status %d\n", status);
    return 1;
  }
  const float *probs = (const float *)output.data;
  printf("output shape %lldx%lld\n", (long long)out_shape[0],
         (long long)out_shape[1]);
  for (int64_t n = 0; n < out_shape[0]; ++n) {
    int best = 0;
    printf("image %lld:", (long long)n);
    for (int c = 0; c < 3; ++c) {
      float p = probs[n * 3 + c];
      printf(" %.4f", p);
      if (p > probs[n * 3 + best])
        best = c;
    }
    printf(" -> class %d\n", best);
  }
  tiny_cnn_release(&output);

  /* A 7x7 image does not fit the model's 8x8 input: a status, no crash. */
  int64_t bad_shape[4] = {1, 1, 7, 7};
  dlc_tensor bad = {images, DLC_DTYPE_F32, 4, bad_shape, NULL};
  status = tiny_cnn_run(&bad, &output);
  printf("7x7 input: status %d (%s)\n", status,
         status == DLC_STATUS_SHAPE_MISMATCH ? "shape mismatch" : "unexpected");
  return status == DLC_STATUS_SHAPE_MISMATCH ? 0 : 1;
}
