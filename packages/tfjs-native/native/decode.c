/* Decoding kernels for a GPT-2 with a KV cache: token + position embeddings, one whole
 * transformer block for the new positions (LayerNorm, QKV, attention over a preallocated cache
 * that the new keys and values are appended to in place, projection, MLP, residuals), and the
 * final LayerNorm + tied LM head for the last position of each row. One-row steps run OpenBLAS
 * sgemv (on one thread unless large); several rows run sgemm; attention uses our thread pool. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "simd.h"

void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
                 const float *x, int incx, float beta, float *y, int incy);

/* Below this many multiply-adds (32 MiB of weights) a matrix-vector product runs on one OpenBLAS
 * thread: on a shared 2-core machine, waking its workers cost more than the product itself
 * (a 384×1536 sgemv took 30 µs on one thread, over 1 ms on two under load). */
enum { THREADED_GEMV_MIN_MACS = 1 << 23 };

/* y = op(a) · x + beta · y through OpenBLAS, single-threaded when small (then restored). */
static void gemv(int trans, size_t m, size_t n, const float *a, const float *x, float beta,
                 float *y) {
  const int threads = openblas_get_num_threads();
  const int single = threads > 1 && m * n < THREADED_GEMV_MIN_MACS;
  if (single) openblas_set_num_threads(1);
  cblas_sgemv(LMKIT_CBLAS_ROW_MAJOR, trans, (int)m, (int)n, 1.0f, a, (int)n, x, 1, beta, y, 1);
  if (single) openblas_set_num_threads(threads);
}

LMKIT_DISPATCH static float dot(const float *a, const float *b, size_t n) {
  float acc[16] = {0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; l++) acc[l] += a[i + l] * b[i + l];
  float s = 0.0f;
  for (int l = 0; l < 16; l++) s += acc[l];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

LMKIT_DISPATCH static void axpy(float a, const float *x, float *y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

/* y (rows, out) = x (rows, in) · w (in, out) [+ bias] [+ y when accumulate]. */
static void affine(const float *x, size_t rows, size_t in, const float *w, size_t out,
                   const float *bias, float *y, int accumulate) {
  /* y starts as bias, zero or itself, and the product is added (beta 1): a beta-0 scale of
   * uninitialised memory could keep NaN bit patterns with some BLAS builds. */
  if (bias) {
    for (size_t r = 0; r < rows; r++) {
      float *row = y + r * out;
      if (accumulate)
        for (size_t i = 0; i < out; i++) row[i] += bias[i];
      else
        memcpy(row, bias, out * sizeof(float));
    }
  } else if (!accumulate) {
    memset(y, 0, rows * out * sizeof(float));
  }
  if (rows == 1) {
    gemv(LMKIT_CBLAS_TRANS, in, out, w, x, 1.0f, y);
    return;
  }
  cblas_sgemm(LMKIT_CBLAS_ROW_MAJOR, LMKIT_CBLAS_NO_TRANS, LMKIT_CBLAS_NO_TRANS, (int)rows,
              (int)out, (int)in, 1.0f, x, (int)in, w, (int)out, 1.0f, y, (int)out);
}

static void layer_norm_row(const float *x, const float *gamma, const float *beta, float *y,
                           size_t n, double eps) {
  double sum = 0.0, sq = 0.0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  const double mean = sum / (double)n;
  for (size_t i = 0; i < n; i++) sq += ((double)x[i] - mean) * ((double)x[i] - mean);
  const float m = (float)mean, rstd = (float)(1.0 / sqrt(sq / (double)n + eps));
  for (size_t i = 0; i < n; i++) y[i] = (x[i] - m) * rstd * gamma[i] + (beta ? beta[i] : 0.0f);
}

static void gelu_inplace(float *x, size_t n) {
  const float scale = 0.7978845608028654f, cubic = 0.044715f;
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.0f + tanhf(scale * (v + cubic * v * v * v)));
  }
}

