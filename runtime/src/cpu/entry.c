/*===- entry.c - The checked call of a compiled entry point ---------------===*
 *
 * Every entry point dlc generates (NAME_run, NAME_train_step, ...) is one
 * call to dlc_entry_run with constant tables describing its inputs and
 * outputs. Here the call is checked before any kernel runs (pointers,
 * dtypes, ranks, static dims, the classes of dynamic dims that must agree,
 * strides), strided inputs are copied to contiguous temporaries, the model
 * runs under setjmp so that a failed allocation (memref_alloc.c) or a
 * failed run-time check (dlc_entry_fail) returns a status instead of taking
 * the host down, and the results are copied into malloc'd buffers.
 *
 *===----------------------------------------------------------------------===*/

#include "dlc/runtime.h"
#include "internal.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MLIR's marker in `allocated` for a buffer that is a constant global. */
#define GLOBAL_MARKER ((uintptr_t)0xdeadbeef)

typedef struct Call {
  jmp_buf env;
  const char *symbol;
  dlc_internal_tracked tracked;
  dlc_internal_tracked *previousTracked;
  dlc_internal_call_memory memory;
  struct Call *previous;
} Call;

/* The entry point call running on this thread, if any. */
static _Thread_local Call *current;
static _Thread_local dlc_status failure;
/* The memory of the last call on this thread (dlc_last_call_memory). */
static _Thread_local dlc_call_memory lastCallMemory;

dlc_status dlc_last_call_memory(dlc_call_memory *usage) {
  if (!usage)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "dlc_last_call_memory: output is NULL");
  *usage = lastCallMemory;
  return DLC_STATUS_OK;
}

/* Unwinding is only safe on the thread that entered the model and outside
 * a parallel-for body (the pool waits for that body). */
static int canUnwind(void) {
  return current && !dlc_internal_in_parallel_region();
}

void dlc_internal_alloc_failed(size_t size) {
  double gib = (double)size / (double)(1ull << 30);
  if (canUnwind()) {
    dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                  "%s: out of memory allocating %zu bytes (%.1f GiB) for an "
                  "intermediate tensor",
                  current->symbol, size, gib);
    failure = DLC_STATUS_OUT_OF_MEMORY;
    longjmp(current->env, 1);
  }
  if (dlc_internal_in_parallel_region()) {
    /* A worker thread cannot unwind the caller's stack, and NULL would be
     * dereferenced by the kernel: stop loudly. */
    fprintf(stderr,
            "dlc: out of memory allocating %zu bytes (%.1f GiB) inside a "
            "parallel loop; aborting\n",
            size, gib);
    abort();
  }
  /* Not inside an entry point (a direct call of _mlir_ciface_*): the caller
   * gets NULL and the message. */
  dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                "out of memory allocating %zu bytes (%.1f GiB)", size, gib);
}

void dlc_entry_fail(const char *message) {
  if (!message)
    message = "a run-time check of the generated code failed";
  if (canUnwind()) {
    dlc_set_error(DLC_STATUS_RUNTIME_ERROR, "%s: %s", current->symbol, message);
    failure = DLC_STATUS_RUNTIME_ERROR;
    longjmp(current->env, 1);
  }
  fprintf(stderr, "dlc: %s; aborting\n", message);
  abort();
}

/* Runs `invoke` with the allocations of this thread tracked; on a failure
 * reported through longjmp, frees what the call allocated. */
static dlc_status invokeGuarded(Call *call, dlc_entry_invoke_fn invoke,
                                void *results, void *const *descs) {
  call->previous = current;
  call->previousTracked = dlc_internal_track_begin(&call->tracked);
  current = call;
  dlc_internal_call_memory_begin(&call->memory);
  if (setjmp(call->env) != 0) {
    current = call->previous;
    dlc_internal_call_memory_end(&call->memory, &lastCallMemory);
    dlc_internal_track_end(&call->tracked, call->previousTracked, 1);
    return failure;
  }
  invoke(results, descs);
  current = call->previous;
  dlc_internal_call_memory_end(&call->memory, &lastCallMemory);
  dlc_internal_track_end(&call->tracked, call->previousTracked, 0);
  return DLC_STATUS_OK;
}

/* Words of a memref descriptor of rank r: allocated, aligned, offset,
 * sizes[r], strides[r]. */
static size_t descWords(int32_t rank) { return 3 + 2 * (size_t)rank; }

static const char *nameOf(const dlc_entry_tensor *t) {
  return t->name ? t->name : "";
}

static const char *dimName(const dlc_entry_tensor *t, int32_t d) {
  return t->dim_names && t->dim_names[d] ? t->dim_names[d] : "";
}

