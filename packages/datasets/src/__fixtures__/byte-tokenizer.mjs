// A byte-level tokenizer (ids 0..255 = UTF-8 bytes, then special tokens) in plain JavaScript, so
// worker threads can load it without a TypeScript loader. Used by the tokenizeToShards tests.
export function createByteTokenizer(specialTokens = ['<|endoftext|>'], wide = false) {
  const specials = new Map(specialTokens.map((name, i) => [name, 256 + i]));
  const encoder = new TextEncoder();
  // `wide` shifts byte ids past 65,535 to exercise uint32 shards.
  const offset = wide ? 70000 : 0;
  return {
    vocabSize: offset + 256 + specialTokens.length,
    encodeOrdinary: (text) => Array.from(encoder.encode(text), (b) => b + offset),
    encode(text) {
      for (const name of specials.keys()) if (text.includes(name)) throw new Error(`special token ${name} in text`);
      return this.encodeOrdinary(text);
    },
    decode: (ids) => new TextDecoder().decode(new Uint8Array(ids.filter((id) => id - offset < 256).map((id) => id - offset))),
    specialTokenId: (name) => specials.get(name),
  };
}

export async function loadByteTokenizerAsync(...args) {
  return createByteTokenizer(...args);
}
