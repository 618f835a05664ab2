import type { EventData } from '../shared';
import { EventflowError } from '../../model/errors';

/** The e-mail each notifying event becomes. */
export interface Email {
  readonly template: 'item-not-available' | 'payment-receipt' | 'payment-failed';
  readonly subject: string;
  readonly text: string;
}

const money = (minor: unknown, currency: unknown) => `${(Number(minor) / 100).toFixed(2)} ${String(currency)}`;

/** Renders the e-mail for a detail-type, from the event's data alone (the events are full-state for this). */
export function emailFor(detailType: string, data: EventData, name: string): Email {
  switch (detailType) {
    case 'ItemNotAvailable':
      return {
        template: 'item-not-available',
        subject: `Your order ${String(data.orderId)} could not be reserved`,
        text: `Hello ${name}, we have ${String(data.available)} of ${String(data.productId)} left, fewer than the ${String(data.quantity)} you ordered. You were not charged.`,
      };
    case 'PaymentMade': {
      // Reads PaymentMade v2 (the version the model's SendEmail consumes): the itemized charge.
      const charge = data.charge as { readonly currency: string; readonly items: number; readonly delivery: number; readonly total: number };
      return {
        template: 'payment-receipt',
        subject: `Receipt for order ${String(data.orderId)}`,
        text: `Hello ${name}, we received ${money(charge.total, charge.currency)}: items ${money(charge.items, charge.currency)}, delivery ${money(charge.delivery, charge.currency)}. Thank you.`,
      };
    }
    case 'PaymentFailed':
      return {
        template: 'payment-failed',
        subject: `Payment for order ${String(data.orderId)} failed`,
        text: `Hello ${name}, your payment of ${money(data.amount, data.currency)} was declined (${String(data.reason)}). Your order was cancelled.`,
      };
    default:
      throw new EventflowError(`no e-mail template for ${detailType}`);
  }
}
