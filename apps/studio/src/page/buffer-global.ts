// Node's Buffer for the packages that use it (bpe's tokenizer file reads base64 ranks): the `buffer`
// package's implementation, injected by the bundler wherever the global `Buffer` is referenced.
export { Buffer } from 'buffer';