/* " ('batch')" for a named dim, else "". */
static void dimLabel(char *buf, size_t size, const dlc_entry_tensor *t,
                     int32_t d) {
  const char *n = dimName(t, d);
  if (*n)
    snprintf(buf, size, " (%s)", n);
  else
    buf[0] = 0;
}

/* Copies a strided tensor to a contiguous row-major buffer. */
static void copyStrided(char *dst, const char *src, int32_t rank,
                        const int64_t *shape, const int64_t *strides,
                        size_t elementSize, int64_t count) {
  int64_t index[64] = {0};
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (int32_t d = 0; d < rank; ++d)
      offset += index[d] * strides[d];
    memcpy(dst + (size_t)n * elementSize,
           src + (ptrdiff_t)offset * (ptrdiff_t)elementSize, elementSize);
    for (int32_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/* The element count of `rank` dims, or -1 if the bytes overflow. */
static int64_t countOf(int32_t rank, const int64_t *shape, size_t elementSize) {
  int64_t count = 1;
  for (int32_t d = 0; d < rank; ++d)
    if (shape[d] == 0)
      return 0;
  for (int32_t d = 0; d < rank; ++d) {
    if (count > (int64_t)(PTRDIFF_MAX / elementSize) / shape[d])
      return -1;
    count *= shape[d];
  }
  return count;
}

/* Checks input `i` against its description. */
static dlc_status checkInput(const dlc_entry *e, int32_t i, const dlc_tensor *t,
                             int mustBeContiguous) {
  const dlc_entry_tensor *x = &e->inputs[i];
  const char *fn = e->symbol, *name = nameOf(x);
  char label[96];
  if ((int32_t)t->dtype != x->dtype)
    return dlc_set_error(DLC_STATUS_DTYPE_MISMATCH,
                         "%s: input %" PRId32 " '%s' has dtype %s, expected %s",
                         fn, i, name, dlc_dtype_name(t->dtype),
                         dlc_dtype_name((dlc_dtype)x->dtype));
  if (t->rank != x->rank)
    return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                         "%s: input %" PRId32 " '%s' has rank %" PRId32
                         ", expected %" PRId32,
                         fn, i, name, t->rank, x->rank);
  if (x->rank > 64)
    return dlc_set_error(DLC_STATUS_UNSUPPORTED,
                         "%s: input %" PRId32 " '%s' has rank %" PRId32
                         " (at most 64 supported)",
                         fn, i, name, x->rank);
  if (x->rank > 0 && !t->shape)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "%s: input %" PRId32 " '%s' has a NULL shape "
                         "(rank %" PRId32 ")",
                         fn, i, name, x->rank);
  for (int32_t d = 0; d < x->rank; ++d) {
    dimLabel(label, sizeof label, x, d);
    if (t->shape[d] < 0)
      return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                           "%s: input %" PRId32 " '%s' dim %" PRId32
                           "%s is %" PRId64 " (negative)",
                           fn, i, name, d, label, t->shape[d]);
    if (x->shape[d] >= 0 && t->shape[d] != x->shape[d])
      return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                           "%s: input %" PRId32 " '%s' dim %" PRId32
                           "%s is %" PRId64 ", expected %" PRId64,
                           fn, i, name, d, label, t->shape[d], x->shape[d]);
  }
  int64_t count =
      countOf(x->rank, t->shape, dlc_dtype_size((dlc_dtype)x->dtype));
  if (count < 0)
    return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                         "%s: input %" PRId32 " '%s' has more bytes than can "
                         "be addressed",
                         fn, i, name);
  if (count > 0 && !t->data)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "%s: input %" PRId32 " '%s' has NULL data (%" PRId64
                         " elements)",
                         fn, i, name, count);
  if (mustBeContiguous && !dlc_tensor_is_contiguous(t))
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "%s: input %" PRId32 " '%s' is updated in place and "
                         "must be contiguous (its strides are not row-major)",
                         fn, i, name);
  return DLC_STATUS_OK;
}

typedef struct Seen {
  int64_t size;
  int32_t input, dim; /* input -1: not seen yet */
} Seen;

/* Checks that the dynamic dims of each class agree (and have the class's
 * size where it has one). */
