/**
 * Lambda event filtering, the subset Kassa's manifest uses: a pattern is an object whose leaves are
 * arrays of allowed values; a record matches when every leaf's value in the record is one of them.
 */
export function matchesPattern(record: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((allowed) => allowed === record);
  if (pattern && typeof pattern === "object") {
    if (!record || typeof record !== "object") return false;
    return Object.entries(pattern).every(([key, sub]) => matchesPattern((record as Record<string, unknown>)[key], sub));
  }
  return pattern === record;
}
