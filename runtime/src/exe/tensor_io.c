#include "tensor_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t num_elements(const int64_t *shape, int32_t rank) {
  int64_t n = 1;
  for (int32_t i = 0; i < rank; ++i)
    n *= shape[i];
  return n;
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *size = (size_t)(n < 0 ? 0 : n);
  return buf;
}

/* ---- .npy ---- */

static const struct {
  const char *descr;
  dlc_dtype dtype;
} npy_types[] = {{"<f4", DLC_DTYPE_F32}, {"<f8", DLC_DTYPE_F64},
                 {"<f2", DLC_DTYPE_F16}, {"|i1", DLC_DTYPE_I8},
                 {"<i4", DLC_DTYPE_I32}, {"<i8", DLC_DTYPE_I64},
                 {"|b1", DLC_DTYPE_BOOL}};

static dlc_status read_npy(const char *path, const unsigned char *buf,
                           size_t size, dlc_owned_tensor *out) {
  if (size < 10 || buf[6] < 1)
    return dlc_set_error(DLC_STATUS_IO_ERROR, "%s: truncated .npy header",
                         path);
  size_t header_len = buf[6] == 1
                          ? (size_t)(buf[8] | buf[9] << 8)
                          : (size_t)(buf[8] | buf[9] << 8 | buf[10] << 16 |
                                     (size_t)buf[11] << 24);
  size_t start = buf[6] == 1 ? 10 : 12;
  if (start + header_len > size)
    return dlc_set_error(DLC_STATUS_IO_ERROR, "%s: truncated .npy header",
                         path);
  char header[1024];
  size_t n = header_len < sizeof header - 1 ? header_len : sizeof header - 1;
  memcpy(header, buf + start, n);
  header[n] = 0;
  if (strstr(header, "'fortran_order': True"))
    return dlc_set_error(DLC_STATUS_UNSUPPORTED, "%s: Fortran order", path);
  const char *d = strstr(header, "'descr': '");
  int found = 0;
  for (size_t i = 0; d && i < sizeof npy_types / sizeof *npy_types; ++i)
    if (strncmp(d + 10, npy_types[i].descr, 3) == 0) {
      out->view.dtype = npy_types[i].dtype;
      found = 1;
    }
  if (!found)
    return dlc_set_error(DLC_STATUS_UNSUPPORTED, "%s: unsupported .npy dtype",
                         path);
  const char *s = strstr(header, "'shape': (");
  if (!s)
    return dlc_set_error(DLC_STATUS_IO_ERROR, "%s: no shape", path);
  s += 10;
  int32_t rank = 0;
  while (*s && *s != ')') {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s)
      break;
    if (rank == DLC_IO_MAX_RANK || v < 0)
      return dlc_set_error(DLC_STATUS_UNSUPPORTED, "%s: bad shape", path);
    out->shape[rank++] = v;
    s = end;
    while (*s == ',' || *s == ' ')
      ++s;
  }
  out->view.rank = rank;
  size_t bytes =
      (size_t)num_elements(out->shape, rank) * dlc_dtype_size(out->view.dtype);
  if (start + header_len + bytes > size)
    return dlc_set_error(DLC_STATUS_IO_ERROR, "%s: truncated data", path);
  out->data = malloc(bytes ? bytes : 1);
  if (!out->data)
    return dlc_set_error(DLC_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
  memcpy(out->data, buf + start + header_len, bytes);
  return DLC_STATUS_OK;
}

/* ---- TensorProto ---- */

static int read_varint(const unsigned char **p, const unsigned char *end,
                       uint64_t *v) {
  *v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    unsigned char b = *(*p)++;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return 1;
  }
  return 0;
}

static dlc_dtype onnx_dtype(uint64_t t, int *ok) {
  *ok = 1;
  switch (t) {
  case 1:
    return DLC_DTYPE_F32;
  case 3:
    return DLC_DTYPE_I8;
  case 6:
    return DLC_DTYPE_I32;
  case 7:
    return DLC_DTYPE_I64;
  case 9:
    return DLC_DTYPE_BOOL;
  case 10:
    return DLC_DTYPE_F16;
  case 11:
    return DLC_DTYPE_F64;
  case 16:
    return DLC_DTYPE_BF16;
  default:
    *ok = 0;
    return DLC_DTYPE_F32;
  }
}

