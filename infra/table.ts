/**
 * The one table definition. The CDK stack and the local runtime's bootstrap both read it, so the
 * key schema, the indexes and the TTL attribute cannot drift between the cloud and a laptop.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const table = {
  /** Local table name; in the cloud CDK generates one and passes it as TABLE_NAME. */
  localName: "kassa",
  partitionKey: "PK",
  sortKey: "SK",
  /**
   * GSI1 serves listings (newest first within a merchant's collection, lookups by an alternate key).
   * GSI2 is sparse: only items waiting for timed work (due schedules, due subscriptions) carry it,
   * so a sweep reads what is due and nothing else.
   */
  indexes: [
    { name: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
    { name: "GSI2", partitionKey: "GSI2PK", sortKey: "GSI2SK" },
  ] as const satisfies readonly IndexDefinition[],
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  ttlAttribute: "expiresAt",
  /** The outbox dispatcher needs the item as written. */
  streamView: "NEW_IMAGE",
} as const;

export type IndexName = (typeof table.indexes)[number]["name"];

/** Every key attribute, for AttributeDefinitions (all strings). */
export function keyAttributes(): string[] {
  return [table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
}
