/** A DynamoDB table as both the Pulumi components and the local runtime create it. */
export interface TableDefinition {
  /** Logical name; the deployed table is `<stack prefix>-<logicalName>`. */
  readonly logicalName: string;
  /** The service that owns the table; only its functions are granted access. */
  readonly owner: string;
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' };
  /** Attribute DynamoDB's TTL deletes items by (epoch seconds). */
  readonly ttlAttribute?: string;
  readonly description: string;
}

const table = (logicalName: string, owner: string, partitionKey: string, description: string, ttlAttribute?: string): TableDefinition => ({
  logicalName,
  owner,
  partitionKey: { name: partitionKey, type: 'S' },
  description,
  ...(ttlAttribute ? { ttlAttribute } : {}),
});

export const ORDERS_TABLE = table('orders', 'orders', 'orderId', 'Orders with their status and status history.');
/**
 * One item per product. Every unit is counted in exactly one of `available`, `reserved` or `shipped`, so the three
 * always add up to the stock received; which one holds an order's units follows its reservation's state.
 */
export const INVENTORY_TABLE = table('inventory', 'inventory', 'productId', 'Products: name, price, and stock counted as available, reserved and shipped.');
/**
 * One item per order that reserved stock, kept after it is removed or released: a step replayed after a crash reads
 * here what it already did. A reservation and the product counters its units sit in change together, in one
 * TransactWriteItems request, so no crash between two requests can leave them disagreeing.
 */
export const RESERVATIONS_TABLE = table('reservations', 'inventory', 'orderId', 'Reservations by order: product, quantity and state (RESERVED, REMOVED or RELEASED).');
export const CUSTOMERS_TABLE = table('customers', 'customer', 'customerId', 'Customers: name, e-mail, shipping address, payment token.');
export const PAYMENTS_TABLE = table('payments', 'payment', 'orderId', 'One payment per order, and its refund.');
export const DELIVERIES_TABLE = table('deliveries', 'delivery', 'orderId', 'One delivery per order.');
/** Notifications keeps its own contact directory, so it never asks the customer service for an address. */
export const CONTACTS_TABLE = table('contacts', 'notifications', 'customerId', 'Where and how to reach each customer.');
/**
 * Powertools idempotency records for every consumer and saga task. The key and expiry attribute names are the
 * persistence layer's defaults (`id`, `expiration`), kept so no consumer has to configure them.
 */
export const IDEMPOTENCY_TABLE = table('idempotency', 'shared', 'id', 'Idempotency records keyed on <consumer>#<hash of the idempotency key>.', 'expiration');

/** Every table the system uses; infra and the local runtime iterate over this list. */
export const TABLES: readonly TableDefinition[] = [ORDERS_TABLE, INVENTORY_TABLE, RESERVATIONS_TABLE, CUSTOMERS_TABLE, PAYMENTS_TABLE, DELIVERIES_TABLE, CONTACTS_TABLE, IDEMPOTENCY_TABLE];

/** A table's physical name in one deployment: `<prefix>-<logical name>`, as infra and the local runtime name it. */
export function physicalTableName(prefix: string, table: TableDefinition): string {
  return `${prefix}-${table.logicalName}`;
}

/** The environment variable a function reads the table's physical name from, e.g. `ORDERS_TABLE_NAME`. */
export function tableEnvVar(definition: TableDefinition): string {
  return `${definition.logicalName.toUpperCase().replace(/-/g, '_')}_TABLE_NAME`;
}
