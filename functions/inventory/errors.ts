import { EventflowError } from '../../model/errors';

/**
 * A product's counters cannot hold a move its reservation allows (e.g. `reserved` is below a RESERVED reservation's
 * quantity): the stock was changed outside the reservation steps. Never retried; the counts need an operator.
 */
export class StockCountsError extends EventflowError {
  readonly retryable = false;
}
