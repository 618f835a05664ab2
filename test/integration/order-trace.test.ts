import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_NAMES } from '../../local/placement';
import { startLocal, type LocalSystem } from '../../local/start-local';
import { newTraceId, type SegmentDocument } from '../../local/xray';

/**
 * One order's trace across the bus, on the local X-Ray daemon: the client's trace header, continued by the API
 * stage, CreateOrder, the PutEvents entry's TraceHeader, StartOrderSaga, StartExecution's traceHeader, the saga's
 * tasks, the TraceHeader each task hands over with its entries, and the consumers of those facts. EventBridge passes
 * an entry's trace header to its targets (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-xray-integ.html);
 * Step Functions takes one on StartExecution
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
describe.each([0, 1])('one order, one trace (%i worker threads)', (workers) => {
  let system: LocalSystem;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-trace-'));
    system = await startLocal({ port: 0, dataDir, retryBaseMs: 1, workers, inMemory: true });
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Segments arrive over UDP a moment after the work ends. */
  async function traceOf(traceId: string, settled: (segments: SegmentDocument[]) => boolean): Promise<SegmentDocument[]> {
    for (let tries = 0; tries < 50; tries++) {
      const segments = system.xray.trace(traceId);
      if (settled(segments)) return segments;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return system.xray.trace(traceId);
  }

  it('carries the client’s trace from the API through the saga to the consumers of the saga’s task facts', async () => {
    const root = newTraceId();
    const clientParent = '0123456789abcdef';
    const created = await fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Amzn-Trace-Id': `Root=${root};Parent=${clientParent};Sampled=1` },
      body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }),
    });
    expect(created.status).toBe(201);
    await system.idle();

    const fn = (actionId: string) => LOCAL_NAMES.functionName(actionId);
    const expected = [
      `${LOCAL_NAMES.apiName}/local`,
      fn('orders.CreateOrder'),
      fn('orders.StartOrderSaga'),
      LOCAL_NAMES.stateMachineName,
      ...['inventory.ReserveItem', 'inventory.DescribeItem', 'customer.DescribeCustomer', 'delivery.EstimateDelivery', 'payment.MakePayment', 'inventory.RemoveItem', 'delivery.StartDelivery'].map(fn),
      // PaymentMade, stated by MakePayment: Notifications e-mails the customer, in the same trace.
      fn('notifications.SendEmail'),
    ];
    const segments = await traceOf(root, (found) => expected.every((name) => found.some((segment) => segment.name === name)));
    const names = new Set(segments.map((segment) => segment.name));
    for (const name of expected) expect({ name, inTrace: names.has(name) }).toEqual({ name, inTrace: true });

    // One tree: the stage hangs off the client's segment, every other segment off one of the trace's.
    const ids = new Set(segments.map((segment) => segment.id));
    const stage = segments.find((segment) => segment.name === `${LOCAL_NAMES.apiName}/local`);
    expect(stage?.parent_id).toBe(clientParent);
    const orphans = segments.filter((segment) => segment !== stage && !ids.has(segment.parent_id ?? ''));
    expect(orphans.map((segment) => segment.name)).toEqual([]);
    const parentOf = (name: string) => segments.find((segment) => segment.id === segments.find((child) => child.name === name)?.parent_id)?.name;
    expect(parentOf(fn('orders.CreateOrder'))).toBe(`${LOCAL_NAMES.apiName}/local`);
    expect(parentOf(fn('orders.StartOrderSaga'))).toBe(fn('orders.CreateOrder'));
    expect(parentOf(LOCAL_NAMES.stateMachineName)).toBe(fn('orders.StartOrderSaga'));
    expect(parentOf(fn('payment.MakePayment'))).toBe(LOCAL_NAMES.stateMachineName);
    expect(parentOf(fn('notifications.SendEmail'))).toBe(fn('payment.MakePayment'));
  });

  it('starts a new trace for the facts the saga states itself: Step Functions gives the ASL no trace header to pass on', async () => {
    const root = newTraceId();
    const created = await fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Amzn-Trace-Id': `Root=${root};Sampled=1` },
      body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }),
    });
    expect(created.status).toBe(201);
    await system.idle();

    // RecordOrderOutcome consumes only OrderCompleted and OrderCancelled, which the CompleteOrder and CancelOrder states state.
    const outcome = LOCAL_NAMES.functionName('orders.RecordOrderOutcome');
    const inTrace = await traceOf(root, (found) => found.some((segment) => segment.name === LOCAL_NAMES.functionName('delivery.StartDelivery')));
    expect(inTrace.some((segment) => segment.name === outcome)).toBe(false);
    expect(system.xray.all().some((segment) => segment.name === outcome && segment.trace_id !== root)).toBe(true);
  });
});
