// Token ids → text deltas, safely: a byte-level BPE token can end inside a UTF-8 character, so
// text is held until it decodes without a trailing U+FFFD; and text that could still turn into a
// stop sequence is held until it either completes one (the reply ends there) or cannot.

/** Incremental decoding that never emits half a character. */
export class IncrementalDecoder {
  #pending: number[] = [];
  readonly #decode: (ids: readonly number[]) => string;

  constructor(decode: (ids: readonly number[]) => string) {
    this.#decode = decode;
  }

  /** Text completed by this token ('' while a character is still split across tokens). */
  push(id: number): string {
    this.#pending.push(id);
    const text = this.#decode(this.#pending);
    // A UTF-8 character spans at most 4 bytes: past that, the replacement character is real.
    if (text.endsWith('\uFFFD') && this.#pending.length < 4) return '';
    this.#pending = [];
    return text;
  }

  /** Whatever is still held (an incomplete character decodes to U+FFFD). */
  flush(): string {
    if (this.#pending.length === 0) return '';
    const text = this.#decode(this.#pending);
    this.#pending = [];
    return text;
  }
}

/**
 * Cuts the text at the first stop sequence. Example with stop ["\nUser:"]: push("Hi\nUs") emits
 * "Hi" and holds "\nUs"; push("er: x") finds the stop and emits nothing more.
 */
export class StopMatcher {
  #held = '';
  #stopped = false;
  readonly #stops: string[];

  constructor(stops: string[]) {
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  get stopped() {
    return this.#stopped;
  }

  /** The text that is safe to emit now. */
  push(text: string): string {
    if (this.#stopped) return '';
    const buffer = this.#held + text;
    let cut = -1;
    for (const stop of this.#stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.#stopped = true;
      this.#held = '';
      return buffer.slice(0, cut);
    }
    let keep = 0;
    for (const stop of this.#stops) {
      for (let length = Math.min(stop.length - 1, buffer.length); length > keep; length--) {
        if (buffer.endsWith(stop.slice(0, length))) {
          keep = length;
          break;
        }
      }
    }
    this.#held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /** The held text, once the reply has ended without completing a stop sequence. */
  flush(): string {
    const rest = this.#held;
    this.#held = '';
    return this.#stopped ? '' : rest;
  }
}
