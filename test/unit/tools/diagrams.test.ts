import { loadOrderSystem } from '../../../model';
import { choreographyDiagram, sagaDiagram, topologyDiagram } from '../../../tools/diagrams';
import { readOrderSaga, renderOrderSaga } from '../../../statemachines/order-saga';

describe('diagrams', () => {
  it('draws every state of the saga, choices by outcome and catches as errors', () => {
    const diagram = sagaDiagram(renderOrderSaga(loadOrderSystem(), { functionArn: (id) => id, eventBusName: 'bus' }) as never);
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

describe('topology diagram', () => {
  it('draws a stage’s regions, global endpoint, cross-account route and API destination from its configuration', () => {
    const stage = {
      stage: 'prod',
      region: 'us-east-1',
      accountId: '333333333333',
      globalEndpoint: { secondaryRegion: 'us-west-2' },
      paymentsAccount: { accountId: '444444444444', region: 'us-east-1' },
      deliveryProvider: { endpoint: 'https://carrier.example/api', rateLimitPerSecond: 25 },
    };

    const diagram = topologyDiagram(loadOrderSystem(), stage);

    expect(diagram).toContain('subgraph secondary["account 333333333333 · us-west-2"]');
    expect(diagram).toContain('subgraph payments["account 444444444444 · us-east-1"]');
    expect(diagram).toContain('API destination · 25/s| provider([carrier.example])');
    expect(topologyDiagram(loadOrderSystem(), { ...stage, globalEndpoint: undefined, paymentsAccount: undefined } as never)).not.toContain('replica');
  });
});
