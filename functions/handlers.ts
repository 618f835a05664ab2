import { join } from 'node:path';
import type { Action, Application } from '../model/application';
import { repoRoot } from '../model/paths';
import { CONTACTS_TABLE, CUSTOMERS_TABLE, DELIVERIES_TABLE, IDEMPOTENCY_TABLE, INVENTORY_TABLE, ORDERS_TABLE, PAYMENTS_TABLE, RESERVATIONS_TABLE, type TableDefinition } from '../model/tables';

/** The actions that run as a function: API routes, saga steps that do work, and subscriptions delivered to Lambda. */
export function functionActions(app: Application): Action[] {
  return app.actions.filter(
    (action) =>
      action.trigger.kind === 'api' ||
      (action.trigger.kind === 'saga-step' && !action.trigger.publishOnly) ||
      (action.trigger.kind === 'subscription' && action.trigger.target === 'lambda'),
  );
}

/** Where an action's handler lives: `functions/<service>/<kebab-case action>.ts`, exporting `handler`. */
export function handlerFile(actionId: string): string {
  const [service, action] = actionId.split('.') as [string, string];
  return join(repoRoot(), 'functions', service, `${action.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
}

/** What a function does beyond its tables, so its role can grant exactly that. */
export interface FunctionNeeds {
  readonly tables: ReadonlyArray<{ readonly table: TableDefinition; readonly access: 'read' | 'write' }>;
  /** Calls PutEvents itself (the saga publishes for its tasks). */
  readonly publishes?: boolean;
  readonly startsSaga?: boolean;
  /** Reads the state of an order's saga execution (DescribeExecution). */
  readonly readsSaga?: boolean;
  readonly sendsEmail?: boolean;
}

const idempotent = { table: IDEMPOTENCY_TABLE, access: 'write' } as const;
// The reservation steps change a reservation and its product's counters in one transaction; IAM authorizes each of
// its items as the UpdateItem or PutItem it is, so write access to both tables is what TransactWriteItems needs.
const stock = { table: INVENTORY_TABLE, access: 'write' } as const;
const reservations = { table: RESERVATIONS_TABLE, access: 'write' } as const;

/** Each function's needs, declared once; infra turns them into IAM statements and environment variables. */
export const FUNCTION_NEEDS: Readonly<Record<string, FunctionNeeds>> = {
  'orders.CreateOrder': { tables: [{ table: ORDERS_TABLE, access: 'write' }], publishes: true },
  'orders.GetOrder': { tables: [{ table: ORDERS_TABLE, access: 'read' }], readsSaga: true },
  'orders.StartOrderSaga': { tables: [idempotent], startsSaga: true },
  'orders.RecordOrderOutcome': { tables: [{ table: ORDERS_TABLE, access: 'write' }, idempotent] },
  'inventory.ReserveItem': { tables: [stock, reservations, idempotent] },
  'inventory.DescribeItem': { tables: [{ table: INVENTORY_TABLE, access: 'read' }] },
  'inventory.RemoveItem': { tables: [stock, reservations, idempotent] },
  'inventory.ReleaseItem': { tables: [stock, reservations, idempotent] },
  'customer.DescribeCustomer': { tables: [{ table: CUSTOMERS_TABLE, access: 'read' }] },
  'delivery.EstimateDelivery': { tables: [] },
  'delivery.StartDelivery': { tables: [{ table: DELIVERIES_TABLE, access: 'write' }, idempotent] },
  'payment.MakePayment': { tables: [{ table: PAYMENTS_TABLE, access: 'write' }, idempotent] },
  'payment.RefundPayment': { tables: [{ table: PAYMENTS_TABLE, access: 'write' }, idempotent] },
  'notifications.SendEmail': { tables: [{ table: CONTACTS_TABLE, access: 'read' }, idempotent], publishes: true, sendsEmail: true },
};