static dlc_status read_pb(const char *path, const unsigned char *buf,
                          size_t size, dlc_owned_tensor *out) {
  const unsigned char *p = buf, *end = buf + size;
  const unsigned char *raw = NULL, *typed = NULL;
  size_t raw_len = 0, typed_len = 0;
  int typed_field = 0, have_type = 0;
  int32_t rank = 0;
  while (p < end) {
    uint64_t key, v;
    if (!read_varint(&p, end, &key))
      goto bad;
    int field = (int)(key >> 3), wire = (int)(key & 7);
    if (wire == 0) {
      if (!read_varint(&p, end, &v))
        goto bad;
      if (field == 1) {
        if (rank == DLC_IO_MAX_RANK)
          goto bad;
        out->shape[rank++] = (int64_t)v;
      } else if (field == 2) {
        out->view.dtype = onnx_dtype(v, &have_type);
        if (!have_type)
          return dlc_set_error(DLC_STATUS_UNSUPPORTED,
                               "%s: unsupported data type %llu", path,
                               (unsigned long long)v);
      }
    } else if (wire == 2) {
      if (!read_varint(&p, end, &v) || v > (uint64_t)(end - p))
        goto bad;
      if (field == 1) { /* packed dims */
        const unsigned char *q = p;
        while (q < p + v) {
          uint64_t d;
          if (rank == DLC_IO_MAX_RANK || !read_varint(&q, p + v, &d))
            goto bad;
          out->shape[rank++] = (int64_t)d;
        }
      } else if (field == 9) {
        raw = p;
        raw_len = (size_t)v;
      } else if (field == 4 || field == 5 || field == 7 || field == 10) {
        typed = p;
        typed_len = (size_t)v;
        typed_field = field;
      }
      p += v;
    } else if (wire == 5) {
      p += 4;
    } else if (wire == 1) {
      p += 8;
    } else {
      goto bad;
    }
  }
  if (!have_type)
    goto bad;
  out->view.rank = rank;
  size_t count = (size_t)num_elements(out->shape, rank);
  size_t elem = dlc_dtype_size(out->view.dtype);
  out->data = malloc(count * elem != 0 ? count * elem : 1);
  if (!out->data)
    return dlc_set_error(DLC_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
  if (raw) {
    if (raw_len != count * elem)
      return dlc_set_error(DLC_STATUS_IO_ERROR,
                           "%s: raw data does not match the shape", path);
    memcpy(out->data, raw, raw_len);
    return DLC_STATUS_OK;
  }
  if (typed_field == 4 || typed_field == 10) { /* float / double: fixed */
    if (typed_len != count * elem)
      goto bad;
    memcpy(out->data, typed, typed_len);
    return DLC_STATUS_OK;
  }
  /* int32_data / int64_data: packed varints */
  const unsigned char *q = typed;
  for (size_t i = 0; i < count; ++i) {
    uint64_t v;
    if (!q || !read_varint(&q, typed + typed_len, &v))
      goto bad;
    unsigned char *dst = (unsigned char *)out->data + i * elem;
    if (elem == 8) {
      memcpy(dst, &v, 8);
    } else if (elem == 4) {
      uint32_t w = (uint32_t)v;
      memcpy(dst, &w, 4);
    } else if (elem == 2) {
      uint16_t w = (uint16_t)v;
      memcpy(dst, &w, 2);
    } else {
      *dst = (unsigned char)v;
    }
  }
  return DLC_STATUS_OK;
bad:
  return dlc_set_error(DLC_STATUS_IO_ERROR, "%s: not a valid TensorProto",
                       path);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

dlc_status dlc_read_tensor(const char *path, dlc_owned_tensor *out) {
  memset(out, 0, sizeof *out);
  size_t size;
  unsigned char *buf = read_file(path, &size);
  if (!buf)
    return dlc_set_error(DLC_STATUS_IO_ERROR, "cannot read %s", path);
  dlc_status s = size >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0
                     ? read_npy(path, buf, size, out)
                     : read_pb(path, buf, size, out);
  free(buf);
  if (s != DLC_STATUS_OK) {
    free(out->data);
    out->data = NULL;
    return s;
  }
  out->view.data = out->data;
  out->view.shape = out->shape;
  out->view.strides = NULL;
  return DLC_STATUS_OK;
}

void dlc_free_owned_tensor(dlc_owned_tensor *t) {
  free(t->data);
  t->data = t->view.data = NULL;
}

dlc_status dlc_write_tensor(const char *path, const dlc_tensor *t) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return dlc_set_error(DLC_STATUS_IO_ERROR, "cannot write %s", path);
  size_t count = (size_t)num_elements(t->shape, t->rank);
  size_t bytes = count * dlc_dtype_size(t->dtype);
  int ok = 1;
  if (ends_with(path, ".pb")) {
    static const unsigned onnx_types[] = {1, 10, 16, 11, 3, 6, 7, 9};
    unsigned char head[16 * 11 + 32];
    size_t n = 0;
    for (int32_t i = 0; i < t->rank; ++i) {
      head[n++] = 0x08; /* dims, varint */
      uint64_t v = (uint64_t)t->shape[i];
      do {
        head[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
      } while (v);
    }
    head[n++] = 0x10; /* data_type */
    head[n++] = (unsigned char)onnx_types[t->dtype];
    head[n++] = 0x4a; /* raw_data, length-delimited */
    uint64_t v = bytes;
    do {
      head[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    } while (v);
    ok = fwrite(head, 1, n, f) == n;
  } else {
    static const char *descrs[] = {"<f4", "<f2", "<u2", "<f8",
                                   "|i1", "<i4", "<i8", "|b1"};
    char header[256];
    int len = snprintf(header, sizeof header,
                       "{'descr': '%s', 'fortran_order': False, 'shape': (",
                       descrs[t->dtype]);
    for (int32_t i = 0; i < t->rank; ++i)
      len += snprintf(header + len, sizeof header - (size_t)len, "%lld,%s",
                      (long long)t->shape[i], i + 1 < t->rank ? " " : "");
    len += snprintf(header + len, sizeof header - (size_t)len, "), }");
    /* Pad with spaces so the data starts 64-byte aligned, then a newline. */
    int total = 10 + len + 1;
    int pad = (64 - total % 64) % 64;
    unsigned short hlen = (unsigned short)(len + pad + 1);
    unsigned char magic[10] = {0x93,
                               'N',
                               'U',
                               'M',
                               'P',
                               'Y',
                               1,
                               0,
                               (unsigned char)(hlen & 0xff),
                               (unsigned char)(hlen >> 8)};
    ok = fwrite(magic, 1, 10, f) == 10 &&
         fwrite(header, 1, (size_t)len, f) == (size_t)len;
    for (int i = 0; ok && i < pad; ++i)
      ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
  }
  ok = ok && fwrite(t->data, 1, bytes, f) == bytes;
  ok = (fclose(f) == 0) && ok;
  return ok ? DLC_STATUS_OK
            : dlc_set_error(DLC_STATUS_IO_ERROR, "cannot write %s", path);
}
