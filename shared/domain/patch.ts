/**
 * PATCH semantics shared by every resource: an absent field is kept, `null` clears it, anything
 * else replaces it; metadata merges key by key, a key set to `null` is removed.
 */
import { ValidationError } from "./errors.ts";

export type Patch<T> = { [K in keyof T]?: T[K] | null };

export function applyPatch<T extends object>(current: T, patch: Patch<T>): T {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as T;
}

/** What an object's metadata may hold (the request schemas in shared/api/common.ts use the same numbers). */
export const metadataLimits = { keys: 50, keyLength: 40, valueLength: 500 } as const;

/**
 * The metadata after a PATCH, or a 400 naming `metadata` when the merged result breaks the limits: each
 * request can be within them (10 new keys) while the object it lands on is not (45 keys already), so
 * the limits are checked here, on what would be stored, for every resource that merges.
 */
export function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null> | undefined,
): Record<string, string> {
  const merged = applyPatch(current, patch ?? {}) as Record<string, string>;
  const entries = Object.entries(merged);
  if (entries.length > metadataLimits.keys) {
    throw new ValidationError([
      {
        path: "metadata",
        message: `must have at most ${metadataLimits.keys} keys after the merge (it would have ${entries.length}; set keys to null to remove them)`,
      },
    ]);
  }
  for (const [key, value] of entries) {
    if (key.length > metadataLimits.keyLength || value.length > metadataLimits.valueLength) {
      throw new ValidationError([
        {
          path: `metadata.${key.slice(0, metadataLimits.keyLength)}`,
          message: `keys must have at most ${metadataLimits.keyLength} and values at most ${metadataLimits.valueLength} characters`,
        },
      ]);
    }
  }
  return merged;
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