/* One attention job: every (row b, head h, new position r) of a block. */
typedef struct {
  const float *qkv;   /* (batch·steps, 3C) */
  const float *k, *v; /* caches (batch, heads, capacity, head size), new positions written */
  float *out;         /* (batch·steps, C) */
  float *scratch;     /* (tasks, past + steps) scores */
  const int32_t *padding;
  size_t steps, past, heads, head_size, capacity, width;
  float scale;
} attention_job;

static void attention_range(void *ctx, size_t begin, size_t end) {
  const attention_job *job = ctx;
  const size_t hs = job->head_size, keys = job->past + job->steps;
  for (size_t task = begin; task < end; task++) {
    const size_t r = task % job->steps, h = (task / job->steps) % job->heads;
    const size_t b = task / (job->steps * job->heads);
    const size_t row = b * job->steps + r;
    const float *q = job->qkv + row * 3 * job->width + h * hs;
    const size_t base = (b * job->heads + h) * job->capacity;
    float *y = job->out + row * job->width + h * hs;
    float *scores = job->scratch + task * keys;
    const size_t first = (size_t)job->padding[b], last = job->past + r; /* visible: [first, last] */
    memset(y, 0, hs * sizeof(float));
    if (first > last) continue; /* a padding position: nothing visible, its output is unused */
    float max = -INFINITY;
    for (size_t j = first; j <= last; j++) {
      scores[j] = dot(q, job->k + (base + j) * hs, hs) * job->scale;
      if (scores[j] > max) max = scores[j];
    }
    float sum = 0.0f;
    for (size_t j = first; j <= last; j++) {
      scores[j] = expf(scores[j] - max);
      sum += scores[j];
    }
    for (size_t j = first; j <= last; j++) axpy(scores[j], job->v + (base + j) * hs, y, hs);
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < hs; i++) y[i] *= inv;
  }
}

/* decodeEmbed(wte, wpe, ids, positions, out): out[i] = wte[ids[i]] + wpe[positions[i]]. */
static napi_value decode_embed(napi_env env, napi_callback_info info) {
  float *wte, *wpe, *out;
  int32_t *ids, *positions;
  size_t wte_len, wpe_len, out_len, n, n_pos;
  if (!LMKIT_ARGS(env, info, "decodeEmbed", lmkit_f32("wte", &wte, &wte_len),
                  lmkit_f32("wpe", &wpe, &wpe_len), lmkit_i32("ids", &ids, &n),
                  lmkit_i32("positions", &positions, &n_pos), lmkit_f32("out", &out, &out_len)))
    return NULL;
  if (n == 0 || n_pos != n || out_len % n != 0)
    LMKIT_THROW(env, "decodeEmbed: ids and positions must have one entry per row of out");
  const size_t width = out_len / n;
  for (size_t i = 0; i < n; i++) {
    if (ids[i] < 0 || (size_t)(ids[i] + 1) * width > wte_len || positions[i] < 0 ||
        (size_t)(positions[i] + 1) * width > wpe_len)
      LMKIT_THROW(env, "decodeEmbed: an id or position is outside its embedding table");
    const float *a = wte + (size_t)ids[i] * width, *p = wpe + (size_t)positions[i] * width;
    for (size_t c = 0; c < width; c++) out[i * width + c] = a[c] + p[c];
  }
  return NULL;
}

enum {
  B_X, B_OUT, B_LN1W, B_LN1B, B_QKVW, B_QKVB, B_PROJW, B_PROJB, B_LN2W, B_LN2B, B_FCW, B_FCB,
  B_FC2W, B_FC2B, B_K, B_V, B_COUNT_F32
};

/* decodeBlock(x, out, ln1w, ln1b, qkvw, qkvb, projw, projb, ln2w, ln2b, fcw, fcb, fc2w, fc2b,
 *   kCache, vCache, padding, dims, epsilon): one GPT-2 block over the new positions x
 *   (batch·steps, C) into out; dims = [batch, steps, past, heads, capacity]; biases may be
 *   empty; the new keys and values are written into the caches at past … past + steps − 1. */
