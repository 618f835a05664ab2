import { S3Client } from '@aws-sdk/client-s3';
import { SchemaFetchError, SchemaSource, s3Location } from '../../../../functions/shared/schema-source';
import { LocalSchemaStore } from '../../../../local/schema-store';
import { LOCAL_CLIENT_CONFIG, LOCAL_NAMES } from '../../../../local/placement';
import { loadCatalog, schemaDocument, schemaUrl } from '../../../../model';
import { fixtureEvent } from '../../../helpers/fixtures';

/**
 * The consumer-side helper, fetching by the URL an event carries: over plain HTTP from the local store, and through
 * S3 GetObject (signed, as the organization-only bucket requires) for an S3 URL, here answered by the same store,
 * which speaks GetObject in path style (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
 */
describe('SchemaSource', () => {
  const catalog = loadCatalog();
  const bucket = LOCAL_NAMES.schemaBucketName;
  let store: LocalSchemaStore;
  const entry = catalog.find('OrderCreated', 1)!;

  beforeAll(async () => {
    store = await new LocalSchemaStore(catalog, [bucket]).start();
  });
  afterAll(() => store.stop());

  it('fetches a schema over HTTP once, then serves it from its cache until it ages out', async () => {
    let now = 0;
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const source = new SchemaSource({ fetch: counting, maxAgeMs: 1000, now: () => now });
    const url = schemaUrl(store.baseUrl(bucket), entry);

    const [first, second] = await Promise.all([source.schema(url), source.schema(url)]);
    expect(first).toEqual(JSON.parse(schemaDocument(catalog, entry)));
    expect(second).toBe(first);
    expect(requests).toBe(1);
    now = 1001;
    await source.schema(url);
    expect(requests).toBe(2);
  });

  it('checks an event against the schema its metadata names', async () => {
    const source = new SchemaSource();
    const check = await source.check(schemaUrl(store.baseUrl(bucket), entry));
    const event = fixtureEvent('OrderCreated', 1);

    expect(check(event)).toEqual([]);
    expect(check({ ...event, 'detail-type': 'OrderCancelled' }).length).toBeGreaterThan(0);
  });

  it('reads an S3 URL with S3 GetObject', async () => {
    const s3 = new S3Client({ ...LOCAL_CLIENT_CONFIG, endpoint: store.url, forcePathStyle: true });
    const source = new SchemaSource({ s3, fetch: () => Promise.reject(new Error('an S3 URL must not be fetched over plain HTTP')) });

    const schema = await source.schema(`https://${bucket}.s3.eu-west-1.amazonaws.com/events/eventflow.orders/OrderCreated.v1.json`);
    expect(schema).toEqual(JSON.parse(schemaDocument(catalog, entry)));
    await expect(source.schema(`s3://${bucket}/events/eventflow.orders/OrderCreated.v9.json`)).rejects.toThrow(
      `cannot fetch the schema at s3://${bucket}/events/eventflow.orders/OrderCreated.v9.json: S3 GetObject failed: NoSuchKey: The specified key does not exist.`,
    );
  });

  it('says which URL failed and why, and tries again next time', async () => {
    let fail = true;
    const flaky: typeof fetch = (input, init) => (fail ? Promise.resolve(new Response('nope', { status: 503, statusText: 'Service Unavailable' })) : fetch(input, init));
    const source = new SchemaSource({ fetch: flaky });
    const url = schemaUrl(store.baseUrl(bucket), entry);

    await expect(source.schema(url)).rejects.toThrow(new SchemaFetchError(url, 'the server answered 503 Service Unavailable'));
    fail = false;
    await expect(source.schema(url)).resolves.toMatchObject({ title: 'OrderCreated v1' });
    await expect(source.schema('eventflow.orders@OrderCreated.v1')).rejects.toThrow(/it is not a URL/);
    await expect(source.schema(`${store.url}/${bucket}/events/x.json`)).rejects.toThrow(/the server answered 404/);
  });

  it('knows S3 URLs from others', () => {
    expect(s3Location(new URL('https://b-1.s3.eu-central-1.amazonaws.com/events/a%20b.json'))).toEqual({ bucket: 'b-1', key: 'events/a b.json', region: 'eu-central-1' });
    expect(s3Location(new URL('s3://b-1/k.json'))).toEqual({ bucket: 'b-1', key: 'k.json' });
    expect(s3Location(new URL('https://example.com/b-1/k.json'))).toBeUndefined();
    expect(s3Location(new URL('http://b-1.s3.eu-west-1.amazonaws.com/k.json'))).toBeUndefined();
  });
});