static dlc_status checkClasses(const dlc_entry *e, const dlc_tensor *inputs,
                               Seen *seen) {
  for (int32_t c = 0; c < e->num_classes; ++c)
    seen[c].input = -1;
  char label[96], otherLabel[96];
  for (int32_t i = 0; i < e->num_inputs; ++i) {
    const dlc_entry_tensor *x = &e->inputs[i];
    if (!x->dim_class)
      continue;
    for (int32_t d = 0; d < x->rank; ++d) {
      int32_t c = x->dim_class[d];
      if (c < 0 || c >= e->num_classes)
        continue;
      int64_t size = inputs[i].shape[d];
      dimLabel(label, sizeof label, x, d);
      if (e->class_size[c] >= 0 && size != e->class_size[c])
        return dlc_set_error(DLC_STATUS_SHAPE_MISMATCH,
                             "%s: input %" PRId32 " '%s' dim %" PRId32
                             "%s is %" PRId64 ", but the model needs %" PRId64
                             " there (it meets a dim of that static size)",
                             e->symbol, i, nameOf(x), d, label, size,
                             e->class_size[c]);
      if (seen[c].input < 0) {
        seen[c].size = size;
        seen[c].input = i;
        seen[c].dim = d;
        continue;
      }
      if (size == seen[c].size)
        continue;
      const dlc_entry_tensor *y = &e->inputs[seen[c].input];
      dimLabel(otherLabel, sizeof otherLabel, y, seen[c].dim);
      return dlc_set_error(
          DLC_STATUS_SHAPE_MISMATCH,
          "%s: input %" PRId32 " '%s' dim %" PRId32 "%s is %" PRId64
          ", but input %" PRId32 " '%s' dim %" PRId32 "%s is %" PRId64
          "; the model combines them, so they must be equal",
          e->symbol, i, nameOf(x), d, label, size, seen[c].input, nameOf(y),
          seen[c].dim, otherLabel, seen[c].size);
    }
  }
  return DLC_STATUS_OK;
}

/* The memory one call needs besides the caller's buffers. */
typedef struct Scratch {
  void *block;
  Seen *seen;
  void **data;      /* per input: the contiguous data the model reads */
  char *owned;      /* per input: 1 if data is our temporary */
  int64_t *descs;   /* the input descriptors, back to back */
  void **descPtrs;  /* per input: its descriptor */
  int64_t *results; /* the result descriptors, back to back */
  void **buffers;   /* per output: the malloc'd buffer handed back */
} Scratch;

static int makeScratch(const dlc_entry *e, Scratch *s) {
  size_t inWords = 0, outWords = 0;
  for (int32_t i = 0; i < e->num_inputs; ++i)
    inWords += descWords(e->inputs[i].rank);
  for (int32_t i = 0; i < e->num_outputs; ++i)
    outWords += descWords(e->outputs[i].rank);
  size_t nIn = (size_t)e->num_inputs, nOut = (size_t)e->num_outputs;
  size_t bytes = sizeof(Seen) * (size_t)e->num_classes +
                 sizeof(void *) * (2 * nIn + nOut) +
                 sizeof(int64_t) * (inWords + outWords) + nIn + 1;
  char *p = (char *)calloc(1, bytes);
  if (!p)
    return 0;
  s->block = p;
  s->seen = (Seen *)p;
  p += sizeof(Seen) * (size_t)e->num_classes;
  s->data = (void **)p;
  p += sizeof(void *) * nIn;
  s->descPtrs = (void **)p;
  p += sizeof(void *) * nIn;
  s->buffers = (void **)p;
  p += sizeof(void *) * nOut;
  s->descs = (int64_t *)p;
  p += sizeof(int64_t) * inWords;
  s->results = (int64_t *)p;
  p += sizeof(int64_t) * outWords;
  s->owned = p;
  return 1;
}

static void freeScratch(const dlc_entry *e, Scratch *s) {
  for (int32_t i = 0; i < e->num_inputs; ++i)
    if (s->owned[i])
      free(s->data[i]);
  free(s->block);
}

/* Frees the buffers the model returned, each once, except constant globals
 * and buffers that are not the model's (the inputs' data). */
static void freeResults(const dlc_entry *e, const Scratch *s) {
  int64_t *r = s->results;
  for (int32_t i = 0; i < e->num_outputs; ++i) {
    void *allocated = (void *)(uintptr_t)r[0];
    int skip = !allocated || (uintptr_t)allocated == GLOBAL_MARKER;
    for (int32_t j = 0; !skip && j < e->num_inputs; ++j)
      skip = allocated == s->data[j];
    const int64_t *q = s->results;
    for (int32_t j = 0; !skip && j < i; ++j) {
      skip = (void *)(uintptr_t)q[0] == allocated;
      q += descWords(e->outputs[j].rank);
    }
    if (!skip)
      _mlir_memref_to_llvm_free(allocated);
    r += descWords(e->outputs[i].rank);
  }
}

