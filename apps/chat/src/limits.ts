// Server limits: one typed config, defaults beside each field, frozen once resolved.
// Limits keep one bad or greedy client from holding the model or the memory of the process.

export interface ServerLimits {
  /** Largest request body accepted, in bytes (413 above). Default 1 MiB. */
  maxBodyBytes: number;
  /** Largest `max_tokens` a request may ask for (400 above); also the default. Default 512. */
  maxReplyTokens: number;
  /** Requests generating at once; the model serves them in turn. Default 1. */
  concurrency: number;
  /** Requests allowed to wait for a slot; one more gets 429 with Retry-After. Default 16. */
  maxWaiting: number;
  /** Most messages in one conversation (400 above). Default 256. */
  maxMessages: number;
  /** Most stop sequences (OpenAI allows 4). Default 4. */
  maxStopSequences: number;
}

export const defaultLimits: Readonly<ServerLimits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxReplyTokens: 512,
  concurrency: 1,
  maxWaiting: 16,
  maxMessages: 256,
  maxStopSequences: 4,
});

export function resolveLimits(overrides: Partial<ServerLimits> = {}): Readonly<ServerLimits> {
  const limits = { ...defaultLimits };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < (key === 'maxWaiting' ? 0 : 1)) {
      throw new RangeError(`limit ${key}=${value} must be a positive integer; pass a whole number`);
    }
    limits[key as keyof ServerLimits] = value as number;
  }
  return Object.freeze(limits);
}
