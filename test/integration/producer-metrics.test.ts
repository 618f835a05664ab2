import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmfSeries, EmfSnapshot } from '../../local/emf';
import { FaultInjector } from '../../local/faults';
import { startLocal, type LocalSystem } from '../../local/start-local';
import { LOCAL_NAMES } from '../../local/placement';
import { PRODUCER_METRICS } from '../../model';

/**
 * The producers' PutEvents metrics on the local runtime: the functions write EMF as in Lambda, the runtime adds the
 * lines up and answers them at GET /local/metrics on its Lambda endpoint, and none reaches the terminal.
 */
describe.each([0, 1])('producer metrics with %i worker thread(s)', (workers) => {
  let system: LocalSystem;
  let dataDir: string;
  let terminal: string[];
  const faults = new FaultInjector({ putEventsEntryFailureRate: 1 });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-metrics-'));
    // CreateOrder logs the order it could not announce at ERROR; the metrics, not the log, are under test.
    process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
    terminal = [];
    // Records what reaches the terminal and passes it on; installed first, so the runtime's diversion sits in front.
    const write = process.stdout.write;
    jest.spyOn(process.stdout, 'write').mockImplementation(function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: [BufferEncoding?, ((error?: Error | null) => void)?]) {
      terminal.push(String(chunk));
      return write.call(this, chunk, ...rest);
    });
    system = await startLocal({ port: 0, dataDir, inMemory: true, retryBaseMs: 1, workers, faults });
  }, 30_000);
  afterAll(async () => {
    await system?.stop();
    jest.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const metrics = async (): Promise<EmfSnapshot> => {
    const answer = await fetch(system.endpoints.metrics);
    expect(answer.status).toBe(200);
    return (await answer.json()) as EmfSnapshot;
  };
  /**
   * The metrics once `ready` holds, or as they are after 5 s. A worker's output reaches the runtime a moment after
   * the invocation's result (another channel between the threads), as CloudWatch shows EMF a moment after the log.
   */
  const metricsWhen = async (ready: (snapshot: EmfSnapshot) => boolean): Promise<EmfSnapshot> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const snapshot = await metrics();
      if (ready(snapshot) || Date.now() > deadline) return snapshot;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const sumOf = (series: readonly EmfSeries[], metric: string, dimensions: Record<string, string>) =>
    series.filter((one) => one.metric === metric && JSON.stringify(one.dimensions) === JSON.stringify(dimensions)).reduce((sum, one) => sum + one.sum, 0);
  const orders = { service: 'orders' };

  it('reports the entries PutEvents refused, by error code, and the one given up', async () => {
    // Arrange: every PutEvents entry is refused (InternalFailure or ThrottlingException) until the faults are lifted.
    const order = { customerId: 'customer-1', productId: 'product-1', quantity: 1 };

    // Act: CreateOrder stores the order, then fails to announce it after its five attempts.
    const created = await fetch(`${system.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) });
    faults.lift();
    // The totals are the last line of a publish: once they are in, so are the per-code lines before them.
    const { series } = await metricsWhen((snapshot) => sumOf(snapshot.series, PRODUCER_METRICS.givenUp, orders) > 0);

    // Assert
    expect(created.status).toBe(503);
    const perCode = series.filter((one) => one.metric === PRODUCER_METRICS.failed && 'ErrorCode' in one.dimensions);
    expect(perCode.length).toBeGreaterThan(0);
    for (const one of perCode) {
      expect(one).toMatchObject({
        namespace: LOCAL_NAMES.metricsNamespace,
        unit: 'Count',
        dimensions: { service: 'orders', ErrorCode: expect.stringMatching(/^(InternalFailure|ThrottlingException)$/) },
      });
    }
    expect(perCode.reduce((sum, one) => sum + one.sum, 0)).toBe(5);
    expect(sumOf(series, PRODUCER_METRICS.failed, orders)).toBe(5);
    expect(sumOf(series, PRODUCER_METRICS.attempted, orders)).toBe(5);
    expect(sumOf(series, PRODUCER_METRICS.retries, orders)).toBe(4);
    expect(sumOf(series, PRODUCER_METRICS.givenUp, orders)).toBe(1);
  });

  it('counts what the producers send once PutEvents accepts again, and keeps the EMF lines off the terminal', async () => {
    faults.lift();
    const before = await metrics();

    const created = await fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }),
    });
    await system.idle();
    const attempted = (snapshot: EmfSnapshot, service: string) => sumOf(snapshot.series, PRODUCER_METRICS.attempted, { service });
    const after = await metricsWhen((snapshot) => attempted(snapshot, 'orders') > attempted(before, 'orders') && attempted(snapshot, 'notifications') > attempted(before, 'notifications'));

    expect(created.status).toBe(201);
    expect(attempted(after, 'orders') - attempted(before, 'orders')).toBe(1);
    expect(sumOf(after.series, PRODUCER_METRICS.failed, orders)).toBe(sumOf(before.series, PRODUCER_METRICS.failed, orders));
    // SendEmail publishes EmailSent for the completed order: a second producer, under its own service.
    expect(attempted(after, 'notifications') - attempted(before, 'notifications')).toBe(1);
    expect(after.lines).toBeGreaterThan(before.lines);
    expect(terminal.filter((chunk) => chunk.includes('"_aws"'))).toEqual([]);
  });
});
