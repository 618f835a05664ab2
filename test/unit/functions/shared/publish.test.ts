import { EventCatalog } from '../../../../model';
import {
  EntryTooLargeError,
  EventPublisher,
  EventValidationError,
  PublishFailedError,
  PublishRequestError,
  deriveIdempotencyKey,
  entrySize,
  type EventEnvelope,
  type PublisherOptions,
} from '../../../../functions/shared';
import { CatalogCopy } from '../../../helpers/catalog-fixture';
import { FakeEventBridge } from '../../../helpers/fake-eventbridge';
import { fixtureEvent, uncheckedFact } from '../../../helpers/fixtures';

/** A single-version event as the generic example; PaymentMade is double-published (see the last block). */
const paymentFailed = () => fixtureEvent('PaymentFailed').detail.data;

describe('EventPublisher', () => {
  let bus: FakeEventBridge;
  const sleeps: number[] = [];

  beforeEach(async () => {
    bus = await new FakeEventBridge().start();
    sleeps.length = 0;
  });
  afterEach(() => bus.stop());

  function publisher(options: Partial<PublisherOptions> = {}): EventPublisher {
    return new EventPublisher({
      eventBusName: 'eventflow-test',
      client: bus.client(),
      traceHeader: () => undefined,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      ...options,
    });
  }

  const detailOf = (index: number) => JSON.parse(bus.sentEntries()[index]!.Detail!) as EventEnvelope['detail'];

  describe('envelopes', () => {
    it('wraps data in the catalog envelope with the version’s schema reference', async () => {
      const published = await publisher().publish({ detailType: 'PaymentFailed', data: paymentFailed(), correlationId: 'corr-1' });

      const [entry] = bus.sentEntries();
      expect(entry).toMatchObject({ EventBusName: 'eventflow-test', Source: 'eventflow.payment', DetailType: 'PaymentFailed' });
      expect(detailOf(0).metadata).toMatchObject({ correlationId: 'corr-1', version: 1, schema: 'eventflow.payment@PaymentFailed.v1', ttl: null, nextVersion: null });
      expect(detailOf(0).metadata.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(published).toEqual([{ eventId: 'event-1-0', envelope: expect.objectContaining({ 'detail-type': 'PaymentFailed' }) }]);
    });

    it('keeps the cause’s correlation id and derives a new, repeatable idempotency key', async () => {
      const cause = { correlationId: 'corr-7', idempotencyKey: 'cause-key' };

      await publisher().publish([
        { detailType: 'PaymentFailed', data: paymentFailed(), cause },
        { detailType: 'PaymentFailed', data: paymentFailed(), cause },
      ]);

      expect(detailOf(0).metadata.correlationId).toBe('corr-7');
      expect(detailOf(0).metadata.idempotencyKey).toBe(deriveIdempotencyKey(cause, 'PaymentFailed'));
      expect(detailOf(0).metadata.idempotencyKey).not.toBe('cause-key');
      expect(detailOf(1).metadata.idempotencyKey).toBe(detailOf(0).metadata.idempotencyKey);
      expect(deriveIdempotencyKey(cause, 'EmailSent')).not.toBe(deriveIdempotencyKey(cause, 'PaymentFailed'));
    });

    it('gives each first fact a new correlation id and idempotency key', async () => {
      await publisher().publish([
        { detailType: 'PaymentFailed', data: paymentFailed() },
        { detailType: 'PaymentFailed', data: paymentFailed() },
      ]);

      expect(detailOf(0).metadata.correlationId).not.toBe(detailOf(1).metadata.correlationId);
      expect(detailOf(0).metadata.idempotencyKey).not.toBe(detailOf(1).metadata.idempotencyKey);
    });

    it('passes the X-Ray trace header on every entry when tracing is active', async () => {
      const header = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

      await publisher({ traceHeader: () => header }).publish({ detailType: 'PaymentFailed', data: paymentFailed() });

      expect(bus.sentEntries()[0]?.TraceHeader).toBe(header);
    });

    it('reads the trace header Lambda sets by default, and sends none without it', async () => {
      const saved = process.env._X_AMZN_TRACE_ID;
      try {
        process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
        await new EventPublisher({ eventBusName: 'b', client: bus.client() }).publish({ detailType: 'PaymentFailed', data: paymentFailed() });
        delete process.env._X_AMZN_TRACE_ID;
        await new EventPublisher({ eventBusName: 'b', client: bus.client() }).publish({ detailType: 'PaymentFailed', data: paymentFailed() });
      } finally {
        if (saved === undefined) delete process.env._X_AMZN_TRACE_ID;
        else process.env._X_AMZN_TRACE_ID = saved;
      }

      expect(bus.sentEntries().map((e) => e.TraceHeader)).toEqual(['Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1', undefined]);
    });
  });

  describe('validation before sending', () => {
    it('throws naming the event, version and each violation’s path, and sends nothing', async () => {
      const bad = { ...paymentFailed(), amount: -1, currency: 'euro' };

      const error = await publisher()
        .publish([{ detailType: 'PaymentFailed', data: paymentFailed() }, uncheckedFact({ detailType: 'PaymentFailed', data: bad })])
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(EventValidationError);
      expect((error as Error).message).toContain('PaymentFailed v1 is invalid: $.detail.data.amount must be >= 0; $.detail.data.currency must match pattern');
      expect(bus.requests).toHaveLength(0);
    });

    it('rejects an event that is not in the catalog', async () => {
      const error = await publisher()
        .publish(uncheckedFact({ detailType: 'PaymentMaid', data: {} }))
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PublishRequestError);
      expect((error as Error).message).toContain('PaymentMaid is not in the event catalog');
    });
  });

  describe('the producer’s declared events', () => {
    it('refuses a fact of an event the producer’s action does not emit, before sending anything', async () => {
      const error = await publisher({ emits: ['OrderCreated'] })
        .publish([{ detailType: 'PaymentFailed', data: paymentFailed() }])
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PublishRequestError);
      expect((error as Error).message).toBe("this producer may state only OrderCreated (its action's emits in the model), not PaymentFailed");
      expect(bus.sentEntries()).toEqual([]);
    });

    it('sends the events it declares', async () => {
      const published = await publisher({ emits: ['PaymentFailed'] }).publish({ detailType: 'PaymentFailed', data: paymentFailed() });

      expect(published).toHaveLength(1);
    });
  });

  describe('chunking', () => {
    it('sends at most 10 entries per request', async () => {
      const facts = Array.from({ length: 23 }, () => ({ detailType: 'PaymentFailed' as const, data: paymentFailed() }));

      const published = await publisher().publish(facts);

      expect(bus.requests.map((r) => r.entries.length)).toEqual([10, 10, 3]);
      expect(published).toHaveLength(23);
    });

    /** The catalog with ErrorItemUnreserved's reason unbounded, so entries of any size pass validation. */
    function withUnboundedReason(test: (catalog: EventCatalog) => Promise<void>): () => Promise<void> {
      return async () => {
        const copy = new CatalogCopy();
        try {
          const schema = copy.read('inventory/ErrorItemUnreserved.v1.json') as { properties: { reason: Record<string, unknown> } };
          schema.properties.reason = { type: 'string' };
          copy.write('inventory/ErrorItemUnreserved.v1.json', schema);
          await test(EventCatalog.load(copy.dir));
        } finally {
          copy.dispose();
        }
      };
    }
    // The reason is bounded in the committed catalog (and its bindings); these tests publish against a copy that lifts it.
    const withReason = (reason: string) => uncheckedFact({ detailType: 'ErrorItemUnreserved', data: { ...fixtureEvent('ErrorItemUnreserved').detail.data, reason } });

    it(
      'starts a new request before 256 KB',
      withUnboundedReason(async (catalog) => {
        await publisher({ catalog }).publish(Array.from({ length: 4 }, () => withReason('y'.repeat(100 * 1024))));

        expect(bus.requests.map((r) => r.entries.length)).toEqual([2, 2]);
        for (const request of bus.requests) expect(request.entries.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(256 * 1024);
      }),
    );

    it(
      'rejects an entry over 256 KB with its size, before sending anything',
      withUnboundedReason(async (catalog) => {
        const error = await publisher({ catalog })
          .publish([{ detailType: 'PaymentFailed', data: paymentFailed() }, withReason('z'.repeat(300 * 1024))])
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(EntryTooLargeError);
        expect((error as Error).message).toMatch(/^ErrorItemUnreserved v1 is \d+ bytes as a PutEvents entry, over the 262144-byte limit/);
        expect(bus.requests).toHaveLength(0);
      }),
    );

    it('measures entries as EventBridge does, in UTF-8 bytes', () => {
      expect(entrySize({ Source: 'a.b', DetailType: 'Ü', Detail: '{"x":"€"}', Resources: ['r'] })).toBe(3 + 2 + 11 + 1);
      expect(entrySize({ Time: new Date(), Source: 'a' })).toBe(15);
    });
  });

  describe('partial failures', () => {
    it('retries only the failed entries with full-jitter backoff, then succeeds', async () => {
      bus.responder = (_entry, call, index) => (call === 1 && index % 2 === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `e-${call}-${index}` });
      const facts = Array.from({ length: 4 }, (_, i) => ({ detailType: 'PaymentFailed' as const, data: { ...paymentFailed(), orderId: `order-${i}` } }));

      const published = await publisher().publish(facts);

      expect(bus.requests.map((r) => r.entries.map((e) => (JSON.parse(e.Detail!) as { data: { orderId: string } }).data.orderId))).toEqual([
        ['order-0', 'order-1', 'order-2', 'order-3'],
        ['order-1', 'order-3'],
      ]);
      expect(published.map((p) => p.eventId).sort()).toEqual(['e-1-0', 'e-1-2', 'e-2-0', 'e-2-1']);
      expect(sleeps).toEqual([50]); // random 0.5 × min(2000, 50 × 2¹)
    });

    it('reports entries still failing after the last attempt, with their codes, and what was published', async () => {
      bus.responder = (_entry, call, index) => (index === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try later' } : { EventId: `e-${call}-${index}` });

      const error = await publisher({ retry: { maxAttempts: 3 } })
        .publish([
          { detailType: 'PaymentFailed', data: paymentFailed() },
          { detailType: 'PaymentFailed', data: paymentFailed() },
        ])
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PublishFailedError);
      const failure = error as PublishFailedError;
      expect(failure.publishedCount).toBe(1);
      expect(failure.failed).toEqual([expect.objectContaining({ detailType: 'PaymentFailed', version: 1, errorCode: 'InternalFailure', errorMessage: 'try later', attempts: 3 })]);
      expect(bus.requests).toHaveLength(3);
      expect(sleeps).toEqual([50, 100]);
    });

    it('does not retry a permanent error code', async () => {
      bus.responder = () => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' });

      const error = (await publisher()
        .publish({ detailType: 'PaymentFailed', data: paymentFailed() })
        .catch((e: unknown) => e)) as PublishFailedError;

      expect(error.failed[0]).toMatchObject({ errorCode: 'AccessDeniedException', attempts: 1 });
      expect(bus.requests).toHaveLength(1);
    });

    it('retries a whole request that failed with a server error', async () => {
      bus.failRequest = (call) => (call === 1 ? { status: 500, type: 'InternalException' } : undefined);

      const published = await publisher().publish({ detailType: 'PaymentFailed', data: paymentFailed() });

      expect(published).toHaveLength(1);
      expect(bus.requests).toHaveLength(2);
    });
  });

  describe('global endpoint', () => {
    it('sends EndpointId and signs the request with SigV4a', async () => {
      await publisher({ endpointId: 'abcde.veo' }).publish({ detailType: 'PaymentFailed', data: paymentFailed() });

      const [request] = bus.requests;
      expect(request?.endpointId).toBe('abcde.veo');
      expect(request?.headers.authorization).toMatch(/^AWS4-ECDSA-P256-SHA256 /);
      expect(request?.headers['x-amz-region-set']).toBe('*');
    });
  });

  describe('double publishing (PaymentMade v1 retiring at its ttl, v2 current)', () => {
    const TTL = '2027-03-01T00:00:00Z';
    const beforeTtl = () => new Date(Date.parse(TTL) - 1000);
    const atTtl = () => new Date(TTL);
    const dataByVersion = { 1: fixtureEvent('PaymentMade', 1).detail.data, 2: fixtureEvent('PaymentMade', 2).detail.data };

    it('reads the retirement from the committed catalog', () => {
      const [v1, v2] = EventCatalog.load().versionsOf('PaymentMade');
      expect([v1?.ttl, v1?.nextVersion, v2?.ttl]).toEqual([TTL, 2, null]);
    });

    it('publishes both versions before the ttl, as one fact', async () => {
      await publisher({ now: beforeTtl }).publish({ detailType: 'PaymentMade', dataByVersion });

      expect(bus.sentEntries()).toHaveLength(2);
      const [v1, v2] = [detailOf(0), detailOf(1)];
      expect(v1.metadata).toMatchObject({ version: 1, schema: 'eventflow.payment@PaymentMade.v1', ttl: TTL, nextVersion: { version: 2, schema: 'eventflow.payment@PaymentMade.v2' } });
      expect(v2.metadata).toMatchObject({ version: 2, schema: 'eventflow.payment@PaymentMade.v2', ttl: null, nextVersion: null });
      expect(v2.metadata.idempotencyKey).toBe(v1.metadata.idempotencyKey);
      expect(v2.metadata.correlationId).toBe(v1.metadata.correlationId);
      expect([v1.data, v2.data]).toEqual([dataByVersion[1], dataByVersion[2]]);
    });

    it('publishes only the new version once the ttl has passed', async () => {
      await publisher({ now: atTtl }).publish({ detailType: 'PaymentMade', dataByVersion });

      expect(bus.sentEntries()).toHaveLength(1);
      expect(detailOf(0).metadata).toMatchObject({ version: 2, ttl: null });
      expect(detailOf(0).data).toEqual(dataByVersion[2]);
    });

    it('refuses single-version data while both versions are live, and takes it once only v2 is', async () => {
      const error = await publisher({ now: beforeTtl })
        .publish({ detailType: 'PaymentMade', data: dataByVersion[2] })
        .catch((e: unknown) => e);

      expect((error as Error).message).toBe(`PaymentMade is double-published until ${TTL} (live: v1, v2): pass 'dataByVersion' with data for each`);
      await publisher({ now: atTtl }).publish({ detailType: 'PaymentMade', data: dataByVersion[2] });
      expect(detailOf(0).metadata.version).toBe(2);
    });

    it('names the live version a producer forgot', async () => {
      const error = await publisher({ now: beforeTtl })
        .publish({ detailType: 'PaymentMade', dataByVersion: { 2: dataByVersion[2] } })
        .catch((e: unknown) => e);

      expect((error as Error).message).toBe("PaymentMade: 'dataByVersion' lacks live version(s) v1 (live now: v1, v2)");
    });

    it('validates each version against its own schema', async () => {
      const error = await publisher({ now: beforeTtl })
        .publish(uncheckedFact({ detailType: 'PaymentMade', dataByVersion: { 1: dataByVersion[1], 2: dataByVersion[1] } }))
        .catch((e: unknown) => e);

      expect((error as Error).message).toContain('PaymentMade v2 is invalid: $.detail.data.charge is required');
      expect(bus.requests).toHaveLength(0);
    });
  });
});
