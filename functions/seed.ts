import { CONTACTS_TABLE, CUSTOMERS_TABLE, INVENTORY_TABLE, type TableDefinition } from '../model/tables';
import { DEMO_CUSTOMERS } from './customer/seed';
import { DEMO_PRODUCTS } from './inventory/seed';
import { DEMO_CONTACTS } from './notifications/seed';

/** The demo data each service seeds into its own table, for local runs and tests. */
export const DEMO_DATA: ReadonlyArray<{ readonly table: TableDefinition; readonly items: readonly object[] }> = [
  { table: INVENTORY_TABLE, items: DEMO_PRODUCTS },
  { table: CUSTOMERS_TABLE, items: DEMO_CUSTOMERS },
  { table: CONTACTS_TABLE, items: DEMO_CONTACTS },
];
