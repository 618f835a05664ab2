import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LocalQueue } from '../../local/bus/local-queue';
import { localSource, redrive } from '../../local/redrive';
import { DEMO_MIX, runDemo } from '../../local/demo';
import { startLocal, type LocalSystem } from '../../local/start-local';
import { loadCatalog } from '../../model';

interface OrderView {
  orderId: string;
  status: string;
  reason: string | null;
  correlationId: string;
  history: Array<{ status: string }>;
}

/**
 * The whole system on one machine, end to end over HTTP with the real SDK clients: API → OrderCreated →
 * StartOrderSaga → the saga (real ASL) → facts on the local bus → choreographed consumers.
 */
// Both ways the functions can run: on the main thread (the default on 2 cores) and in a worker thread.
describe.each([0, 1])('startLocal with %i worker thread(s): end to end over HTTP', (workers) => {
  let system: LocalSystem;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-local-'));
    system = await startLocal({ port: 0, dataDir, retryBaseMs: 1, workers });
    expect(system.workers).toBe(workers);
  }, 30_000);

  it('runs one region, and has no global endpoint to fail over', async () => {
    expect(system.regions.map((region) => region.region)).toEqual(['eu-west-1']);
    await expect(system.setPrimaryHealthy(false)).rejects.toThrow('setPrimaryHealthy needs a global endpoint: start the system with regions: 2');
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function placeOrder(customerId: string, productId: string, quantity = 1): Promise<OrderView> {
    const created = await fetch(`${system.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId, productId, quantity }) });
    expect(created.status).toBe(201);
    const { orderId } = (await created.json()) as { orderId: string };
    await system.idle();
    return (await (await fetch(`${system.apiUrl}/orders/${orderId}`)).json()) as OrderView;
  }
  /** The saga's facts in order; choreographed ones (EmailSent) interleave wherever their consumer ran. */
  const sagaFacts = (correlationId: string) => trace(correlationId).filter((type) => type !== 'EmailSent');
  const archivedOf = (correlationId: string) => system.bus.archived().filter((e) => (e.detail.metadata as { correlationId: string }).correlationId === correlationId);
  /** The facts of one order, each once: the versions of a double-published fact share an idempotency key. */
  const trace = (correlationId: string) => [...new Map(archivedOf(correlationId).map((e) => [(e.detail.metadata as { idempotencyKey: string }).idempotencyKey, e['detail-type']])).values()];

  it('completes an order, e-mails a receipt and hands the parcel to the delivery provider', async () => {
    const order = await placeOrder('customer-1', 'product-1', 2);

    expect(order).toMatchObject({ status: 'COMPLETED', reason: null });
    expect(order.history.map((h) => h.status)).toEqual(['PENDING', 'COMPLETED']);
    expect(sagaFacts(order.correlationId)).toEqual([
      'OrderCreated',
      'ItemReserved',
      'ItemDescribed',
      'CustomerDescribed',
      'DeliveryEstimated',
      'PaymentMade',
      'ItemRemoved',
      'DeliveryStarted',
      'OrderCompleted',
    ]);
    expect(trace(order.correlationId)).toContain('EmailSent');
    // PaymentMade travels in every live version; SendEmail reads v2 only, so the customer gets one itemized receipt.
    const paymentVersions = archivedOf(order.correlationId)
      .filter((e) => e['detail-type'] === 'PaymentMade')
      .map((e) => (e.detail.metadata as { version: number }).version);
    expect(paymentVersions).toEqual(
      loadCatalog()
        .liveVersions('PaymentMade', new Date())
        .map((entry) => entry.version),
    );
    const receipts = system.emailSink.received.filter((e) => e.tags.template === 'payment-receipt' && e.subject.includes(order.orderId));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.text).toMatch(/^Hello .+, we received \d+\.\d{2} EUR: items \d+\.\d{2} EUR, delivery \d+\.\d{2} EUR\. Thank you\.$/);
    expect(
      system.deliverySink.received.some((d) => (d.body as { detail: { data: { orderId: string } } }).detail.data.orderId === order.orderId && d.headers['x-api-key'] === 'local-delivery-key'),
    ).toBe(true);
  });

  it.each([
    ['customer-1', 'product-sold-out', 'ITEM_NOT_AVAILABLE'],
    ['customer-unknown', 'product-1', 'CUSTOMER_UNKNOWN'],
    ['customer-declined', 'product-1', 'PAYMENT_DECLINED'],
  ])('cancels an order of %s for %s with %s', async (customerId, productId, reason) => {
    const order = await placeOrder(customerId, productId);

    expect(order).toMatchObject({ status: 'CANCELLED', reason });
    expect(sagaFacts(order.correlationId).slice(-1)).toEqual(['OrderCancelled']);
  });

  it('answers 400 with the gateway validator’s messages, and 404 for an unknown order', async () => {
    const missingMember = await fetch(`${system.apiUrl}/orders`, { method: 'POST', body: JSON.stringify({ customerId: 'customer-1', quantity: 'two' }) });
    const wrongType = await fetch(`${system.apiUrl}/orders`, { method: 'POST', body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 'two' }) });
    const missing = await fetch(`${system.apiUrl}/orders/no-such-order`);

    // A missing member fails the root, so the validator does not go on to the members' own errors.
    expect([missingMember.status, await missingMember.json()]).toEqual([400, { message: 'Invalid request body', validationErrors: '[object has missing required properties (["productId"])]' }]);
    expect([wrongType.status, await wrongType.json()]).toEqual([
      400,
      { message: 'Invalid request body', validationErrors: '[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]' },
    ]);
    expect(missing.status).toBe(404);
  });

  it('retries a failing delivery provider, then parks the event in the DLQ', async () => {
    system.deliverySink.failing = true;
    try {
      const order = await placeOrder('customer-1', 'product-1');

      expect(order.status).toBe('COMPLETED');
      const dlq = system.deadLetterQueues.get('delivery.NotifyDeliveryProvider')!;
      const parked = dlq.list().map((m) => JSON.parse(m.body) as { detail: { data: { orderId: string } } });
      expect(parked.some((event) => event.detail.data.orderId === order.orderId)).toBe(true);
      expect(dlq.list()[0]?.attributes.ERROR_MESSAGE).toMatch(/^delivery provider answered 503: /);

      system.deliverySink.failing = false;
      const client = new EventBridgeClient({ endpoint: system.endpoints.eventBridge, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const outcomes = await redrive(localSource(dlq), { client, eventBusName: 'eventflow-local' });
      await system.idle();

      expect(outcomes.every((o) => o.result === 'redriven')).toBe(true);
      expect(dlq.depth).toBe(0);
      expect(system.deliverySink.received.some((d) => (d.body as { detail: { data: { orderId: string } } }).detail.data.orderId === order.orderId)).toBe(true);
    } finally {
      system.deliverySink.failing = false;
    }
  });

  it('runs the demo: every outcome of the mix, a summary and one order’s trace', async () => {
    let printed = '';
    const out = {
      write: (text: string) => {
        printed += text;
        return true;
      },
    } as unknown as NodeJS.WritableStream;

    const orders = await runDemo(system, 20, out, 4);

    expect(new Set(orders.map((o) => o.outcome))).toEqual(new Set(DEMO_MIX.map((m) => m.expect)));
    for (const section of ['Orders by final status and reason', 'Events by type and version', 'Dead-letter queues', 'Order latency', 'Trace of order']) expect(printed).toContain(section);
    // Every completed order's PaymentMade counted once per live version.
    const completed = orders.filter((o) => o.outcome === 'COMPLETED').length;
    for (const entry of loadCatalog().liveVersions('PaymentMade', new Date())) expect(printed).toMatch(new RegExp(`PaymentMade v${entry.version} +${completed}\\n`));
  });

  it('keeps a message whose redrive fails', async () => {
    const queue = new LocalQueue('test-dlq');
    // A dead letter as EventBridge writes it: the event, and the rule and target that failed it.
    queue.send(JSON.stringify({ source: 'eventflow.delivery', 'detail-type': 'DeliveryStarted', detail: {}, resources: [] }), {
      RULE_ARN: 'arn:aws:events:eu-west-1:000000000000:rule/eventflow-local/delivery.NotifyDeliveryProvider',
      TARGET_ARN: 'arn:aws:events:eu-west-1:000000000000:api-destination/eventflow-local-delivery-provider/local',
    });
    const eventBridge = new EventBridgeClient({ endpoint: system.endpoints.eventBridge, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

    const outcomes = await redrive(localSource(queue), { eventBridge, eventBusName: 'no-such-bus' });

    expect(outcomes).toEqual([expect.objectContaining({ result: 'failed', reason: expect.stringContaining('ResourceNotFoundException') })]);
    expect(queue.depth).toBe(1);
  });
});
