import { checkInvariants, regionArchivesAgree, type ArchivedEvent, type Observation } from '../../../../local/chaos/invariants';
import type { OrderView } from '../../../../functions/orders/order';

const notifying = {
  types: [
    { detailType: 'PaymentMade', version: 2 },
    { detailType: 'ItemNotAvailable', version: 1 },
  ],
};

const view = (orderId: string, status: OrderView['status'], reason: string | null = null): OrderView => ({
  orderId,
  status,
  reason,
  customerId: 'customer-1',
  productId: 'product-1',
  quantity: 1,
  createdAt: '2026-11-25T00:00:00Z',
  correlationId: `corr-${orderId}`,
  history: [],
});

let ids = 0;
const fact = (orderId: string, detailType: string, key: string, version = 1): ArchivedEvent => ({
  id: `event-${++ids}`,
  'detail-type': detailType,
  detail: { metadata: { idempotencyKey: key, version }, data: { orderId } },
});

/** A run in which one order completed and one was cancelled, everything as it should be. */
function healthy(): Observation {
  return {
    orders: [
      { orderId: 'o-1', expected: 'COMPLETED', productId: 'product-1', quantity: 1, view: view('o-1', 'COMPLETED') },
      { orderId: 'o-2', expected: 'CANCELLED PAYMENT_DECLINED', productId: 'product-1', quantity: 1, view: view('o-2', 'CANCELLED', 'PAYMENT_DECLINED') },
    ],
    archive: [
      fact('o-1', 'OrderCreated', 'k1'),
      fact('o-1', 'PaymentMade', 'k1:MakePayment', 1),
      fact('o-1', 'PaymentMade', 'k1:MakePayment', 2),
      fact('o-1', 'PaymentMade', 'k1:MakePayment', 2), // a redelivered copy: one fact
      fact('o-1', 'OrderCompleted', 'k1:OrderCompleted'),
      fact('o-2', 'OrderCreated', 'k2'),
      fact('o-2', 'OrderCancelled', 'k2:OrderCancelled'),
    ],
    emails: [email('2026-11-25T00:00:01Z')],
    deliveries: [],
    charges: [{ kind: 'charge', id: 'payment-1', idempotencyKey: 'k1:MakePayment', orderId: 'o-1', amount: 10, at: '' }],
    refunds: [],
    stock: [{ productId: 'product-1', initial: 10, available: 9, reserved: 0, shipped: 1 }],
    contacts: new Set(['customer-1']),
    deadLetters: { found: 2, redriven: 2, remaining: 0 },
    permanentlyFaulted: () => false,
    crashes: [],
  };
}

function email(receivedAt: string) {
  return { messageId: `m-${receivedAt}`, from: 'a', to: ['b'], subject: 's', text: 't', tags: { orderId: 'o-1', template: 'receipt' }, receivedAt };
}

const violations = (observation: Observation) => Object.fromEntries(checkInvariants(observation, notifying).map((result) => [result.name.split(' (')[0], result.violations]));

