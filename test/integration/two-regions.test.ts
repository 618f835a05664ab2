import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type LocalSystem } from '../../local/start-local';

/**
 * Two regions on one machine: producers publish through the local global endpoint, which routes by the primary's
 * health and replicates to the other bus; every order's saga runs in the home region whichever region saw its
 * OrderCreated (the execution is named after the order). The chaos run checks the same at 200 orders under faults.
 */
describe('startLocal({ regions: 2 })', () => {
  let system: LocalSystem;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-regions-'));
    system = await startLocal({ port: 0, dataDir, retryBaseMs: 1, workers: 0, regions: 2, replicationLagMs: 20 });
  }, 30_000);
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function placeOrder(): Promise<{ orderId: string; status: string; correlationId: string }> {
    const created = await fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }),
    });
    expect(created.status).toBe(201);
    const { orderId } = (await created.json()) as { orderId: string };
    await system.idle();
    return (await (await fetch(`${system.apiUrl}/orders/${orderId}`)).json()) as { orderId: string; status: string; correlationId: string };
  }
  const orderCreatedIn = (region: number, orderId: string) =>
    (system.regions[region]?.bus.archived() ?? []).filter((event) => event['detail-type'] === 'OrderCreated' && (event.detail.data as { orderId?: string }).orderId === orderId).length;

  it('runs the secondary region behind an endpoint the functions publish through', () => {
    expect(system.regions.map((region) => region.region)).toEqual(['eu-west-1', 'eu-central-1']);
    expect(process.env.EVENT_BUS_ENDPOINT_ID).toBe(system.globalEndpoint?.id);
    expect(system.regions[1]?.bus.arn).toBe('arn:aws:events:eu-central-1:000000000000:event-bus/eventflow-local');
  });

  it('completes orders before, during and after a failover, each with one saga, each OrderCreated in both regions', async () => {
    // Act
    const before = await placeOrder();
    await system.setPrimaryHealthy(false);
    const during = await placeOrder();
    await system.setPrimaryHealthy(true);
    const after = await placeOrder();
    await system.idle();

    // Assert
    for (const order of [before, during, after]) {
      expect({ orderId: order.orderId, status: order.status }).toEqual({ orderId: order.orderId, status: 'COMPLETED' });
      expect([orderCreatedIn(0, order.orderId), orderCreatedIn(1, order.orderId)]).toEqual([1, 1]);
    }
    const counts = system.globalEndpoint?.counts();
    // OrderCreated and EmailSent go through the endpoint: the one placed during the failover went to the secondary.
    expect(counts?.routed['eu-central-1']).toBeGreaterThanOrEqual(1);
    expect(counts?.flips).toBe(2);
    expect(system.stepFunctions.starts.started).toBe(3);
    // The saga's facts stay in the home region: the secondary never saw a PaymentMade.
    expect(system.regions[1]?.bus.archived().some((event) => event['detail-type'] === 'PaymentMade')).toBe(false);
  });
});
