/**
 * PATCH semantics shared by every resource: an absent field is kept, `null` clears it, anything
 * else replaces it; metadata merges key by key, a key set to `null` is removed.
 */
export type Patch<T> = { [K in keyof T]?: T[K] | null };

export function applyPatch<T extends object>(current: T, patch: Patch<T>): T {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as T;
}

export function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null> | undefined,
): Record<string, string> {
  return applyPatch(current, patch ?? {}) as Record<string, string>;
}

/** A resource after a PATCH: fields as `applyPatch`, metadata merged key by key, `updatedAt` moved on. */
export function patchResource<T extends { metadata: Record<string, string>; updatedAt: string }>(
  current: T,
  patch: Patch<Omit<T, "metadata">> & { metadata?: Record<string, string | null> | undefined },
  now: Date,
): T {
  const { metadata, ...fields } = patch;
  return {
    ...applyPatch(current, fields as Patch<T>),
    metadata: mergeMetadata(current.metadata, metadata),
    updatedAt: now.toISOString(),
  };
}
