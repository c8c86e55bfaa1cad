// Bits per byte: a loss that does not depend on the tokenizer, so runs with different vocabularies
// compare. Mean loss in nats per token × tokens ÷ bytes ÷ ln 2.

/**
 * `bitsPerByte({ lossNats: 1.0, tokens: 100, bytes: 400 })` → 0.3607 (a 4-byte-per-token
 * tokenizer at 1 nat per token).
 */
export function bitsPerByte(options: { lossNats: number; tokens: number; bytes: number }): number {
  return (options.lossNats * options.tokens) / options.bytes / Math.LN2;
}

const encoder = new TextEncoder();

/** UTF-8 length of a decoded token row, the byte count bits per byte divides by. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}
