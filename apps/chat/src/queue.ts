// A bounded generation queue: `concurrency` requests hold the model, up to `maxWaiting` wait in
// arrival order, and one more is refused at once with 429 and a Retry-After estimate. A waiter
// whose client goes away leaves the line immediately; a released slot passes to the next waiter.
import { ChatServerError } from './errors.ts';

export interface QueueStats {
  active: number;
  waiting: number;
  served: number;
  rejected: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class GenerationQueue {
  readonly concurrency: number;
  readonly maxWaiting: number;
  #active = 0;
  #waiters: Waiter[] = [];
  #served = 0;
  #rejected = 0;
  #averageHoldMs = 1000;
  #closedReason: string | undefined;
  readonly #now: () => number;

  constructor(options: { concurrency: number; maxWaiting: number; now?: () => number }) {
    this.concurrency = options.concurrency;
    this.maxWaiting = options.maxWaiting;
    this.#now = options.now ?? performance.now.bind(performance);
  }

  stats(): QueueStats {
    return {
      active: this.#active,
      waiting: this.#waiters.length,
      served: this.#served,
      rejected: this.#rejected,
    };
  }

  /**
   * Waits for a generation slot; resolves with `release` (call it exactly once when done).
   * Rejects with a 429 when the line is full, or with the signal's reason when aborted.
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (this.#closedReason) return Promise.reject(this.#closed());
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.concurrency) return Promise.resolve(this.#grant());
    if (this.#waiters.length >= this.maxWaiting) {
      this.#rejected++;
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((this.#averageHoldMs * (this.#waiters.length + 1)) / this.concurrency / 1000),
      );
      return Promise.reject(
        new ChatServerError({
          status: 429,
          type: 'rate_limit_error',
          code: 'queue_full',
          retryAfterSeconds,
          message: `the generation queue is full (${this.#active} generating, ${this.#waiters.length} waiting, limit ${this.maxWaiting}); retry after ${retryAfterSeconds} s`,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiters = this.#waiters.filter((other) => other !== waiter);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Refuses new and waiting requests (503); active ones finish through their own signals. */
  close(reason: string) {
    this.#closedReason = reason;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(this.#closed());
    }
  }

  #closed() {
    return new ChatServerError({
      status: 503,
      type: 'service_unavailable',
      message: `the server is ${this.#closedReason}; retry against a running server`,
    });
  }

  #grant() {
    this.#active++;
    const startedMs = this.#now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#served++;
      this.#averageHoldMs = 0.8 * this.#averageHoldMs + 0.2 * (this.#now() - startedMs);
      const next = this.#waiters.shift();
      if (next) {
        next.signal.removeEventListener('abort', next.onAbort);
        next.resolve(this.#grant());
      }
    };
  }
}