/* Copies result `d` (a descriptor of rank `rank`) to `dst`, contiguous. */
static void copyResult(void *dst, const int64_t *d, int32_t rank,
                       size_t elementSize, int64_t count) {
  const char *src = (const char *)(uintptr_t)d[1] + d[2] * (int64_t)elementSize;
  const int64_t *sizes = d + 3, *strides = d + 3 + rank;
  dlc_tensor view = {(void *)(uintptr_t)src, DLC_DTYPE_I8, rank, sizes,
                     strides};
  if (count == 0)
    return;
  if (dlc_tensor_is_contiguous(&view))
    memmove(dst, src, (size_t)count * elementSize);
  else
    copyStrided((char *)dst, src, rank, sizes, strides, elementSize, count);
}

dlc_status dlc_entry_run(const dlc_entry *e, const dlc_tensor *inputs,
                         dlc_tensor *outputs, dlc_entry_invoke_fn invoke) {
  const char *fn = e->symbol;
  if (e->ready && !*e->ready)
    return dlc_set_error(DLC_STATUS_RUNTIME_ERROR,
                         "%s: the weights are not loaded (call the model's "
                         "_init function with the weights file first)",
                         fn);
  int32_t returned = 0;
  for (int32_t i = 0; i < e->num_outputs; ++i)
    returned += e->outputs[i].inplace < 0;
  if (e->num_inputs > 0 && !inputs)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "%s: `inputs` is NULL (expected an array of %" PRId32
                         " tensors)",
                         fn, e->num_inputs);
  if (returned > 0 && !outputs)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "%s: `outputs` is NULL (expected an array of %" PRId32
                         " tensors)",
                         fn, returned);
  for (int32_t i = 0; i < e->num_inputs; ++i) {
    int inplace = 0;
    for (int32_t j = 0; j < e->num_outputs; ++j)
      inplace |= e->outputs[j].inplace == i;
    dlc_status status = checkInput(e, i, &inputs[i], inplace);
    if (status != DLC_STATUS_OK)
      return status;
  }
  for (int32_t i = 0, k = 0; i < e->num_outputs; ++i) {
    const dlc_entry_tensor *y = &e->outputs[i];
    if (y->inplace >= 0)
      continue;
    if (y->rank > 0 && !outputs[k].shape)
      return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                           "%s: output %" PRId32 " '%s' has a NULL shape "
                           "(set it to an int64_t[%" PRId32 "] array)",
                           fn, k, nameOf(y), y->rank);
    ++k;
  }
  Scratch s;
  if (!makeScratch(e, &s))
    return dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                         "%s: out of memory for the call's bookkeeping", fn);
  dlc_status status = checkClasses(e, inputs, s.seen);
  if (status != DLC_STATUS_OK) {
    freeScratch(e, &s);
    return status;
  }

  /* Contiguous data and descriptors for the model. */
  int64_t *desc = s.descs;
  for (int32_t i = 0; i < e->num_inputs; ++i) {
    const dlc_tensor *t = &inputs[i];
    int32_t rank = e->inputs[i].rank;
    size_t elementSize = dlc_dtype_size((dlc_dtype)t->dtype);
    int64_t count = countOf(rank, t->shape, elementSize);
    void *data = t->data;
    if (!dlc_tensor_is_contiguous(t) && count > 0) {
      data = malloc((size_t)count * elementSize);
      if (!data) {
        freeScratch(e, &s);
        return dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                             "%s: out of memory copying strided input %" PRId32
                             " '%s' (%" PRId64 " bytes)",
                             fn, i, nameOf(&e->inputs[i]),
                             count * (int64_t)elementSize);
      }
      s.owned[i] = 1;
      copyStrided((char *)data, (const char *)t->data, rank, t->shape,
                  t->strides, elementSize, count);
    }
    s.data[i] = data;
    desc[0] = desc[1] = (int64_t)(uintptr_t)data;
    desc[2] = 0;
    int64_t stride = 1;
    for (int32_t d = rank - 1; d >= 0; --d) {
      desc[3 + d] = t->shape[d];
      desc[3 + rank + d] = stride;
      stride *= t->shape[d] ? t->shape[d] : 1;
    }
    s.descPtrs[i] = desc;
    desc += descWords(rank);
  }

  Call call;
  call.symbol = fn;
  status = invokeGuarded(&call, invoke, s.results, s.descPtrs);
  if (status != DLC_STATUS_OK) {
    freeScratch(e, &s);
    return status;
  }

  /* Buffers for the returned outputs first, so that running out of memory
   * leaves `outputs` and the state untouched. */
  const int64_t *r = s.results;
  for (int32_t i = 0; i < e->num_outputs; ++i) {
    const dlc_entry_tensor *y = &e->outputs[i];
    size_t elementSize = dlc_dtype_size((dlc_dtype)y->dtype);
    int64_t count = countOf(y->rank, r + 3, elementSize);
    if (y->inplace < 0) {
      size_t bytes = count > 0 ? (size_t)count * elementSize : 1;
      s.buffers[i] = count >= 0 ? malloc(bytes) : NULL;
      if (!s.buffers[i]) {
        for (int32_t j = 0; j < i; ++j)
          free(s.buffers[j]);
        freeResults(e, &s);
        freeScratch(e, &s);
        return dlc_set_error(DLC_STATUS_OUT_OF_MEMORY,
                             "%s: out of memory allocating output %" PRId32
                             " '%s' (%zu bytes)",
                             fn, i, nameOf(y), bytes);
      }
    }
    r += descWords(y->rank);
  }
  /* Returned outputs before in-place ones: a result may still read a state
   * buffer that an in-place copy overwrites. */
  for (int inplacePass = 0; inplacePass < 2; ++inplacePass) {
    r = s.results;
    for (int32_t i = 0, k = 0; i < e->num_outputs; ++i) {
      const dlc_entry_tensor *y = &e->outputs[i];
      size_t elementSize = dlc_dtype_size((dlc_dtype)y->dtype);
      int64_t count = countOf(y->rank, r + 3, elementSize);
      if (y->inplace >= 0 && inplacePass) {
        /* The state input has this output's static shape (checked). */
        copyResult(inputs[y->inplace].data, r, y->rank, elementSize, count);
      } else if (y->inplace < 0 && !inplacePass) {
        copyResult(s.buffers[i], r, y->rank, elementSize, count);
        dlc_tensor *out = &outputs[k];
        for (int32_t d = 0; d < y->rank; ++d)
          ((int64_t *)out->shape)[d] = r[3 + d];
        out->data = s.buffers[i];
        out->dtype = (dlc_dtype)y->dtype;
        out->rank = y->rank;
        out->strides = NULL; /* contiguous: the buffer can be an input */
      }
      k += y->inplace < 0;
      r += descWords(y->rank);
    }
  }
  freeResults(e, &s);
  freeScratch(e, &s);
  return DLC_STATUS_OK;
}

