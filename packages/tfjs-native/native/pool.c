/* A small persistent pthread pool for our own kernels: lmkit_parallel_for splits [0, n) into
 * contiguous chunks run by the calling thread and up to (kernel threads − 1) workers. One job runs
 * at a time: callers on several threads (Node worker_threads) queue on job_lock. Workers sleep
 * between jobs. */
#include <pthread.h>
#include <stdlib.h>
#include "common.h"

enum { MAX_WORKERS = 63 };

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;
static pthread_t workers[MAX_WORKERS];
static int started = 0;       /* workers created so far */
static unsigned long generation = 0; /* bumped once per job */
static int pending = 0;       /* workers still running the current job */
static int active = 0;        /* workers taking part in the current job */
static lmkit_range_fn job_fn;
static void *job_ctx;
static size_t job_n, job_chunk;

static void run_chunk(int slot) {
  const size_t begin = (size_t)slot * job_chunk;
  if (begin >= job_n) return;
  const size_t end = begin + job_chunk < job_n ? begin + job_chunk : job_n;
  job_fn(job_ctx, begin, end);
}

static void *worker_main(void *arg) {
  const int index = (int)(intptr_t)arg; /* 1-based: slot 0 is the caller's */
  unsigned long seen = 0;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (generation == seen) pthread_cond_wait(&job_ready, &lock);
    seen = generation;
    if (index > active) continue;
    pthread_mutex_unlock(&lock);
    run_chunk(index);
    pthread_mutex_lock(&lock);
    if (--pending == 0) pthread_cond_signal(&job_done);
  }
  return NULL;
}

void lmkit_parallel_for(size_t n, size_t min_per_thread, lmkit_range_fn fn, void *ctx) {
  if (n == 0) return;
  int threads = lmkit_kernel_threads();
  if (threads > MAX_WORKERS + 1) threads = MAX_WORKERS + 1;
  if (min_per_thread < 1) min_per_thread = 1;
  const size_t most = n / min_per_thread;
  if ((size_t)threads > most) threads = most < 1 ? 1 : (int)most;
  if (threads <= 1) {
    fn(ctx, 0, n);
    return;
  }
  pthread_mutex_lock(&job_lock);
  pthread_mutex_lock(&lock);
  while (started < threads - 1) {
    if (pthread_create(&workers[started], NULL, worker_main, (void *)(intptr_t)(started + 1)) != 0) break;
    pthread_detach(workers[started]);
    started++;
  }
  if (started < threads - 1) threads = started + 1;
  job_fn = fn;
  job_ctx = ctx;
  job_n = n;
  job_chunk = (n + (size_t)threads - 1) / (size_t)threads;
  active = threads - 1;
  pending = threads - 1;
  generation++;
  pthread_cond_broadcast(&job_ready);
  pthread_mutex_unlock(&lock);
  run_chunk(0);
  pthread_mutex_lock(&lock);
  while (pending > 0) pthread_cond_wait(&job_done, &lock);
  pthread_mutex_unlock(&lock);
  pthread_mutex_unlock(&job_lock);
}
