import { sagaTaskFromEnv, type SagaOrder, type StepResultFor } from '../shared';
import { StockLedger, productRefused } from './stock-ledger';
import { reservationIdFor } from './stock';
import type { EmitsOf } from '../../model/order-system';

/** What this step returns: one of the facts its action declares in the model, or nothing to do. */
type Result = StepResultFor<EmitsOf<'inventory.ReserveItem'>>;

const ledger = new StockLedger();

/**
 * Reserves stock and records the reservation in one transaction, on condition that enough is available and the
 * order has none yet: two orders can never reserve the last unit twice, and a replay never reserves again.
 */
export const handler = sagaTaskFromEnv('inventory.ReserveItem')(async ({ order }) => {
  for (let attempt = 1; ; attempt++) {
    const outcome = await ledger.reserve(order);
    if (outcome.committed) return reserved(order);
    // Reservations are never deleted, so one found now was made by an earlier run of this step (whatever became of it since).
    if (await ledger.reservation(order.orderId)) return reserved(order);
    if (productRefused(outcome)) {
      const product = await ledger.product(order.productId);
      return { fact: { detailType: 'ItemNotAvailable', data: { ...orderFields(order), available: product?.available ?? 0 } } };
    }
    await ledger.afterConflict('inventory.ReserveItem', order, attempt);
  }
});

function reserved(order: SagaOrder): Result {
  return { fact: { detailType: 'ItemReserved', data: { ...orderFields(order), reservationId: reservationIdFor(order.orderId) } } };
}

function orderFields(order: SagaOrder) {
  return { orderId: order.orderId, customerId: order.customerId, productId: order.productId, quantity: order.quantity };
}
