import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeServer } from '../../../local/bus/event-bridge-server';
import { LocalEventBus, type BusEvent } from '../../../local/bus/local-event-bus';
import { LocalGlobalEndpoint } from '../../../local/global-endpoint';
import { eventBusFromEnv } from '../../../functions/shared/env';

// Global endpoints: PutEvents with an EndpointId goes to the primary region's bus while its health check is
// healthy, to the secondary's otherwise, and with replication on every event reaches the other bus too.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html
// The id is the endpoint URL's subdomain: https://abcde.veo.endpoints.event.amazonaws.com → abcde.veo
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html#API_PutEvents_RequestSyntax
const ENDPOINT_ID = 'abcde.veo';

describe('the local global endpoint', () => {
  let dir: string;
  let primary: LocalEventBus;
  let secondary: LocalEventBus;
  let endpoint: LocalGlobalEndpoint;
  let server: EventBridgeServer;
  let client: EventBridgeClient;
  const seen: Record<string, BusEvent[]> = {};

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventflow-endpoint-'));
    primary = new LocalEventBus({ name: 'orders', region: 'eu-west-1', archiveFile: join(dir, 'primary.jsonl'), retryBaseMs: 1 });
    secondary = new LocalEventBus({ name: 'orders', region: 'eu-central-1', archiveFile: join(dir, 'secondary.jsonl'), retryBaseMs: 1 });
    for (const bus of [primary, secondary]) {
      seen[bus.region] = [];
      bus.addRule('all', { source: ['test'] }, { id: `target-${bus.region}`, invoke: async (event) => void seen[bus.region]?.push(event) });
    }
    endpoint = new LocalGlobalEndpoint({ id: ENDPOINT_ID, primary, secondary, replicationLagMs: 10 });
    server = await new EventBridgeServer(new Map([[primary.name, primary]]), new Map([[endpoint.id, endpoint]])).start();
    // The SDK signs a request with an EndpointId with SigV4a and sends it to the configured endpoint.
    client = new EventBridgeClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  afterEach(async () => {
    client.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (n: number) =>
    client.send(new PutEventsCommand({ EndpointId: ENDPOINT_ID, Entries: [{ EventBusName: 'orders', Source: 'test', DetailType: 'Numbered', Detail: JSON.stringify({ n }) }] }));
  const numbers = (events: readonly BusEvent[]) => events.map((event) => (event.detail as { n: number }).n).sort();

  it('routes to the primary while it is healthy and to the secondary while it is not, replicating each event to the other bus', async () => {
    // Act
    await put(1);
    endpoint.setPrimaryHealthy(false);
    await put(2);
    endpoint.setPrimaryHealthy(true);
    await put(3);
    await endpoint.idle();
    await Promise.all([primary.idle(), secondary.idle()]);

    // Assert
    expect(endpoint.counts()).toEqual({ routed: { 'eu-west-1': 2, 'eu-central-1': 1 }, replicated: { 'eu-central-1': 2, 'eu-west-1': 1 }, flips: 2 });
    expect(numbers(seen['eu-west-1'] ?? [])).toEqual([1, 2, 3]);
    expect(numbers(seen['eu-central-1'] ?? [])).toEqual([1, 2, 3]);
    // Each region stamps the events it received with its own region.
    expect(new Set(secondary.archived().map((event) => event.region))).toEqual(new Set(['eu-central-1']));
  });

  it('refuses an unknown endpoint id and a bus the endpoint does not front, naming them', async () => {
    await expect(client.send(new PutEventsCommand({ EndpointId: 'other.veo', Entries: [{ EventBusName: 'orders', Source: 'test', DetailType: 'X', Detail: '{}' }] }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('Endpoint other.veo does not exist'),
    });
    const answer = await client.send(new PutEventsCommand({ EndpointId: ENDPOINT_ID, Entries: [{ EventBusName: 'payments', Source: 'test', DetailType: 'X', Detail: '{}' }] }));
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[0]).toMatchObject({ ErrorCode: 'ResourceNotFoundException', ErrorMessage: expect.stringContaining('not behind endpoint abcde.veo') });
  });
});

describe('eventBusFromEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('publishes through the endpoint when EVENT_BUS_ENDPOINT_ID is set, and to the regional bus otherwise', () => {
    process.env.EVENT_BUS_NAME = 'eventflow-dev';
    delete process.env.EVENT_BUS_ENDPOINT_ID;
    expect(eventBusFromEnv()).toEqual({ eventBusName: 'eventflow-dev' });
    process.env.EVENT_BUS_ENDPOINT_ID = ENDPOINT_ID;
    expect(eventBusFromEnv()).toEqual({ eventBusName: 'eventflow-dev', endpointId: ENDPOINT_ID });
  });

  it('refuses an endpoint id that is not in AWS’s format, naming the variable', () => {
    process.env.EVENT_BUS_NAME = 'eventflow-dev';
    // The whole host is what a URL split in the wrong place gives: not an id.
    process.env.EVENT_BUS_ENDPOINT_ID = 'abcde.veo.endpoints.event.amazonaws.com';
    expect(() => eventBusFromEnv()).toThrow(/EVENT_BUS_ENDPOINT_ID must be a global endpoint id such as "abcde.veo"/);
  });
});
