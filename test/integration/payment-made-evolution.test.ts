import { Application, ORDER_SYSTEM, loadCatalog, loadOrderSystem, type EventSelector, type Trigger } from '../../model';
import { matchesPattern } from '../../local';
import { SagaHarness, type PublishedFact } from '../helpers/saga-harness';

/**
 * The worked schema evolution, on the real event and the real saga: PaymentMade v2 itemizes the charge
 * (a breaking change), v1 carries a ttl and nextVersion, MakePayment publishes both until the ttl, and
 * SendEmail has migrated to v2. Each test sets the clock on one side of the ttl.
 */
const TTL = loadCatalog().find('PaymentMade', 1)?.ttl as string;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The design table as it stood before SendEmail and RemoveItem moved to PaymentMade v2. */
function beforeMigration(): Application {
  const onV1 = (selectors: readonly EventSelector[]) => selectors.map((selector) => (typeof selector === 'object' && selector.event === 'PaymentMade' ? 'PaymentMade' : selector));
  const unmigrated = (trigger: Trigger): Trigger =>
    trigger.kind === 'subscription' ? { ...trigger, consumes: onV1(trigger.consumes) } : trigger.kind === 'saga-step' ? { ...trigger, after: onV1(trigger.after) } : trigger;
  const services = Object.fromEntries(
    Object.entries(ORDER_SYSTEM.services).map(([service, definition]) => [
      service,
      { ...definition, actions: Object.fromEntries(Object.entries(definition.actions).map(([name, action]) => [name, { ...action, trigger: unmigrated(action.trigger) }])) },
    ]),
  );
  return Application.load({ ...ORDER_SYSTEM, services }, loadCatalog());
}

/** Fakes only the clock: timers, ticks and I/O stay real, so dynalite and the executor run as usual. */
function setClock(time: number): void {
  jest.useFakeTimers({
    now: time,
    advanceTimers: true,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

describe('PaymentMade v1 → v2: double publishing until the ttl, a consumer migrated, the gate after the ttl', () => {
  let saga: SagaHarness;
  let orderNumber = 0;
  const placeOrder = async () => {
    const order = { orderId: `evolution-${++orderNumber}`, customerId: 'customer-1', productId: 'product-1', quantity: 2 };
    const execution = await saga.run(order);
    expect(execution.status).toBe('SUCCEEDED');
    return saga.entriesOf(order.orderId).filter((entry) => entry['detail-type'] === 'PaymentMade');
  };
  const sendEmailPattern = (app: Application) => app.subscriptions.find((s) => s.id === 'notifications.SendEmail')!.pattern;
  const versionsMatched = (app: Application, entries: readonly PublishedFact[]) =>
    entries.filter((entry) => matchesPattern(sendEmailPattern(app), entry)).map((entry) => entry.detail.metadata.version);

  beforeAll(async () => (saga = await new SagaHarness().start()));
  afterAll(() => saga.stop());
  afterEach(() => jest.useRealTimers());

  it('declares v1 retiring into v2 in the catalog', () => {
    expect(loadCatalog().find('PaymentMade', 1)).toMatchObject({ ttl: '2027-03-01T00:00:00Z', nextVersion: 2 });
    expect(loadCatalog().find('PaymentMade', 2)).toMatchObject({ ttl: null, nextVersion: null });
  });

  it('before the ttl: MakePayment publishes v1 and v2 as one fact, and a consumer on either version receives exactly one', async () => {
    setClock(Date.parse(TTL) - DAY_MS);

    const [v1, v2] = await placeOrder();

    expect([v1?.detail.metadata.version, v2?.detail.metadata.version]).toEqual([1, 2]);
    expect(v1?.detail.metadata).toMatchObject({ ttl: TTL, nextVersion: { version: 2, schema: 'eventflow.payment@PaymentMade.v2' } });
    expect(v2?.detail.metadata.idempotencyKey).toBe(v1?.detail.metadata.idempotencyKey);
    const charge = v2?.detail.data.charge as { items: number; delivery: number; total: number; currency: string };
    expect(charge.items + charge.delivery).toBe(charge.total);
    expect([charge.total, charge.currency]).toEqual([v1?.detail.data.amount, v1?.detail.data.currency]);
    expect(versionsMatched(loadOrderSystem(), [v1!, v2!])).toEqual([2]);
    expect(versionsMatched(beforeMigration(), [v1!, v2!])).toEqual([1]);
    expect(beforeMigration().retiredInputs(new Date())).toEqual([]);
  });

  it('from the ttl on: only v2 is published; the migrated consumer still receives it, one left on v1 would not, and the gate names it', async () => {
    setClock(Date.parse(TTL));

    const entries = await placeOrder();

    expect(entries.map((entry) => entry.detail.metadata.version)).toEqual([2]);
    expect(versionsMatched(loadOrderSystem(), entries)).toEqual([2]);
    expect(versionsMatched(beforeMigration(), entries)).toEqual([]);
    expect(loadOrderSystem().retiredInputs(new Date())).toEqual([]);
    expect(beforeMigration().retiredInputs(new Date())).toEqual([
      { where: 'services.inventory.actions.RemoveItem', problem: `consumes PaymentMade v1, retired at ${TTL} and no longer published; consume v2 instead` },
      { where: 'services.notifications.actions.SendEmail', problem: `consumes PaymentMade v1, retired at ${TTL} and no longer published; consume v2 instead` },
    ]);
  });
});
