import { EventBridgeClient, PutEventsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrderSystem } from '../../model';
import { EventPublisher, EventValidationError } from '../../functions/shared';
import { EventBridgeServer } from '../../local/bus/event-bridge-server';
import { LocalEventBus, type BusEvent } from '../../local/bus/local-event-bus';
import { LocalQueue } from '../../local/bus/local-queue';
import { fixtureEvent } from '../helpers/fixtures';

describe('local EventBridge (PutEvents over AWS JSON 1.1, rules, retries, DLQ, archive)', () => {
  let dir: string;
  let bus: LocalEventBus;
  let server: EventBridgeServer;
  let client: EventBridgeClient;
  const received: BusEvent[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventflow-bus-'));
    bus = new LocalEventBus({ name: 'eventflow-local', archiveFile: join(dir, 'archive.jsonl'), retryBaseMs: 1 });
    server = await new EventBridgeServer(new Map([[bus.name, bus]])).start();
    client = new EventBridgeClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    received.length = 0;
  });
  afterEach(async () => {
    client.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = (detailType = 'PaymentMade', detail: object = fixtureEvent('PaymentMade').detail) => ({
    EventBusName: 'eventflow-local',
    Source: 'eventflow.payment',
    DetailType: detailType,
    Detail: JSON.stringify(detail),
  });

  it('delivers what the model’s patterns match, through the unchanged SDK and the event library', async () => {
    const sendEmail = loadOrderSystem().subscriptions.find((s) => s.id === 'notifications.SendEmail')!;
    bus.addRule('send-email', sendEmail.pattern, { id: 'send-email', invoke: async (event) => void received.push(event) });
    // A month before PaymentMade v1's ttl: the fact goes out as v1 and v2, and SendEmail (migrated to v2) gets one.
    const publisher = new EventPublisher({ eventBusName: 'eventflow-local', client, now: () => new Date('2027-02-01T00:00:00Z') });

    const [v1, v2] = await publisher.publish({ detailType: 'PaymentMade', dataByVersion: { 1: fixtureEvent('PaymentMade', 1).detail.data, 2: fixtureEvent('PaymentMade', 2).detail.data } });
    await publisher.publish({ detailType: 'ItemReserved', data: fixtureEvent('ItemReserved').detail.data });
    await bus.idle();

    expect([v1, v2].map((p) => p?.envelope.detail.metadata.version)).toEqual([1, 2]);
    expect(received.map((e) => [e.id, e['detail-type'], e.source])).toEqual([[v2!.eventId, 'PaymentMade', 'eventflow.payment']]);
    expect(received[0]).toMatchObject({ version: '0', account: '000000000000', region: 'eu-west-1', resources: [], detail: { metadata: { version: 2 } } });
    expect(bus.archived().map((e) => e['detail-type'])).toEqual(['PaymentMade', 'PaymentMade', 'ItemReserved']);
  });

  it('rejects more than 10 entries with ValidationException, as AWS does', async () => {
    const error = (await client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) })).catch((e: unknown) => e)) as Error;

    expect(error).toMatchObject({ name: 'ValidationException' });
    expect(error.message).toContain('less than or equal to 10');
  });

  it('rejects a request over 256 KB with ValidationException', async () => {
    const big = { metadata: {}, data: { blob: 'x'.repeat(130 * 1024) } };
    const error = (await client.send(new PutEventsCommand({ Entries: [entry('PaymentMade', big), entry('PaymentMade', big)] })).catch((e: unknown) => e)) as Error;

    expect(error).toMatchObject({ name: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
  });

  it('fails a malformed entry alone, with its error code, and accepts the others', async () => {
    const response = await client.send(new PutEventsCommand({ Entries: [entry(), { ...entry(), Detail: '[1, 2]' }, { ...entry(), EventBusName: 'nope' }] }));

    expect(response.FailedEntryCount).toBe(2);
    expect(response.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'MalformedDetail', 'ResourceNotFoundException']);
  });

  it('retries a failing target, then delivers', async () => {
    let failures = 2;
    bus.addRule(
      'flaky',
      { source: ['eventflow.payment'] },
      {
        id: 'flaky',
        invoke: async (event) => {
          if (failures-- > 0) throw new Error('timeout');
          received.push(event);
        },
      },
    );

    await client.send(new PutEventsCommand({ Entries: [entry()] }));
    await bus.idle();

    expect(received).toHaveLength(1);
  });

  it('sends to the DLQ with the reason once retries are spent, and at once for a non-retryable error', async () => {
    const dlq = new LocalQueue('dlq');
    let attempts = 0;
    bus.addRule(
      'down',
      { 'detail-type': ['PaymentMade'] },
      {
        id: 'down',
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 60 },
        deadLetterQueue: dlq,
        invoke: async () => {
          attempts++;
          throw Object.assign(new Error('provider unavailable'), { name: 'ServiceUnavailable' });
        },
      },
    );
    bus.addRule(
      'strict',
      { 'detail-type': ['ItemReserved'] },
      {
        id: 'strict',
        deadLetterQueue: dlq,
        invoke: async () => {
          throw new EventValidationError([{ detailType: 'ItemReserved', version: 1, violations: [{ path: '$.detail.data.orderId', message: 'is required' }] }]);
        },
      },
    );

    await client.send(new PutEventsCommand({ Entries: [entry(), entry('ItemReserved')] }));
    await bus.idle();

    expect(attempts).toBe(4);
    expect(dlq.list().map((m) => [m.attributes.ERROR_CODE, m.attributes.ERROR_MESSAGE])).toEqual(
      expect.arrayContaining([
        ['ServiceUnavailable', 'provider unavailable'],
        ['EventValidationError', 'ItemReserved v1 is invalid: $.detail.data.orderId is required'],
      ]),
    );
    expect(JSON.parse(dlq.list()[0]!.body)).toMatchObject({ 'detail-type': expect.any(String), detail: expect.any(Object) });
  });

  it('replays a time range from the archive, marked with the replay name', async () => {
    await client.send(
      new PutEventsCommand({
        Entries: [
          { ...entry(), Time: new Date('2026-01-01T00:00:00Z') },
          { ...entry(), Time: new Date('2026-06-01T00:00:00Z') },
        ],
      }),
    );
    bus.addRule('late-subscriber', { source: ['eventflow.payment'] }, { id: 'late', invoke: async (event) => void received.push(event) });

    const replayed = bus.replay('backfill', new Date('2025-12-31T00:00:00Z'), new Date('2026-03-01T00:00:00Z'));
    await bus.idle();

    expect(replayed).toBe(1);
    expect(received.map((e) => [e.time, e['replay-name']])).toEqual([['2026-01-01T00:00:00Z', 'backfill']]);

    const response = await client.send(
      new StartReplayCommand({
        ReplayName: 'via-sdk',
        EventSourceArn: 'arn:aws:events:eu-west-1:000000000000:archive/eventflow-local',
        EventStartTime: new Date('2026-05-01T00:00:00Z'),
        EventEndTime: new Date('2026-07-01T00:00:00Z'),
        Destination: { Arn: bus.arn },
      }),
    );
    await bus.idle();

    expect(response).toMatchObject({ State: 'COMPLETED', StateReason: '1 events replayed' });
    expect(received.map((e) => e['replay-name'])).toEqual(['backfill', 'via-sdk']);
  });

  it('refuses a rule with an invalid pattern, naming the rule and AWS’s reason', () => {
    expect(() => bus.addRule('broken', { source: 'eventflow.payment' }, { id: 'x', invoke: async () => undefined })).toThrow(
      'Rule broken has an invalid event pattern: Event pattern is not valid. Reason: "source" must be an object or an array',
    );
  });
});
