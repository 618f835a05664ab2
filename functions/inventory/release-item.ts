import { sagaTaskFromEnv, type StepResultFor } from '../shared';
import { StockCountsError } from './errors';
import { StockLedger, productRefused } from './stock-ledger';
import { UNITS_HELD_IN, type Reservation } from './stock';
import type { EmitsOf } from '../../model/order-system';

/** What this step returns: one of the facts its action declares in the model, or nothing to do. */
type Result = StepResultFor<EmitsOf<'inventory.ReleaseItem'>>;

const ledger = new StockLedger();

/**
 * Compensation: puts the order's units back on the shelf, from `reserved` (RESERVED) or from `shipped` (REMOVED: the
 * order is cancelled after its units were taken out, so they never left), and marks the reservation RELEASED, in one
 * transaction. A replay after that finds it RELEASED and answers the same; with no reservation there is nothing to
 * announce. A transaction cancelled because the reservation moved meanwhile is decided again from its new state.
 */
export const handler = sagaTaskFromEnv('inventory.ReleaseItem')(async ({ order }) => {
  let reservation = await ledger.reservation(order.orderId);
  for (let attempt = 1; ; attempt++) {
    if (!reservation) return { nothing: 'NothingToRelease' };
    if (reservation.state === 'RELEASED') return released(reservation);
    const from = reservation.state;
    const outcome = await ledger.move(reservation, from, 'RELEASED');
    if (outcome.committed) return released(reservation);
    reservation = await ledger.reservation(order.orderId);
    if (reservation?.state !== from) continue;
    if (productRefused(outcome)) {
      throw new StockCountsError(`inventory.ReleaseItem: ${reservation.productId} has fewer than ${reservation.quantity} units ${UNITS_HELD_IN[from]}, yet ${reservation.reservationId} holds them`);
    }
    await ledger.afterConflict('inventory.ReleaseItem', reservation, attempt);
  }
});

function released(reservation: Reservation): Result {
  const { orderId, productId, quantity, reservationId } = reservation;
  return { fact: { detailType: 'ItemReleased', data: { orderId, productId, quantity, reservationId } } };
}
