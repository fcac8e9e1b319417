/**
 * A value built on its first use, then kept. The zod schemas are made this way: building one runs zod
 * code (a first object, a first string check… each ~1–3 ms at a cold start), so a function that built
 * every schema of its modules at import paid for all its routes' schemas before serving one. Built on
 * first use, a request builds only what it parses, and a response schema (read by the OpenAPI document,
 * never at run time) is never built in a function. Kept: each schema is one object, so the document's
 * shared definitions and every reader see the same one.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
