import { INVENTORY_TABLE, PAYMENTS_TABLE, loadCatalog } from '../../model';
import { RESERVATIONS_TABLE } from '../../model/tables';
import type { Product, Reservation } from '../../functions/inventory/stock';
import { TestPaymentProvider } from '../../functions/payment/provider';
import { SagaHarness } from '../helpers/saga-harness';

const HAPPY_PATH = ['ItemReserved', 'ItemDescribed', 'CustomerDescribed', 'DeliveryEstimated', 'PaymentMade', 'ItemRemoved', 'DeliveryStarted', 'OrderCompleted'];

describe('order saga (real ASL, real handlers, dynalite)', () => {
  let saga: SagaHarness;
  let orderNumber = 0;
  const newOrder = (customerId: string, productId: string, quantity = 1) => ({ orderId: `order-${++orderNumber}`, customerId, productId, quantity });
  const types = (orderId: string) => saga.factsOf(orderId).map((fact) => fact['detail-type']);
  const stock = async (productId: string) => (await saga.item<Product>(INVENTORY_TABLE, { productId }))!;
  const reservation = (orderId: string) => saga.item<Reservation>(RESERVATIONS_TABLE, { orderId });
  /** Units of a product accounted for: available, reserved and shipped. Compensation must keep it constant. */
  const accounted = (product: Product) => product.available + product.reserved + product.shipped;

  beforeAll(async () => (saga = await new SagaHarness().start()));
  afterAll(() => saga.stop());
  afterEach(() => {
    for (const key of Object.keys(saga.wrappers)) delete saga.wrappers[key];
  });

  it('completes an order and publishes each step’s fact in order, each valid against the catalog', async () => {
    const order = newOrder('customer-1', 'product-1', 2);
    const before = await stock('product-1');

    const execution = await saga.run(order);

    expect(execution.status).toBe('SUCCEEDED');
    expect(types(order.orderId)).toEqual(HAPPY_PATH);
    // The cost of an order in Step Functions: one transition per state entered, one PutEvents call per fact.
    expect(execution.history.filter((event) => event.type === 'StateEntered')).toHaveLength(20);
    const catalog = loadCatalog();
    const liveVersions = (name: string) => catalog.liveVersions(name, new Date()).map((entry) => entry.version);
    expect(saga.entriesOf(order.orderId).map((entry) => `${entry['detail-type']} v${String(entry.detail.metadata.version)}`)).toEqual(
      HAPPY_PATH.flatMap((name) => liveVersions(name).map((version) => `${name} v${version}`)),
    );
    for (const fact of saga.entriesOf(order.orderId)) {
      const entry = catalog.find(fact['detail-type'], fact.detail.metadata.version as number)!;
      expect({ fact: fact['detail-type'], violations: catalog.checkFor(entry)(fact) }).toEqual({ fact: fact['detail-type'], violations: [] });
      expect(fact.detail.metadata.correlationId).toBe(`correlation-${order.orderId}`);
    }
    const keys = saga.factsOf(order.orderId).map((fact) => fact.detail.metadata.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    const after = await stock('product-1');
    expect(after).toMatchObject({ available: before.available - 2, reserved: before.reserved, shipped: before.shipped + 2 });
    expect(await reservation(order.orderId)).toMatchObject({ productId: 'product-1', quantity: 2, state: 'REMOVED' });
  });

  it('cancels an order for an item out of stock, with nothing to compensate', async () => {
    const order = newOrder('customer-1', 'product-sold-out');

    const execution = await saga.run(order);

    expect(execution.status).toBe('SUCCEEDED');
    expect(types(order.orderId)).toEqual(['ItemNotAvailable', 'OrderCancelled']);
    expect(saga.factsOf(order.orderId)[1]?.detail.data).toMatchObject({ reason: 'ITEM_NOT_AVAILABLE' });
  });

  it('releases the reservation and cancels for an unknown customer', async () => {
    const order = newOrder('customer-unknown', 'product-1', 3);
    const before = await stock('product-1');

    await saga.run(order);

    expect(types(order.orderId)).toEqual(['ItemReserved', 'ItemDescribed', 'ErrorCustomerDescribed', 'ItemReleased', 'OrderCancelled']);
    expect(saga.factsOf(order.orderId)[4]?.detail.data).toMatchObject({ reason: 'CUSTOMER_UNKNOWN' });
    expect(await stock('product-1')).toMatchObject({ available: before.available, reserved: before.reserved, shipped: before.shipped });
    expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED' });
  });

  it('releases the reservation when the payment is declined, conserving inventory', async () => {
    const order = newOrder('customer-declined', 'product-1', 4);
    const before = await stock('product-1');

    const execution = await saga.run(order);

    expect(execution.status).toBe('SUCCEEDED');
    expect(types(order.orderId)).toEqual(['ItemReserved', 'ItemDescribed', 'CustomerDescribed', 'DeliveryEstimated', 'PaymentFailed', 'ItemReleased', 'OrderCancelled']);
    expect(saga.factsOf(order.orderId)[6]?.detail.data).toMatchObject({ reason: 'PAYMENT_DECLINED', detail: 'CARD_DECLINED' });
    const after = await stock('product-1');
    expect(after.available).toBe(before.available);
    expect(accounted(after)).toBe(accounted(before));
    expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED' });
    expect(await saga.item(PAYMENTS_TABLE, { orderId: order.orderId })).toBeUndefined();
  });

  it('retries transient failures with backoff, then succeeds', async () => {
    let failures = 2;
    saga.wrappers['customer.DescribeCustomer'] = (real) => async (input) => {
      if (failures-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
      return real(input);
    };
    const order = newOrder('customer-1', 'product-1');

    const execution = await saga.run(order);

    expect(execution.status).toBe('SUCCEEDED');
    expect(types(order.orderId)).toEqual(HAPPY_PATH);
    expect(execution.history.filter((event) => event.type === 'StateRetried')).toHaveLength(2);
  });

  it('does not retry a business outcome or a non-transient error', async () => {
    let calls = 0;
    saga.wrappers['inventory.DescribeItem'] = () => async () => {
      calls++;
      throw Object.assign(new Error('bad mapping'), { name: 'TypeError' });
    };
    const order = newOrder('customer-1', 'product-1');

    const execution = await saga.run(order);

    expect(calls).toBe(1);
    expect(execution.status).toBe('FAILED');
    expect(types(order.orderId)).toEqual(['ItemReserved', 'ItemReleased', 'OrderCancelled']);
  });

  it('compensates in reverse order when retries are exhausted after payment: refund, release, cancel', async () => {
    let attempts = 0;
    saga.wrappers['inventory.RemoveItem'] = () => async () => {
      attempts++;
      throw Object.assign(new Error('DynamoDB timed out'), { name: 'TransientStepError' });
    };
    const order = newOrder('customer-1', 'product-1', 5);
    const before = await stock('product-1');

    const execution = await saga.run(order);

    expect(attempts).toBe(4);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'StepFailed' });
    expect(types(order.orderId)).toEqual(['ItemReserved', 'ItemDescribed', 'CustomerDescribed', 'DeliveryEstimated', 'PaymentMade', 'PaymentRefunded', 'ItemReleased', 'OrderCancelled']);
    expect(saga.factsOf(order.orderId)[7]?.detail.data).toMatchObject({ reason: 'STEP_FAILED', detail: 'TransientStepError' });
    expect(await saga.item(PAYMENTS_TABLE, { orderId: order.orderId })).toMatchObject({ status: 'REFUNDED' });
    expect(await stock('product-1')).toMatchObject({ available: before.available, reserved: before.reserved, shipped: before.shipped });
    expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED' });
  });

  it('puts removed units back on the shelf when a step after RemoveItem fails for good: refund, release, cancel', async () => {
    let deliveries = 0;
    saga.wrappers['delivery.StartDelivery'] = () => async () => {
      deliveries++;
      throw Object.assign(new Error('the provider rejected the address'), { name: 'DeliveryRejectedError' });
    };
    const order = newOrder('customer-1', 'product-1', 3);
    const before = await stock('product-1');

    const execution = await saga.run(order);

    expect(deliveries).toBe(1);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'StepFailed' });
    expect(types(order.orderId)).toEqual([
      'ItemReserved',
      'ItemDescribed',
      'CustomerDescribed',
      'DeliveryEstimated',
      'PaymentMade',
      'ItemRemoved',
      'PaymentRefunded',
      'ItemReleased',
      'OrderCancelled',
    ]);
    expect(saga.factsOf(order.orderId)[7]?.detail.data).toMatchObject({ orderId: order.orderId, productId: 'product-1', quantity: 3 });
    expect(saga.factsOf(order.orderId)[8]?.detail.data).toMatchObject({ reason: 'STEP_FAILED', detail: 'DeliveryRejectedError' });
    expect(await saga.item(PAYMENTS_TABLE, { orderId: order.orderId })).toMatchObject({ status: 'REFUNDED' });
    const after = await stock('product-1');
    expect(after).toMatchObject({ available: before.available, reserved: before.reserved, shipped: before.shipped });
    expect(accounted(after)).toBe(accounted(before));
    expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED', removedAt: expect.any(String), releasedAt: expect.any(String) });
  });

  it('charges once when the same payment task is delivered twice', async () => {
    const charge = jest.spyOn(TestPaymentProvider.prototype, 'charge');
    const order = newOrder('customer-1', 'product-1');
    const input = {
      order,
      cause: { correlationId: 'c', idempotencyKey: `created-${order.orderId}` },
      stepKey: `created-${order.orderId}:MakePayment`,
      item: { data: { totalPrice: 1250, currency: 'EUR' } },
      estimate: { data: { deliveryCost: 399 } },
      customer: { data: { paymentToken: 'tok_visa_4242' } },
    };
    try {
      const first = await saga.handlers['payment.MakePayment']!(input);
      const second = await saga.handlers['payment.MakePayment']!(input);

      expect(charge).toHaveBeenCalledTimes(1);
      expect(second).toEqual(first);
      expect(await saga.item(PAYMENTS_TABLE, { orderId: order.orderId })).toMatchObject({ amount: 1649, status: 'CAPTURED' });
    } finally {
      charge.mockRestore();
    }
  });

  it('lets exactly one of two concurrent orders have the last item', async () => {
    const first = newOrder('customer-1', 'product-last-one');
    const second = newOrder('customer-1', 'product-last-one');

    const results = await Promise.all([saga.run(first), saga.run(second)]);

    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const outcomes = [first, second].map((order) => types(order.orderId).slice(-1)[0]).sort();
    expect(outcomes).toEqual(['OrderCancelled', 'OrderCompleted']);
    const product = await stock('product-last-one');
    expect(product).toMatchObject({ available: 0, reserved: 0, shipped: 1 });
    const [winner, loser] = types(first.orderId).includes('OrderCompleted') ? [first, second] : [second, first];
    expect(await reservation(winner.orderId)).toMatchObject({ state: 'REMOVED', quantity: 1 });
    expect(await reservation(loser.orderId)).toBeUndefined();
  });
});
