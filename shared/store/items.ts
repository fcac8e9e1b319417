/**
 * One mapping per entity between its domain object and its table item. An item is the entity's
 * storage attributes (keys, index keys, `type`, `version`; see `storageAttributes` in keys.ts) next
 * to its domain fields, which never share a name: a domain field named like a storage attribute must
 * be renamed by the entity's `attributes` mapping, or `toItem` refuses it. Above all a domain
 * `expiresAt` (discount codes, payment links, quotes) must never land on the table's TTL attribute,
 * or DynamoDB would delete the item once that time passes.
 */
import { type Key, storageCollisions, withoutKeys } from "./keys.ts";

/** How a domain object's fields are stored, for an entity that renames some of them. */
export interface AttributeMapping<T> {
  toAttributes(value: T): Record<string, unknown>;
  fromAttributes(attributes: Record<string, unknown>): T;
}

export interface ItemSpec<T> {
  /** The item's `type` attribute. */
  type: string;
  attributes?: AttributeMapping<T>;
  /** Values for fields that items written before those fields existed lack. */
  defaults?: Partial<T>;
}

export interface ItemMapping<T> {
  readonly type: string;
  /** The item of `value` under `keys` (its primary and any index keys), at `version` when versioned. */
  toItem(keys: Key, value: T, version?: number): Record<string, unknown>;
  /** The domain object of an item: its storage attributes dropped, renamed fields restored. */
  fromItem(item: Record<string, unknown>): T;
}

export function itemMapping<T extends object>(spec: ItemSpec<T>): ItemMapping<T> {
  const toAttributes = spec.attributes?.toAttributes ?? ((value: T) => value as Record<string, unknown>);
  const fromAttributes =
    spec.attributes?.fromAttributes ?? ((attributes: Record<string, unknown>) => attributes as T);
  return {
    type: spec.type,
    toItem(keys, value, version) {
      const fields = toAttributes(value);
      const collisions = storageCollisions(fields);
      if (collisions.length > 0) {
        throw new Error(
          `A ${spec.type} cannot be stored: ${collisions.join(", ")} ${collisions.length > 1 ? "are storage attributes" : "is a storage attribute"} of the table; store the field under another name (ItemSpec.attributes)`,
        );
      }
      return { ...keys, type: spec.type, ...(version !== undefined ? { version } : {}), ...fields };
    },
    fromItem: (item) => ({ ...spec.defaults, ...fromAttributes(withoutKeys(item)) }),
  };
}
