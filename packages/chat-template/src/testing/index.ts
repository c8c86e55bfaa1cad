// Test helpers other packages' tests may import as `@lmkit/chat-template/testing`.
export { type ByteTokenizer, byteTokenizer } from './byte-tokenizer.ts';
