import { sagaTaskFromEnv, type SagaOrder, type StepResultFor } from '../shared';
import { StockCountsError } from './errors';
import { StockLedger, productRefused } from './stock-ledger';
import { reservationIdFor, type Reservation } from './stock';
import type { EmitsOf } from '../../model/order-system';

/** What this step returns: one of the facts its action declares in the model, or nothing to do. */
type Result = StepResultFor<EmitsOf<'inventory.RemoveItem'>>;

const ledger = new StockLedger();

/**
 * Turns the paid reservation into shipped stock: RESERVED → REMOVED and its units from `reserved` to `shipped`, in
 * one transaction. A replay after that went through finds it REMOVED and answers the same; a reservation that is
 * missing or was released is reported, and the saga refunds.
 */
export const handler = sagaTaskFromEnv('inventory.RemoveItem')(async ({ order }) => {
  for (let attempt = 1; ; attempt++) {
    const outcome = await ledger.move(order, 'RESERVED', 'REMOVED');
    if (outcome.committed) return removed(order);
    const reservation = await ledger.reservation(order.orderId);
    if (reservation?.state === 'REMOVED') return removed(order);
    if (reservation?.state !== 'RESERVED') return unreserved(order, reservation);
    if (productRefused(outcome)) {
      throw new StockCountsError(`inventory.RemoveItem: ${order.productId} has fewer than ${order.quantity} units reserved, yet ${reservationIdFor(order.orderId)} holds them`);
    }
    await ledger.afterConflict('inventory.RemoveItem', order, attempt);
  }
});

function removed(order: SagaOrder): Result {
  return { fact: { detailType: 'ItemRemoved', data: { orderId: order.orderId, productId: order.productId, quantity: order.quantity, reservationId: reservationIdFor(order.orderId) } } };
}

function unreserved(order: SagaOrder, reservation: Reservation | undefined): Result {
  const reason = reservation ? `the reservation was released at ${reservation.releasedAt ?? 'an unknown time'}` : 'no reservation for this order';
  return { fact: { detailType: 'ErrorItemUnreserved', data: { orderId: order.orderId, productId: order.productId, reservationId: reservationIdFor(order.orderId), reason } } };
}
