import { emailFor, notifyingEvent } from '../../../../functions/notifications/templates';
import { fixtureEvent } from '../../../helpers/fixtures';

describe('the notification templates', () => {
  it('renders each notifying event from its data alone, amounts in the currency’s major unit', () => {
    const made = fixtureEvent('PaymentMade', 2).detail.data;
    const failed = fixtureEvent('PaymentFailed').detail.data;
    const missing = fixtureEvent('ItemNotAvailable').detail.data;

    expect(emailFor({ detailType: 'PaymentMade', data: made }, 'Ada').text).toBe(
      `Hello Ada, we received ${(made.charge.total / 100).toFixed(2)} ${made.charge.currency}: items ${(made.charge.items / 100).toFixed(2)} ${made.charge.currency}, delivery ${(made.charge.delivery / 100).toFixed(2)} ${made.charge.currency}. Thank you.`,
    );
    expect(emailFor({ detailType: 'PaymentFailed', data: failed }, 'Ada')).toMatchObject({ template: 'payment-failed', subject: `Payment for order ${failed.orderId} failed` });
    expect(emailFor({ detailType: 'ItemNotAvailable', data: missing }, 'Ada').text).toContain(`we have ${missing.available} of ${missing.productId} left`);
  });

  it('refuses an event it has no template for, naming it', () => {
    expect(() => notifyingEvent('OrderCompleted', fixtureEvent('PaymentFailed').detail.data)).toThrow('no e-mail template for OrderCompleted');
  });
});