describe('checkInvariants', () => {
  it('finds nothing wrong with a healthy run', () => {
    const results = checkInvariants(healthy(), notifying);

    expect(results.map((result) => result.violations)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(results.every((result) => result.checked > 0)).toBe(true);
  });

  it('counts a stuck order, a lost one and one with two outcomes', () => {
    const observation = healthy();
    const broken: Observation = {
      ...observation,
      orders: [
        ...observation.orders,
        { orderId: 'o-3', expected: 'COMPLETED', productId: 'product-1', quantity: 1, view: view('o-3', 'NEEDS_ATTENTION') },
        { orderId: 'o-4', expected: 'COMPLETED', productId: 'product-1', quantity: 1, view: undefined },
      ],
      archive: [...observation.archive, fact('o-1', 'OrderCancelled', 'k1:OrderCancelled'), fact('o-3', 'OrderCreated', 'k3'), fact('o-4', 'OrderCreated', 'k4')],
    };

    const found = violations(broken);

    expect(found['orders lost or stuck']).toBe(2);
    expect(found['orders with both or neither outcome']).toBe(3); // o-1 both, o-3 and o-4 neither
  });

  it('counts a double charge, an unrefunded cancellation, lost stock and a missing e-mail', () => {
    const observation = healthy();
    const broken: Observation = {
      ...observation,
      charges: [
        ...observation.charges,
        { kind: 'charge', id: 'payment-2', idempotencyKey: 'other', orderId: 'o-1', amount: 10, at: '' },
        { kind: 'charge', id: 'payment-3', idempotencyKey: 'k2', orderId: 'o-2', amount: 10, at: '' },
      ],
      stock: [{ productId: 'product-1', initial: 10, available: 8, reserved: 0, shipped: 1 }],
      emails: [],
    };

    const found = violations(broken);

    expect(found['charges: exactly one per completed order, every charge of a cancelled order refunded']).toBe(2);
    expect(found['stock conserved per product']).toBe(1);
    expect(found['e-mails per notifying fact']).toBe(1);
  });

  it('explains a STEP_FAILED cancellation only by a permanent fault on that order', () => {
    const observation = healthy();
    const failed = { ...observation, orders: [{ orderId: 'o-1', expected: 'COMPLETED' as const, productId: 'product-1', quantity: 1, view: view('o-1', 'CANCELLED', 'STEP_FAILED') }] };

    expect(violations(failed)['outcomes not explained by the order’s data or an injected fault']).toBe(1);
    expect(violations({ ...failed, permanentlyFaulted: (orderId) => orderId === 'o-1' })['outcomes not explained by the order’s data or an injected fault']).toBe(0);
  });

  it('counts dead letters left or not redriven, and an event archived twice', () => {
    const observation = healthy();
    const first = observation.archive[0] as ArchivedEvent;

    const found = violations({ ...observation, deadLetters: { found: 3, redriven: 2, remaining: 1 }, archive: [...observation.archive, first] });

    expect(found['dead letters accounted for']).toBe(2);
    expect(found['accepted events archived once']).toBe(1);
  });

  it('explains a second e-mail only when the first went out before a kill and the second after it', () => {
    const observation = healthy();
    const twice = { ...observation, emails: [email('2026-11-25T00:00:01Z'), email('2026-11-25T00:00:05Z')] };
    const crash = { killedAt: Date.parse('2026-11-25T00:00:02Z'), restartedAt: Date.parse('2026-11-25T00:00:04Z') };

    const unexplained = checkInvariants(twice, notifying).find((result) => result.name.startsWith('e-mails'));
    const explained = checkInvariants({ ...twice, crashes: [crash] }, notifying).find((result) => result.name.startsWith('e-mails'));

    expect(unexplained).toMatchObject({ violations: 1, explained: 0 });
    expect(explained).toMatchObject({ violations: 0, explained: 1 });
  });
});

describe('regionArchivesAgree', () => {
  const throughEndpoint = new Set(['OrderCreated', 'EmailSent']);
  const home = [fact('o-1', 'OrderCreated', 'k1'), fact('o-1', 'PaymentMade', 'k1:MakePayment'), fact('o-2', 'OrderCreated', 'k2')];

  it('holds when the secondary archived every event sent through the endpoint, and nothing else', () => {
    const result = regionArchivesAgree(home, [fact('o-1', 'OrderCreated', 'k1'), fact('o-2', 'OrderCreated', 'k2')], throughEndpoint);
    expect(result).toMatchObject({ checked: 2, violations: 0 });
  });

  it('counts a replica the secondary never got, and a saga fact that reached it', () => {
    const result = regionArchivesAgree(home, [fact('o-1', 'OrderCreated', 'k1'), fact('o-1', 'PaymentMade', 'k1:MakePayment')], throughEndpoint);
    expect(result.violations).toBe(2);
    expect(result.examples).toEqual([
      'OrderCreated v1 k2: 1 in the home region, 0 in the secondary',
      'PaymentMade v1 k1:MakePayment: 1 in the secondary region, yet it is not sent through the endpoint',
    ]);
  });
});
