/* Trains a small classifier from C with a training step compiled by
 *   dlc examples/spiral.onnxtxt --train --optimizer=adam -o libspiral.so
 * --emit=shared The model has no weights: dlc initializes them
 * (spiral_train_init). Each spiral_train_step runs forward, cross-entropy,
 * gradients and the Adam update, and writes the new state into the state
 * tensors in place; spiral_run predicts with the same state. Data: three
 * interleaved spirals, 32 points a batch. */
#include "spiral.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define BATCH 32
#define STATE SPIRAL_TRAIN_STEP_NUM_STATE

static void spiral_batch(unsigned *seed, float *points, int64_t *labels) {
  for (int i = 0; i < BATCH; ++i) {
    int cls = rand_r(seed) % 3;
    float r = (float)rand_r(seed) / (float)RAND_MAX;
    float t = 4.0f * r + 2.094f * (float)cls +
              0.2f * ((float)rand_r(seed) / (float)RAND_MAX - 0.5f);
    points[2 * i] = r * cosf(t);
    points[2 * i + 1] = r * sinf(t);
    labels[i] = cls;
  }
}

int main(void) {
  /* The state comes back in buffers we own from now on. */
  int64_t state_shapes[STATE][8];
  dlc_tensor inputs[STATE + 3];
  for (int i = 0; i < STATE; ++i)
    inputs[i].shape = state_shapes[i];
  if (spiral_train_init(NULL, inputs) != DLC_STATUS_OK) {
    fprintf(stderr, "train_init failed: %s\n", dlc_last_error());
    return 1;
  }
  float points[BATCH * 2], lr = 0.01f;
  int64_t labels[BATCH];
  int64_t points_shape[2] = {BATCH, 2}, labels_shape[1] = {BATCH};
  inputs[STATE] = (dlc_tensor){points, DLC_DTYPE_F32, 2, points_shape, NULL};
  inputs[STATE + 1] =
      (dlc_tensor){labels, DLC_DTYPE_I64, 1, labels_shape, NULL};
  inputs[STATE + 2] = (dlc_tensor){&lr, DLC_DTYPE_F32, 0, NULL, NULL};

  unsigned seed = 1;
  float first = 0, last = 0;
  for (int step = 0; step < 600; ++step) {
    spiral_batch(&seed, points, labels);
    int64_t loss_shape[1], pred_shape[2];
    dlc_tensor outputs[2] = {{NULL, 0, 0, loss_shape, NULL},
                             {NULL, 0, 0, pred_shape, NULL}};
    if (spiral_train_step(inputs, outputs) != DLC_STATUS_OK) {
      fprintf(stderr, "train_step failed: %s\n", dlc_last_error());
      return 1;
    }
    last = *(float *)outputs[0].data;
    if (step == 0)
      first = last;
    if (step % 200 == 0)
      printf("step %d loss %.4f\n", step, last);
    spiral_train_step_release(outputs);
  }
  /* Inference on the trained state: the same inputs array, state first. */
  int correct = 0, total = 0;
  for (int b = 0; b < 10; ++b) {
    spiral_batch(&seed, points, labels);
    int64_t logits_shape[2];
    dlc_tensor logits = {NULL, 0, 0, logits_shape, NULL};
    if (spiral_run(inputs, &logits) != DLC_STATUS_OK)
      return 1;
    const float *z = logits.data;
    for (int i = 0; i < BATCH; ++i) {
      int best = 0;
      for (int c = 1; c < 3; ++c)
        if (z[3 * i + c] > z[3 * i + best])
          best = c;
      correct += best == labels[i];
      ++total;
    }
    spiral_release(&logits);
  }
  int64_t steps = *(int64_t *)inputs[STATE - 1].data;
  printf("first loss %.4f, last loss %.4f, steps %lld, accuracy %.3f\n", first,
         last, (long long)steps, (double)correct / total);
  for (int i = 0; i < STATE; ++i)
    free(inputs[i].data);
  return last < first / 2 && correct > total * 0.8 ? 0 : 1;
}
