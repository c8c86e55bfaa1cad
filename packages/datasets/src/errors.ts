// The one error base class of @lmkit/datasets. Every error names the value, the limit and the fix;
// subclasses only sharpen the kind (shard format, bad input line) so callers can catch narrowly.

export class DatasetsError extends Error {
  override name = 'DatasetsError';
}
