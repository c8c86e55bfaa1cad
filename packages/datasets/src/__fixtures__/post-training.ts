// Helpers of the post-training tests (converters, preference pairs): where the fixtures are, and
// an async iterable collected into an array.

/** A hand-written fixture of src/__fixtures__/post-training/ (see its README.md). */
export const postTrainingFixture = (name: string) =>
  new URL(`./post-training/${name}`, import.meta.url).pathname;

/** The real oasst1 sample shipped with the repository (100 English trees). */
export const oasstSample = new URL(
  '../../../../data/conversations/oasst1-en-100-trees.jsonl',
  import.meta.url,
).pathname;

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
