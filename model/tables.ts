/** A DynamoDB table as both the Pulumi components and the local runtime create it. */
export interface TableDefinition {
  /** Logical name; the deployed table is `<stack prefix>-<logicalName>`. */
  readonly logicalName: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' };
  readonly sortKey?: { readonly name: string; readonly type: 'S' | 'N' };
  /** Attribute DynamoDB's TTL deletes items by (epoch seconds). */
  readonly ttlAttribute?: string;
  readonly description: string;
}

/**
 * Powertools idempotency records for every consumer. The key and expiry attribute names are the
 * persistence layer's defaults (`id`, `expiration`), kept so no consumer has to configure them.
 */
export const IDEMPOTENCY_TABLE: TableDefinition = {
  logicalName: 'idempotency',
  partitionKey: { name: 'id', type: 'S' },
  ttlAttribute: 'expiration',
  description: 'Idempotency records keyed on <consumer>#<hash of metadata.idempotencyKey>.',
};

/** Every table the system uses; infra and the local runtime iterate over this list. */
export const TABLES: readonly TableDefinition[] = [IDEMPOTENCY_TABLE];