static napi_value decode_block(napi_env env, napi_callback_info info) {
  static const char *names[B_COUNT_F32] = {"x",     "out",   "ln1w", "ln1b", "qkvw",  "qkvb",
                                           "projw", "projb", "ln2w", "ln2b", "fcw",   "fcb",
                                           "fc2w",  "fc2b",  "kCache", "vCache"};
  float *f[B_COUNT_F32];
  size_t len[B_COUNT_F32];
  int32_t *padding, *dims;
  size_t pad_len, dims_len;
  double eps;
  lmkit_arg args[B_COUNT_F32 + 3];
  for (int i = 0; i < B_COUNT_F32; i++) args[i] = lmkit_f32(names[i], &f[i], &len[i]);
  args[B_COUNT_F32] = lmkit_i32("padding", &padding, &pad_len);
  args[B_COUNT_F32 + 1] = lmkit_i32("dims", &dims, &dims_len);
  args[B_COUNT_F32 + 2] = lmkit_float("epsilon", &eps);
  if (!lmkit_args(env, info, "decodeBlock", args, B_COUNT_F32 + 3)) return NULL;
  if (dims_len != 5) LMKIT_THROW(env, "decodeBlock: dims must be [batch, steps, past, heads, capacity]");
  const size_t batch = dims[0], steps = dims[1], past = dims[2], heads = dims[3], cap = dims[4];
  const size_t c = len[B_LN1W], rows = batch * steps;
  if (c == 0 || heads == 0 || c % heads != 0 || rows == 0 || pad_len != batch)
    LMKIT_THROW(env, "decodeBlock: width must be a multiple of heads, padding one entry per row");
  const size_t hs = c / heads, keys = past + steps;
  const size_t expect[B_COUNT_F32] = {rows * c, rows * c, c, c, c * 3 * c, 3 * c, c * c, c, c,
                                      c, c * 4 * c, 4 * c, 4 * c * c, c, batch * heads * cap * hs,
                                      batch * heads * cap * hs};
  for (int i = 0; i < B_COUNT_F32; i++) {
    const int optional = i == B_LN1B || i == B_QKVB || i == B_PROJB || i == B_LN2B ||
                         i == B_FCB || i == B_FC2B;
    if (len[i] != expect[i] && !(optional && len[i] == 0))
      LMKIT_THROW(env, "decodeBlock: a weight or cache has the wrong size for its config");
  }
  if (keys > cap) LMKIT_THROW(env, "decodeBlock: past + steps exceeds the cache capacity");
  const float *bias_of[B_COUNT_F32];
  for (int i = 0; i < B_COUNT_F32; i++) bias_of[i] = len[i] ? f[i] : NULL;

  const size_t tasks = batch * heads * steps;
  float *h = malloc(rows * c * sizeof(float));
  float *qkv = malloc(rows * 3 * c * sizeof(float));
  float *up = malloc(rows * 4 * c * sizeof(float));
  float *scores = malloc(tasks * keys * sizeof(float));
  if (!h || !qkv || !up || !scores) {
    free(h), free(qkv), free(up), free(scores);
    LMKIT_THROW(env, "decodeBlock: out of memory for scratch buffers");
  }
  const float *x = f[B_X];
  float *out = f[B_OUT];
  for (size_t r = 0; r < rows; r++)
    layer_norm_row(x + r * c, f[B_LN1W], bias_of[B_LN1B], h + r * c, c, eps);
  affine(h, rows, c, f[B_QKVW], 3 * c, bias_of[B_QKVB], qkv, 0);
  /* Append the new keys and values: cache (b, head, past + r, :). */
  for (size_t b = 0; b < batch; b++)
    for (size_t r = 0; r < steps; r++) {
      const float *row = qkv + (b * steps + r) * 3 * c;
      for (size_t hd = 0; hd < heads; hd++) {
        const size_t at = ((b * heads + hd) * cap + past + r) * hs;
        memcpy(f[B_K] + at, row + c + hd * hs, hs * sizeof(float));
        memcpy(f[B_V] + at, row + 2 * c + hd * hs, hs * sizeof(float));
      }
    }
  attention_job job = {qkv, f[B_K], f[B_V], h, scores, padding, steps, past, heads, hs, cap, c,
                       (float)(1.0 / sqrt((double)hs))};
  const size_t per_task = keys * hs * 2;
  lmkit_parallel_for(tasks, (1 << 17) / per_task + 1, attention_range, &job);
  /* out = x + attention · Wproj + bproj, then out += MLP(LN2(out)). */
  memcpy(out, x, rows * c * sizeof(float));
  affine(h, rows, c, f[B_PROJW], c, bias_of[B_PROJB], out, 1);
  for (size_t r = 0; r < rows; r++)
    layer_norm_row(out + r * c, f[B_LN2W], bias_of[B_LN2B], h + r * c, c, eps);
  affine(h, rows, c, f[B_FCW], 4 * c, bias_of[B_FCB], up, 0);
  gelu_inplace(up, rows * 4 * c);
  affine(up, rows, 4 * c, f[B_FC2W], c, bias_of[B_FC2B], out, 1);
  free(h), free(qkv), free(up), free(scores);
  return NULL;
}

