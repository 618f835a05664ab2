import { loadOrderSystem } from '../../../model';
import { choreographyDiagram, sagaDiagram } from '../../../model/diagrams';
import { readOrderSaga } from '../../../statemachines/order-saga';

describe('diagrams', () => {
  it('draws every state of the saga, choices by outcome and catches as errors', () => {
    const diagram = sagaDiagram(readOrderSaga() as never);
    const states = Object.keys(readOrderSaga().States);

    for (const state of states) expect(diagram).toMatch(new RegExp(`\\b${state}\\b`));
    expect(diagram).toContain('PaymentOutcome --> PaymentDeclinedReason: PaymentFailed');
    expect(diagram).toContain('MakePayment --> StepFailedAfterPaymentAttempt: error');
    expect(diagram.indexOf('state PaymentOutcome <<choice>>')).toBeLessThan(diagram.indexOf('[*] --> ReserveItem'));
  });

  it('draws choreographed subscriptions apart from saga steps', () => {
    const diagram = choreographyDiagram(loadOrderSystem());

    expect(diagram).toContain('PaymentMade ==>|rule| notifications_SendEmail[notifications.SendEmail]');
    expect(diagram).toContain('PaymentMade -.->|saga| inventory_RemoveItem[inventory.RemoveItem]');
    expect(diagram).toContain('payment_MakePayment[payment.MakePayment] --> PaymentMade');
  });
});
