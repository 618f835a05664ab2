import { EventflowError } from '../../model/errors';
import type { DataOf } from '../shared';

/** The e-mail each notifying event becomes. */
export interface Email {
  readonly template: 'item-not-available' | 'payment-receipt' | 'payment-failed';
  readonly subject: string;
  readonly text: string;
}

/** The events Notifications e-mails about, each with the data of the version the model says SendEmail consumes. */
export type NotifyingEvent =
  | { readonly detailType: 'ItemNotAvailable'; readonly data: DataOf<'ItemNotAvailable', 1> }
  | { readonly detailType: 'PaymentMade'; readonly data: DataOf<'PaymentMade', 2> }
  | { readonly detailType: 'PaymentFailed'; readonly data: DataOf<'PaymentFailed', 1> };

/**
 * Pairs a delivered event's detail-type with its data. The consumer has validated the data against that event's
 * schema (of the version the model consumes) before the handler runs, which is what makes the pairing sound.
 */
export function notifyingEvent(detailType: string, data: NotifyingEvent['data']): NotifyingEvent {
  switch (detailType) {
    case 'ItemNotAvailable':
    case 'PaymentMade':
    case 'PaymentFailed':
      return { detailType, data } as NotifyingEvent;
    default:
      throw new EventflowError(`no e-mail template for ${detailType}`);
  }
}

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

/** Renders the e-mail for a notifying event, from the event's data alone (the events are full-state for this). */
export function emailFor(event: NotifyingEvent, name: string): Email {
  switch (event.detailType) {
    case 'ItemNotAvailable': {
      const { orderId, available, productId, quantity } = event.data;
      return {
        template: 'item-not-available',
        subject: `Your order ${orderId} could not be reserved`,
        text: `Hello ${name}, we have ${available} of ${productId} left, fewer than the ${quantity} you ordered. You were not charged.`,
      };
    }
    case 'PaymentMade': {
      // PaymentMade v2, the version the model's SendEmail consumes: the itemized charge.
      const { orderId, charge } = event.data;
      return {
        template: 'payment-receipt',
        subject: `Receipt for order ${orderId}`,
        text: `Hello ${name}, we received ${money(charge.total, charge.currency)}: items ${money(charge.items, charge.currency)}, delivery ${money(charge.delivery, charge.currency)}. Thank you.`,
      };
    }
    case 'PaymentFailed': {
      const { orderId, amount, currency, reason } = event.data;
      return {
        template: 'payment-failed',
        subject: `Payment for order ${orderId} failed`,
        text: `Hello ${name}, your payment of ${money(amount, currency)} was declined (${reason}). Your order was cancelled.`,
      };
    }
  }
}
