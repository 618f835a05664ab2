import { breakingChanges } from '../../../model/compatibility';
import { GateBaseError, checkAgainst, describeFailure } from '../../../model/schemas-check';
import { thrownBy } from '../../helpers/thrown';
import { EventCatalog } from '../../../model';
import { CatalogCopy } from '../../helpers/catalog-fixture';

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
  it('accepts compatible evolution: an optional field, a widened type, a new enum value', () => {
    const newer = structuredClone(v1) as typeof v1 & { properties: Record<string, unknown> };
    newer.properties.note = { type: 'string' };
    newer.properties.amount = { type: 'number' };
    newer.properties.reason = { type: 'string', enum: ['CARD_DECLINED', 'LIMIT_EXCEEDED', 'FRAUD'] };

    expect(breakingChanges(v1, newer)).toEqual([]);
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

    expect(breakingChanges(v1, newer)).toEqual(
      expect.arrayContaining([
        { path: '$.amount', change: 'required field removed or made optional' },
        { path: '$.reason', change: 'required field removed or made optional' },
        { path: '$.currency', change: 'new required field' },
        { path: '$.orderId', change: 'type string became integer' },
        { path: '$.reason', change: 'enum value "LIMIT_EXCEEDED" removed' },
        { path: '$.address.city', change: 'required field removed or made optional' },
      ]),
    );
  });

  it('passes the committed catalog against HEAD, and fails a breaking edit of an existing version', () => {
    expect(checkAgainst('HEAD')).toEqual([]);

    const copy = new CatalogCopy();
    try {
      const schema = copy.read('payment/PaymentMade.v1.json') as { required: string[] };
      copy.write('payment/PaymentMade.v1.json', { ...schema, required: schema.required.filter((field) => field !== 'currency') });

      const catalog = EventCatalog.load(copy.dir);
      const failures = checkAgainst('HEAD', catalog);

      expect(failures).toEqual([{ file: 'payment/PaymentMade.v1.json', changes: [{ path: '$.currency', change: 'required field removed or made optional' }] }]);
      expect(describeFailure(failures[0]!, 'HEAD', catalog).split('\n')).toEqual([
        'PaymentMade v1 (catalog/payment/PaymentMade.v1.json) as it is now breaks readers of PaymentMade v1 as it was at HEAD:',
        '  $.currency: required field removed or made optional',
        'Restore PaymentMade v1 as it was and add the change as a new version, catalog/payment/PaymentMade.v3.json, with "x-eventflow": { "ttl", "nextVersion" } on the old one (README: "The worked evolution").',
      ]);
    } finally {
      copy.dispose();
    }
  });

  describe('fails closed', () => {
    it('refuses a base revision git cannot read, naming it', () => {
      // Act
      const error = thrownBy(() => checkAgainst('no-such-revision'));

      // Assert
      expect(error).toBeInstanceOf(GateBaseError);
      expect((error as Error).message).toBe('schemas:check cannot run: the base revision "no-such-revision" is not a commit of this repository');
    });

    it('fails when a version file that existed at the base is gone', () => {
      // Arrange
      const copy = new CatalogCopy();
      try {
        copy.remove('orders/OrderCompleted.v1.json');
        const catalog = EventCatalog.load(copy.dir);

        // Act
        const failures = checkAgainst('HEAD', catalog);

        // Assert
        expect(failures).toEqual([{ file: 'orders/OrderCompleted.v1.json', changes: [], deleted: true }]);
        expect(describeFailure(failures[0]!, 'HEAD', catalog)).toMatch(/^catalog\/orders\/OrderCompleted\.v1\.json existed at HEAD and is gone/);
      } finally {
        copy.dispose();
      }
    });
  });
});
