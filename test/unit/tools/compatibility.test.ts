import { breakingChanges } from '../../../tools/compatibility';
import { GateBaseError, checkAgainst, crossCheck, describeFailure } from '../../../tools/schemas-check';
import { EventCatalog } from '../../../model';
import { CatalogCopy } from '../../helpers/catalog-fixture';

/** The parts of PaymentMade v2 the edits below change, as the catalog file has them. */
interface PaymentMadeV2 {
  [keyword: string]: unknown;
  properties: {
    orderId: { maxLength: number };
    charge: { properties: { [field: string]: unknown; total: { minimum: number } } };
  };
}
const asPaymentMadeV2 = (schema: unknown) => schema as PaymentMadeV2;

const v1 = {
  type: 'object',
  required: ['orderId', 'amount', 'reason'],
  properties: {
    orderId: { type: 'string' },
    amount: { type: 'integer' },
    reason: { type: 'string', enum: ['CARD_DECLINED', 'LIMIT_EXCEEDED'] },
    address: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
  },
};

describe('schema compatibility', () => {
  it('lets only documentation change within a version', () => {
    const newer = { ...structuredClone(v1), description: 'Why the payment failed.' };
    newer.properties.orderId = { ...newer.properties.orderId, description: 'The order the payment was for.' } as typeof newer.properties.orderId;

    expect(breakingChanges(v1, newer)).toEqual([]);
  });

  it('names every change that admits documents old readers reject: an optional field, a widened type, a new enum value', () => {
    const newer = structuredClone(v1) as typeof v1 & { properties: Record<string, unknown> };
    newer.properties.note = { type: 'string' };
    newer.properties.amount = { type: 'number' };
    newer.properties.reason = { type: 'string', enum: ['CARD_DECLINED', 'LIMIT_EXCEEDED', 'FRAUD'] };

    expect(breakingChanges(v1, newer)).toEqual([
      { path: '$.amount', change: 'type integer became number: admits documents readers of the old version reject' },
      { path: '$.reason', change: 'enum value "FRAUD" added: admits documents readers of the old version reject' },
      // v1 is open (no additionalProperties: false), so it accepted any `note`; typing it rejects some.
      { path: '$.note', change: 'new field: rejects documents the old version accepted with any value here (published events, replays)' },
    ]);
  });

  it('names every breaking path: required removed, new required, type changed, enum value removed, nested', () => {
    const newer = {
      type: 'object',
      required: ['orderId', 'currency'],
      properties: {
        orderId: { type: 'integer' },
        amount: { type: 'integer' },
        reason: { type: 'string', enum: ['CARD_DECLINED'] },
        currency: { type: 'string' },
        address: { type: 'object', required: [], properties: { city: { type: 'string' } } },
      },
    };

    expect(breakingChanges(v1, newer).map((change) => `${change.path}: ${change.change.split(':')[0]}`)).toEqual(
      expect.arrayContaining([
        '$.amount: required field made optional or removed',
        '$.reason: required field made optional or removed',
        '$.currency: new required field',
        '$.orderId: type string became integer',
        '$.reason: enum value "LIMIT_EXCEEDED" removed',
        '$.address.city: required field made optional or removed',
      ]),
    );
  });

  it('passes the committed catalog against HEAD, and fails a breaking edit of an existing version', async () => {
    expect(await checkAgainst('HEAD', EventCatalog.load(undefined, { compileSchemas: false }))).toEqual([]);

    const copy = new CatalogCopy();
    try {
      const schema = copy.read('payment/PaymentMade.v1.json') as { required: string[] };
      copy.write('payment/PaymentMade.v1.json', { ...schema, required: schema.required.filter((field) => field !== 'currency') });

      const catalog = EventCatalog.load(copy.dir, { compileSchemas: false });
      const failures = await checkAgainst('HEAD', catalog);

      const change = '$.currency: required field made optional or removed: admits documents readers of the old version reject (those without it)';
      expect(failures.map((failure) => [failure.file, failure.changes.map((c) => `${c.path}: ${c.change}`)])).toEqual([['payment/PaymentMade.v1.json', [change]]]);
      expect(describeFailure(failures[0]!, 'HEAD', catalog).split('\n')).toEqual([
        'PaymentMade v1 (catalog/payment/PaymentMade.v1.json) as it is now breaks readers of PaymentMade v1 as it was at HEAD:',
        `  ${change}`,
        'Restore PaymentMade v1 as it was and add the change as a new version, catalog/payment/PaymentMade.v3.json, with "x-eventflow": { "ttl", "nextVersion" } on the old one (README: "The worked evolution").',
      ]);
    } finally {
      copy.dispose();
    }
  });

  // The edits that passed the old gate and then sent every new event to a deployed consumer's DLQ.
  describe('as strict as the consumers', () => {
    async function gateOn(edit: (schema: PaymentMadeV2) => void): Promise<string[]> {
      const copy = new CatalogCopy();
      try {
        const schema = asPaymentMadeV2(copy.read('payment/PaymentMade.v2.json'));
        edit(schema);
        copy.write('payment/PaymentMade.v2.json', schema);
        const failures = await checkAgainst('HEAD', EventCatalog.load(copy.dir, { compileSchemas: false }));
        return failures.flatMap((failure) => failure.changes.map((change) => `${failure.file} ${change.path}: ${change.change}`));
      } finally {
        copy.dispose();
      }
    }

    it('fails a new optional field inside PaymentMade v2’s charge, which strict v2 readers refuse', async () => {
      expect(await gateOn((schema) => (schema.properties.charge.properties.note = { type: 'string' }))).toEqual([
        'payment/PaymentMade.v2.json $.charge.note: new field: admits documents readers of the old version reject (strict readers refuse a field they do not know)',
      ]);
    });

    it('fails a longer orderId maximum, naming the path and the bound', async () => {
      expect(await gateOn((schema) => (schema.properties.orderId.maxLength = 128))).toEqual([
        'payment/PaymentMade.v2.json $.orderId: maxLength 64 became 128: admits documents readers of the old version reject',
      ]);
    });

    it('fails a tighter minimum the other way: events already published would be refused', async () => {
      expect(await gateOn((schema) => (schema.properties.charge.properties.total.minimum = 1))).toEqual([
        'payment/PaymentMade.v2.json $.charge.total: minimum 0 became 1: rejects documents the old version accepted (published events, replays)',
      ]);
    });

    it('reports what json-schema-diff finds, both ways, where the rules name nothing', async () => {
      const older = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { n: { type: 'integer', maximum: 10 } } };

      expect(await crossCheck(older, structuredClone(older))).toEqual([]);
      expect((await crossCheck(older, { ...older, properties: { n: { type: 'integer', maximum: 20 } } })).map((c) => c.change.split(',')[0])).toEqual([
        'json-schema-diff: now admits documents the old version rejects',
      ]);
      expect((await crossCheck(older, { ...older, properties: { n: { type: 'integer', maximum: 5 } } })).map((c) => c.change.split(',')[0])).toEqual([
        'json-schema-diff: now rejects documents the old version accepted',
      ]);
    });

    it('agrees with json-schema-diff on what each edit admits and rejects', async () => {
      const { diffSchemas } = await import('json-schema-diff');
      type LibrarySchema = Parameters<typeof diffSchemas>[0]['sourceSchema'];
      const diff = (source: PaymentMadeV2, destination: PaymentMadeV2) => diffSchemas({ sourceSchema: source as LibrarySchema, destinationSchema: destination as LibrarySchema });
      const copy = new CatalogCopy();
      try {
        const { $schema: _, ...older } = asPaymentMadeV2(copy.read('payment/PaymentMade.v2.json'));
        const source = asPaymentMadeV2(older);
        const longer = structuredClone(source);
        longer.properties.orderId.maxLength = 128;
        const tighter = structuredClone(source);
        tighter.properties.charge.properties.total.minimum = 1;

        expect(await diff(source, longer)).toMatchObject({ additionsFound: true, removalsFound: false });
        expect(await diff(source, tighter)).toMatchObject({ additionsFound: false, removalsFound: true });
        expect(await diff(source, structuredClone(source))).toMatchObject({ additionsFound: false, removalsFound: false });
      } finally {
        copy.dispose();
      }
    });
  });

  describe('fails closed', () => {
    it('refuses a base revision git cannot read, naming it', async () => {
      // Act
      const checking = checkAgainst('no-such-revision');

      // Assert
      await expect(checking).rejects.toBeInstanceOf(GateBaseError);
      await expect(checking).rejects.toThrow('schemas:check cannot run: the base revision "no-such-revision" is not a commit of this repository');
    });

    it('fails when a version file that existed at the base is gone', async () => {
      // Arrange
      const copy = new CatalogCopy();
      try {
        copy.remove('orders/OrderCompleted.v1.json');
        const catalog = EventCatalog.load(copy.dir);

        // Act
        const failures = await checkAgainst('HEAD', catalog);

        // Assert
        expect(failures).toEqual([{ file: 'orders/OrderCompleted.v1.json', changes: [], deleted: true }]);
        expect(describeFailure(failures[0]!, 'HEAD', catalog)).toMatch(/^catalog\/orders\/OrderCompleted\.v1\.json existed at HEAD and is gone/);
      } finally {
        copy.dispose();
      }
    });
  });
});