dlc_status dlc_entry_run_workspace(const dlc_entry *e, const dlc_tensor *inputs,
                                   dlc_tensor *outputs,
                                   dlc_entry_invoke_fn invoke, void *workspace,
                                   size_t workspace_bytes) {
  if (!workspace && workspace_bytes > 0)
    return dlc_set_error(
        DLC_STATUS_INVALID_ARGUMENT,
        "%s_with_workspace: the workspace is NULL but %zu bytes "
        "were given",
        e->symbol, workspace_bytes);
  if ((uintptr_t)workspace % DLC_DEFAULT_ALIGNMENT != 0)
    return dlc_set_error(DLC_STATUS_INVALID_ARGUMENT,
                         "%s_with_workspace: the workspace %p is not %d-byte "
                         "aligned",
                         e->symbol, workspace, DLC_DEFAULT_ALIGNMENT);
  dlc_internal_workspace saved;
  dlc_internal_workspace_begin(workspace, workspace_bytes, &saved);
  dlc_status status = dlc_entry_run(e, inputs, outputs, invoke);
  dlc_internal_workspace_end(&saved);
  return status;
}

size_t dlc_entry_workspace_bytes(const dlc_tensor *inputs, int32_t num_inputs,
                                 int64_t static_bytes, const int64_t *terms,
                                 int32_t num_terms) {
  uint64_t total = static_bytes > 0 ? (uint64_t)static_bytes : 0;
  for (int32_t i = 0; inputs && i < num_terms; ++i) {
    int64_t input = terms[3 * i], dim = terms[3 * i + 1],
            unit = terms[3 * i + 2];
    if (input < 0 || input >= num_inputs || !inputs[input].shape || dim < 0 ||
        dim >= inputs[input].rank || inputs[input].shape[dim] < 0 || unit < 0)
      continue; /* not a shape this model takes: the call will say so */
    uint64_t n = (uint64_t)inputs[input].shape[dim], bytes = (uint64_t)unit;
    if (n && bytes > (UINT64_MAX - total) / n)
      return SIZE_MAX;
    total += n * bytes;
  }
  return total > SIZE_MAX ? SIZE_MAX : (size_t)total;
}
