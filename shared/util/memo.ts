/**
 * A value built on the first call and kept for the rest of the process (or of the closure holding it).
 *
 * For what costs at start whether or not the function ever uses it: the zod schemas of the BaseLinker and Ongoing
 * clients (each Lambda function calls only some of the methods: the articles worker never reads an order), the
 * Warsaw time formatter, the S3 label store. Wrapped, it is built at the first call that needs it.
 */
export function memo<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
