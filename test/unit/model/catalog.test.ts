import { CatalogError, EventCatalog, loadCatalog } from '../../../model';
import { CatalogCopy } from '../../helpers/catalog-fixture';
import { thrownBy } from '../../helpers/thrown';

const validOrderCreated = {
  source: 'eventflow.orders',
  'detail-type': 'OrderCreated',
  detail: {
    metadata: {
      correlationId: 'c-1',
      idempotencyKey: 'k-1',
      version: 1,
      schema: 'eventflow.orders@OrderCreated.v1',
      ttl: null,
      nextVersion: null,
    },
    data: { orderId: 'o-1', customerId: 'customer-1', productId: 'product-1', quantity: 2, status: 'PENDING', createdAt: '2026-11-23T10:00:00Z' },
  },
};

describe('EventCatalog', () => {
  describe('the committed catalog', () => {
    it('loads every event with a draft-04 schema owned by its folder', () => {
      const catalog = loadCatalog();

      expect(catalog.eventNames()).toContain('OrderCreated');
      for (const entry of catalog.all()) {
        expect(entry.dataSchema.$schema).toBe('http://json-schema.org/draft-04/schema#');
        expect(entry.source).toBe(`eventflow.${entry.service}`);
        expect(entry.schemaRef).toBe(`${entry.source}@${entry.name}.v${entry.version}`);
      }
    });

    it('accepts a valid event and rejects wrong data with a JSONPath per violation', () => {
      const catalog = loadCatalog();
      const entry = catalog.find('OrderCreated', 1)!;
      const check = catalog.checkFor(entry);
      const invalid = structuredClone(validOrderCreated) as { detail: { data: Record<string, unknown> } };
      invalid.detail.data.quantity = 0;
      delete invalid.detail.data.customerId;

      expect(check(validOrderCreated)).toEqual([]);
      expect(check(invalid)).toEqual(
        expect.arrayContaining([
          { path: '$.detail.data.quantity', message: 'must be >= 1' },
          { path: '$.detail.data.customerId', message: 'is required' },
        ]),
      );
    });

    it('pins source, detail-type and version in the composed event schema', () => {
      const catalog = loadCatalog();
      const check = catalog.checkFor(catalog.find('OrderCreated', 1)!);
      const wrong = structuredClone(validOrderCreated);
      wrong.source = 'eventflow.payment';
      wrong.detail.metadata.version = 2;

      const paths = check(wrong).map((v) => v.path);

      expect(paths).toEqual(expect.arrayContaining(['$.source', '$.detail.metadata.version']));
    });

    it('rejects malformed metadata: empty ids, a ttl that is no date-time, an unknown field', () => {
      const catalog = loadCatalog();
      const check = catalog.checkFor(catalog.find('OrderCreated', 1)!);
      const wrong = structuredClone(validOrderCreated) as unknown as { detail: { metadata: Record<string, unknown> } };
      wrong.detail.metadata.correlationId = '';
      wrong.detail.metadata.ttl = 'tomorrow';
      wrong.detail.metadata.extra = true;

      const paths = check(wrong).map((v) => v.path);

      expect(paths).toEqual(expect.arrayContaining(['$.detail.metadata.correlationId', '$.detail.metadata.ttl', '$.detail.metadata.extra']));
    });

    it('has a schema for every event version that rejects an empty data object', () => {
      const catalog = loadCatalog();
      for (const entry of catalog.all()) {
        const event = { source: entry.source, 'detail-type': entry.name, detail: { metadata: { ...validOrderCreated.detail.metadata, version: entry.version, schema: entry.schemaRef }, data: {} } };
        expect(catalog.checkFor(entry)(event).length).toBeGreaterThan(0);
      }
    });
  });

  describe('load errors', () => {
    let copy: CatalogCopy;
    beforeEach(() => (copy = new CatalogCopy()));
    afterEach(() => copy.dispose());

    it('names a misnamed file, a non-draft-04 schema and unparsable JSON, all at once', () => {
      copy.write('orders/order-created.json', {});
      const schema = copy.read('payment/PaymentMade.v1.json');
      copy.write('payment/PaymentMade.v1.json', { ...schema, $schema: 'http://json-schema.org/draft-07/schema#' });
      copy.write('inventory/ItemReserved.v1.json', '{ not json');

      const error = thrownBy(() => EventCatalog.load(copy.dir));

      expect(error).toBeInstanceOf(CatalogError);
      expect(error.message).toContain('orders/order-created.json: a schema file must be named <EventName>.v<N>.json');
      expect(error.message).toContain('payment/PaymentMade.v1.json: "$schema" must be "http://json-schema.org/draft-04/schema#"');
      expect(error.message).toContain('inventory/ItemReserved.v1.json: cannot be read as JSON');
    });

    it('requires an older version to declare its ttl and nextVersion once a newer one exists', () => {
      copy.write('orders/OrderCreated.v2.json', copy.read('orders/OrderCreated.v1.json'));

      const error = thrownBy(() => EventCatalog.load(copy.dir));

      expect(error.message).toContain('orders/OrderCreated.v1.json: v2 exists, so v1 must declare "x-eventflow": { "ttl": "<ISO time>", "nextVersion": 2 }');
    });

    it('rejects a gap in versions and an event published from two folders', () => {
      copy.write('orders/OrderCreated.v3.json', copy.read('orders/OrderCreated.v1.json'));
      copy.write('payment/OrderCreated.v1.json', copy.read('orders/OrderCreated.v1.json'));

      const error = thrownBy(() => EventCatalog.load(copy.dir));

      expect(error.message).toContain('OrderCreated: one event must have one producer, found in folders orders, payment');
      expect(error.message).toContain('versions of OrderCreated must run 1, 2, 3… without gaps, expected v2');
    });

    it('rejects a schema that does not compile', () => {
      const schema = copy.read('payment/PaymentMade.v1.json');
      copy.write('payment/PaymentMade.v1.json', { ...schema, properties: { amount: { type: 'money' } } });

      const error = thrownBy(() => EventCatalog.load(copy.dir));

      expect(error.message).toContain('payment/PaymentMade.v1.json: does not compile as draft-04');
    });
  });

  describe('liveVersions', () => {
    it('lists PaymentMade v1 and v2 before v1’s ttl and only v2 from the ttl on', () => {
      const catalog = EventCatalog.load();
      const [v1] = catalog.versionsOf('PaymentMade');
      const ttl = Date.parse(v1?.ttl ?? '');

      const before = catalog.liveVersions('PaymentMade', new Date(ttl - 1)).map((v) => v.version);
      const after = catalog.liveVersions('PaymentMade', new Date(ttl)).map((v) => v.version);

      expect(v1).toMatchObject({ ttl: '2027-03-01T00:00:00Z', nextVersion: 2 });
      expect(before).toEqual([1, 2]);
      expect(after).toEqual([2]);
    });

    it('requires the retiring version’s nextVersion to be the next one', () => {
      const copy = new CatalogCopy();
      try {
        const v1 = copy.read('payment/PaymentMade.v1.json');
        copy.write('payment/PaymentMade.v1.json', { ...v1, 'x-eventflow': { ttl: '2027-03-01T00:00:00Z', nextVersion: 3 } });

        expect(thrownBy(() => EventCatalog.load(copy.dir)).message).toContain('payment/PaymentMade.v1.json: v2 exists, so v1 must declare');
      } finally {
        copy.dispose();
      }
    });
  });
});