/* decodeLogits(x, lnw, lnb, wte, out, steps, epsilon): for the last of each row's `steps`
 * positions of x (batch·steps, C), out (batch, V) = LayerNorm(x) · wteᵀ (the tied head). */
static napi_value decode_logits(napi_env env, napi_callback_info info) {
  float *x, *lnw, *lnb, *wte, *out;
  size_t x_len, c, lnb_len, wte_len, out_len;
  int64_t steps;
  double eps;
  if (!LMKIT_ARGS(env, info, "decodeLogits", lmkit_f32("x", &x, &x_len), lmkit_f32("lnw", &lnw, &c),
                  lmkit_f32("lnb", &lnb, &lnb_len), lmkit_f32("wte", &wte, &wte_len),
                  lmkit_f32("out", &out, &out_len), lmkit_int("steps", &steps),
                  lmkit_float("epsilon", &eps)))
    return NULL;
  if (c == 0 || steps < 1 || x_len % (c * (size_t)steps) != 0 || wte_len % c != 0 ||
      (lnb_len != 0 && lnb_len != c))
    LMKIT_THROW(env, "decodeLogits: x must be (batch·steps, C) and wte (V, C)");
  const size_t batch = x_len / (c * (size_t)steps), vocab = wte_len / c;
  if (out_len != batch * vocab) LMKIT_THROW(env, "decodeLogits: out must be (batch, V)");
  float *h = malloc(batch * c * sizeof(float));
  if (!h) LMKIT_THROW(env, "decodeLogits: out of memory");
  for (size_t b = 0; b < batch; b++)
    layer_norm_row(x + ((b + 1) * (size_t)steps - 1) * c, lnw, lnb_len ? lnb : NULL, h + b * c,
                   c, eps);
  memset(out, 0, batch * vocab * sizeof(float));
  if (batch == 1) {
    gemv(LMKIT_CBLAS_NO_TRANS, vocab, c, wte, h, 1.0f, out);
  } else {
    cblas_sgemm(LMKIT_CBLAS_ROW_MAJOR, LMKIT_CBLAS_NO_TRANS, LMKIT_CBLAS_TRANS, (int)batch,
                (int)vocab, (int)c, 1.0f, h, (int)c, wte, (int)c, 1.0f, out, (int)vocab);
  }
  free(h);
  return NULL;
}

void lmkit_register_decode(napi_env env, napi_value exports) {
  lmkit_define(env, exports, "decodeEmbed", decode_embed);
  lmkit_define(env, exports, "decodeBlock", decode_block);
  lmkit_define(env, exports, "decodeLogits", decode_logits);
}
