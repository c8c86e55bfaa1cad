// The one error class of @lmkit/tfjs-native: bad options or an unusable backend, with a message
// that names the value, the limit and the fix.

export class TfjsNativeError extends Error {
  override name = 'TfjsNativeError';
}
