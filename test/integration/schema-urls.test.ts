import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_MIX } from '../../local/demo';
import { LOCAL_NAMES } from '../../local/placement';
import { startLocal, type LocalSystem } from '../../local/start-local';
import { compileSchema, loadCatalog, schemaDocument, type JsonSchema } from '../../model';

interface ArchivedMetadata {
  readonly version: number;
  readonly schema: string;
  readonly nextVersion: { readonly version: number; readonly schema: string } | null;
}

/**
 * `metadata.schema` is where the event's schema can be downloaded, as the 2024 talk's envelope has it: on the local
 * runtime every event on the bus, from a function or from the saga itself, points at the local schema bucket, and
 * an HTTP GET of it returns the exact text the event was validated against.
 */
describe('schemas anyone can download (local runtime)', () => {
  let system: LocalSystem;
  let dataDir: string;
  const catalog = loadCatalog();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-schemas-'));
    system = await startLocal({ port: 0, dataDir, retryBaseMs: 1, workers: 0 });
    for (const { customerId, productId } of DEMO_MIX) {
      const created = await fetch(`${system.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId, productId, quantity: 1 }) });
      expect(created.status).toBe(201);
    }
    await system.idle();
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stamps every archived event with a URL in the region schema bucket, and each URL returns the schema that validates the event', async () => {
    const events = system.bus.archived();
    // Every outcome of the demo mix: facts from functions and from the saga's own putEvents states.
    expect(new Set(events.map((event) => event['detail-type']))).toEqual(
      new Set([
        'OrderCreated',
        'ItemReserved',
        'ItemDescribed',
        'CustomerDescribed',
        'ErrorCustomerDescribed',
        'DeliveryEstimated',
        'PaymentMade',
        'PaymentFailed',
        'ItemRemoved',
        'DeliveryStarted',
        'OrderCompleted',
        'OrderCancelled',
        'ItemNotAvailable',
        'ItemReleased',
        'EmailSent',
      ]),
    );
    const fetched = new Map<string, string>();
    for (const event of events) {
      const metadata = event.detail.metadata as unknown as ArchivedMetadata;
      const entry = catalog.find(event['detail-type'], metadata.version);
      if (!entry) throw new Error(`${event['detail-type']} v${metadata.version} is not in the catalog`);
      expect(metadata.schema).toBe(`${system.endpoints.schemas}events/${entry.source}/${entry.name}.v${entry.version}.json`);
      expect(metadata.schema.startsWith(`http://127.0.0.1:`) && metadata.schema.includes(`/${LOCAL_NAMES.schemaBucketName}/`)).toBe(true);
      let text = fetched.get(metadata.schema);
      if (text === undefined) {
        const response = await fetch(metadata.schema);
        expect({ url: metadata.schema, status: response.status, type: response.headers.get('content-type') }).toEqual({ url: metadata.schema, status: 200, type: 'application/schema+json' });
        text = await response.text();
        fetched.set(metadata.schema, text);
      }
      expect(text).toBe(schemaDocument(catalog, entry));
      expect(compileSchema(JSON.parse(text) as JsonSchema)(event)).toEqual([]);
    }
  });

  it("points a double-published version's nextVersion at its successor's schema, which resolves too", async () => {
    const paymentV1 = system.bus.archived().find((event) => event['detail-type'] === 'PaymentMade' && (event.detail.metadata as unknown as ArchivedMetadata).version === 1);
    const next = (paymentV1?.detail.metadata as unknown as ArchivedMetadata | undefined)?.nextVersion;
    expect(next?.version).toBe(2);
    const response = await fetch(next?.schema ?? '');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(schemaDocument(catalog, catalog.find('PaymentMade', 2) ?? catalog.all()[0]!));
  });

  it('answers as S3 does for what is not there, and refuses writes', async () => {
    const missingKey = await fetch(`${system.endpoints.schemas}events/eventflow.orders/OrderCreated.v9.json`);
    expect(missingKey.status).toBe(404);
    expect(await missingKey.text()).toMatch(/<Code>NoSuchKey<\/Code><Message>The specified key does not exist\.<\/Message><Key>events\/eventflow\.orders\/OrderCreated\.v9\.json<\/Key>/);
    const missingBucket = await fetch(system.endpoints.schemas.replace(LOCAL_NAMES.schemaBucketName, 'no-such-bucket'));
    expect(missingBucket.status).toBe(404);
    expect(await missingBucket.text()).toContain('<Code>NoSuchBucket</Code>');
    const write = await fetch(`${system.endpoints.schemas}events/x.json`, { method: 'PUT', body: '{}' });
    expect(write.status).toBe(403);
    expect(await write.text()).toContain('<Code>AccessDenied</Code>');
  });
});
