/**
 * A value built on the first call and kept for the rest of the process.
 *
 * For the zod schemas of the BaseLinker and Ongoing clients: building a schema costs at module load whether or
 * not the function ever parses with it, and each Lambda function calls only some of the methods (the articles
 * worker never reads an order). Wrapped, a schema is built at the first parse that needs it, once per process.
 */
export function memo<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
