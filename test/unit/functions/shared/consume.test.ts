import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE, loadOrderSystem } from '../../../../model';
import { EventValidationError, createConsumer, type ConsumerOptions, type DeliveredEvent, type EventData } from '../../../../functions/shared';
import { startDynalite, type LocalDynamo } from '../../../helpers/dynalite';
import { fixtureEvent } from '../../../helpers/fixtures';
import { lambdaContext } from '../../../../local/lambda-context';

describe('createConsumer', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => (dynamo = await startDynalite()));
  afterAll(() => dynamo.stop());

  const calls: DeliveredEvent[] = [];
  beforeEach(() => (calls.length = 0));

  function consumer(options: Partial<ConsumerOptions<EventData, string>> = {}) {
    return createConsumer<EventData, string>({
      name: 'notifications.SendEmail',
      accepts: loadOrderSystem().action('notifications.SendEmail').inputs,
      idempotency: { tableName: dynamo.tableName(IDEMPOTENCY_TABLE), client: dynamo.client },
      handler: async (event) => {
        calls.push(event);
        return `sent for ${String(event.detail.data.orderId)}`;
      },
      ...options,
    });
  }

  /** A PaymentMade v2 delivery (what SendEmail reads) with its own idempotency key, so tests never share records. */
  function delivery(key: string, mutate: (event: { detail: { metadata: Record<string, unknown>; data: Record<string, unknown> } }) => void = () => undefined): unknown {
    const event = fixtureEvent('PaymentMade', 2) as unknown as { detail: { metadata: Record<string, unknown>; data: Record<string, unknown> } };
    event.detail.metadata.idempotencyKey = key;
    mutate(event);
    return event;
  }

  it('runs the handler on a valid event and returns its result', async () => {
    const result = await consumer()(delivery('valid-1'), lambdaContext());

    expect(result).toBe('sent for order-1');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.['detail-type']).toBe('PaymentMade');
  });

  it('runs the handler once when the same event is delivered twice', async () => {
    const handler = consumer();
    const first = await handler(delivery('dup-1'), lambdaContext());
    const second = await handler(
      delivery('dup-1', (e) => ((e as unknown as { id: string }).id = 'another-delivery-id')),
      lambdaContext(),
    );

    expect(calls).toHaveLength(1);
    expect(second).toBe(first);
    const records = await dynamo.client.send(new ScanCommand({ TableName: dynamo.tableName(IDEMPOTENCY_TABLE) }));
    const ids = (records.Items ?? []).map((item) => item.id?.S ?? '');
    expect(ids.filter((id) => id.startsWith('notifications.SendEmail#'))).not.toHaveLength(0);
  });

  it('keeps consumers apart: two consumers of one event each run once', async () => {
    const other = consumer({ name: 'analytics.CountPayments' });
    await consumer()(delivery('shared-1'), lambdaContext());
    await other(delivery('shared-1'), lambdaContext());
    await other(delivery('shared-1'), lambdaContext());

    expect(calls).toHaveLength(2);
  });

  it('runs again after the handler failed, so a retry can succeed', async () => {
    let failures = 1;
    const flaky = consumer({
      // The consumer logs the failure it rethrows; kept out of the test output.
      logger: new Logger({ serviceName: 'notifications', logLevel: 'CRITICAL' }),
      handler: async (event) => {
        calls.push(event);
        if (failures-- > 0) throw new Error('provider timeout');
        return 'ok';
      },
    });

    await expect(flaky(delivery('flaky-1'), lambdaContext())).rejects.toThrow('provider timeout');
    await expect(flaky(delivery('flaky-1'), lambdaContext())).resolves.toBe('ok');
    expect(calls).toHaveLength(2);
  });

  it('rejects an invalid envelope with a non-retryable error naming each violation', async () => {
    const error = await consumer()({ source: 'eventflow.payment', 'detail-type': 'PaymentMade', detail: { data: {} } }, lambdaContext()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).retryable).toBe(false);
    expect((error as Error).message).toBe('PaymentMade is invalid: $.detail.metadata is required');
    expect(calls).toHaveLength(0);
  });

  it('rejects invalid data against the schema of the version the event carries', async () => {
    const error = await consumer()(
      delivery('bad-data', (e) => Object.assign(e.detail.data, { charge: { ...(e.detail.data.charge as object), total: 'lots' }, orderId: undefined })),
      lambdaContext(),
    ).catch((e: unknown) => e);

    expect((error as Error).message).toBe('PaymentMade v2 is invalid: $.detail.data.orderId is required; $.detail.data.charge.total must be integer');
    expect(calls).toHaveLength(0);
  });

  it('rejects a version the catalog does not have', async () => {
    const error = await consumer()(
      delivery('v9', (e) => (e.detail.metadata.version = 9)),
      lambdaContext(),
    ).catch((e: unknown) => e);

    expect((error as Error).message).toBe('PaymentMade v9 is invalid: $.detail.metadata.version has no schema: the catalog has v1, v2');
  });

  it('rejects an event the consumer does not consume', async () => {
    const orderCreated = fixtureEvent('OrderCreated');

    const error = await consumer()(orderCreated, lambdaContext()).catch((e: unknown) => e);

    expect((error as Error).message).toBe(
      'OrderCreated v1 is invalid: $["detail-type"] is not consumed by notifications.SendEmail, which accepts ItemNotAvailable v1, PaymentMade v2, PaymentFailed v1',
    );
  });

  it('rejects PaymentMade v1 once migrated to v2: the pattern pins v2, and a stray v1 is not read with v2’s code', async () => {
    const error = await consumer()(fixtureEvent('PaymentMade', 1), lambdaContext()).catch((e: unknown) => e);

    expect((error as Error).message).toBe(
      'PaymentMade v1 is invalid: $["detail-type"] is not consumed by notifications.SendEmail, which accepts ItemNotAvailable v1, PaymentMade v2, PaymentFailed v1',
    );
    expect(calls).toHaveLength(0);
  });

  it('logs with the event’s correlation id while the handler runs, and drops it afterwards', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logger = new Logger({ serviceName: 'notifications' });
    try {
      await consumer({
        logger,
        handler: async () => {
          logger.info('sending receipt');
          return 'ok';
        },
      })(delivery('logged-1'), lambdaContext());
      logger.info('after');
    } finally {
      spy.mockRestore();
    }

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((r) => r.message === 'sending receipt')).toMatchObject({
      correlationId: fixtureEvent('PaymentMade', 2).detail.metadata.correlationId,
      idempotencyKey: 'logged-1',
      detailType: 'PaymentMade',
    });
    expect(records.find((r) => r.message === 'after')).not.toHaveProperty('correlationId');
  });
});
