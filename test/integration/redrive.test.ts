import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent } from '../../local/bus/local-event-bus';
import type { InvocationRecord } from '../../local/lambda-service';
import { redrive, sqsSource } from '../../local/redrive';
import { localQueueNames, startLocal, type LocalSystem } from '../../local/start-local';
import { LOCAL_NAMES } from '../../local/placement';

/**
 * Redrive of one target, end to end: an order whose delivery-provider call and whose receipt e-mail both fail
 * leaves a rule dead letter and a Lambda on-failure record; redriven through the local SQS endpoint, each goes
 * back to the one target that failed it, and nothing else on the bus runs again.
 */
describe('redrive of one target through the local SQS, Lambda and EventBridge endpoints', () => {
  let system: LocalSystem;
  let dataDir: string;
  let sqs: SQSClient;
  const local = { region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };
  const DLQ = localQueueNames('delivery.NotifyDeliveryProvider').deadLetter;
  const ON_FAILURE = localQueueNames('notifications.SendEmail').onFailure;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-redrive-'));
    // The e-mail failures are the point of the test; their ERROR logs would bury its output.
    process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
    system = await startLocal({ port: 0, inMemory: false, dataDir, workers: 0, failDelivery: true });
    sqs = new SQSClient({ ...local, endpoint: system.endpoints.sqs });
  }, 30_000);
  afterAll(async () => {
    sqs?.destroy();
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const queueUrl = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
  const orderIdOf = (event: unknown) => (event as { detail?: { data?: { orderId?: string } } }).detail?.data?.orderId;

  it('sends the event back to the one target that failed it, deletes only what was redriven, and keeps the rest', async () => {
    // Arrange: the provider answers 503 and SES is down while an order completes.
    const emailPort = Number(new URL(system.endpoints.email).port);
    await system.emailSink.stop();
    const created = await fetch(`${system.apiUrl}/orders`, { method: 'POST', body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }) });
    const { orderId } = (await created.json()) as { orderId: string };
    await system.idle();

    const deadLetters = system.queues.get(DLQ)?.list() ?? [];
    const records = (system.queues.get(ON_FAILURE)?.list() ?? []).map((m) => JSON.parse(m.body) as InvocationRecord);
    expect(deadLetters.map((m) => [orderIdOf(JSON.parse(m.body)), m.attributes.ERROR_CODE, m.attributes.TARGET_ARN])).toEqual([[orderId, 'HTTP503', expect.stringContaining(':api-destination/')]]);
    expect(records.map((r) => [orderIdOf(r.requestPayload), r.requestContext.condition, r.requestContext.approximateInvokeCount, r.responseContext?.functionError])).toEqual([
      [orderId, 'RetriesExhausted', 3, 'Unhandled'],
    ]);
    const original = JSON.parse(deadLetters[0]?.body ?? '{}') as BusEvent;
    const dlqUrl = await queueUrl(DLQ);
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'not an event' }));
    system.deliverySink.failing = false;
    await system.emailSink.start(emailPort);
    const archivedBefore = system.bus.archived().length;

    // Act: redrive both queues through SQS on loopback, as `npm run redrive -- --queue <name>` does.
    const clients = { eventBridge: new EventBridgeClient({ ...local, endpoint: system.endpoints.eventBridge }), lambda: new LambdaClient({ ...local, endpoint: system.endpoints.lambda }) };
    const fromDlq = await redrive(sqsSource(dlqUrl, sqs, { waitSeconds: 0 }), clients);
    const fromOnFailure = await redrive(sqsSource(await queueUrl(ON_FAILURE), sqs, { waitSeconds: 0 }), clients);
    await system.idle();

    // Assert: each target got the original event once more, and only it.
    expect(fromDlq.map((o) => [o.result, o.detailType])).toEqual([
      ['redriven', 'DeliveryStarted'],
      ['unroutable', '?'],
    ]);
    expect(fromOnFailure.map((o) => [o.result, o.detailType, o.target])).toEqual([['redriven', 'PaymentMade', LOCAL_NAMES.functionArn('notifications.SendEmail') + ':$LATEST']]);
    const deliveries = system.deliverySink.received.filter((d) => orderIdOf(d.body) === orderId);
    expect(deliveries.map((d) => d.body)).toEqual([original]);
    expect(deliveries[0]?.headers['x-api-key']).toBe('local-delivery-key');
    // The provider can tell the redelivery from a new fact: the same idempotency key as the first attempt's.
    expect(deliveries[0]?.headers['idempotency-key']).toBe((original.detail.metadata as { idempotencyKey?: string } | undefined)?.idempotencyKey);
    expect(deliveries[0]?.headers['idempotency-key']).toMatch(/.+/);
    expect(system.emailSink.received.filter((e) => e.subject.includes(orderId))).toHaveLength(1);
    // The bus saw the redrive envelope and the e-mail's own fact, and no fact of the order again: no other rule ran.
    const archivedAfter = system.bus.archived().slice(archivedBefore);
    expect(archivedAfter.map((e) => e['detail-type']).sort()).toEqual(['DeadLetterRedriven', 'EmailSent']);
    expect(archivedAfter.find((e) => e['detail-type'] === 'DeadLetterRedriven')?.detail).toEqual({ rule: 'delivery.NotifyDeliveryProvider', event: original });
    // Only the redriven messages are gone; the unredrivable one stays, visible for the next run.
    expect(
      system.queues
        .get(DLQ)
        ?.list()
        .map((m) => m.body),
    ).toEqual(['not an event']);
    expect(system.queues.get(ON_FAILURE)?.depth).toBe(0);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
    clients.eventBridge.destroy();
    clients.lambda.destroy();
  }, 15_000);

  it('lists its SQS and Lambda endpoints in endpoints.json, where `npm run redrive` finds them', () => {
    const written = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as Record<string, string>;

    expect(written).toMatchObject({ sqs: system.endpoints.sqs, lambda: system.endpoints.lambda });
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(system.endpoints.sqs);
    expect(process.env.AWS_ENDPOINT_URL_LAMBDA).toBe(system.endpoints.lambda);
  });
});
