import { Application, EventCatalog, ORDER_SYSTEM, loadOrderSystem } from '../../../model';
import { renderRequestContracts } from '../../../tools/docs';
import { CatalogCopy } from '../../helpers/catalog-fixture';

describe('generated docs', () => {
  describe('API request contracts', () => {
    it('lists each route with a body: its model, its file and each field with its constraints', () => {
      // Act
      const section = renderRequestContracts(loadOrderSystem()).split('\n');

      // Assert
      expect(section).toEqual(
        expect.arrayContaining([
          '## API request contracts',
          '### POST /orders (orders.CreateOrder)',
          '- v1: model `CreateOrderV1`, [catalog/orders/requests/CreateOrder.v1.json](../catalog/orders/requests/CreateOrder.v1.json), served',
          'Any other field is refused (`additionalProperties: false`).',
          '| Field | Type | Required | Constraints |',
          '| `customerId` | string | yes | minLength 1, maxLength 64, pattern `^[A-Za-z0-9_-]+$` |',
          '| `quantity` | integer | yes | minimum 1, maximum 1000 |',
        ]),
      );
      expect(section.join('\n')).not.toContain('GET /orders/{orderId}');
    });

    it('serves the newest version, says what it breaks for clients of the one before, and shows its fields at every depth', () => {
      // Arrange
      const copy = new CatalogCopy();
      try {
        const v2 = copy.read('orders/requests/CreateOrder.v1.json') as { properties: Record<string, unknown> };
        v2.properties.lines = {
          type: 'array',
          maxItems: 10,
          items: { type: 'object', required: ['sku'], additionalProperties: false, properties: { sku: { type: 'string', description: 'Stock keeping unit | code.' } } },
        };
        v2.properties.priority = { type: 'string', enum: ['STANDARD', 'EXPRESS'] };
        copy.write('orders/requests/CreateOrder.v2.json', v2);
        const app = Application.load(ORDER_SYSTEM, EventCatalog.load(copy.dir, { compileSchemas: false }));

        // Act
        const section = renderRequestContracts(app).split('\n');

        // Assert
        expect(section).toEqual(
          expect.arrayContaining([
            '- v1: model `CreateOrderV1`, [catalog/orders/requests/CreateOrder.v1.json](../catalog/orders/requests/CreateOrder.v1.json), no longer served (v2 is)',
            '- v2: model `CreateOrderV2`, [catalog/orders/requests/CreateOrder.v2.json](../catalog/orders/requests/CreateOrder.v2.json), served',
            '  - breaks v1 clients, hence a new version:',
            '    - `$.lines`: new field: admits requests the old version refused, which the action behind it was not built for (strict readers refuse a field they do not know)',
            '#### Fields of v2',
            '| Field | Type | Required | Constraints | Description |',
            '| `lines` | array | no | maxItems 10 |  |',
            '| `lines[]` | object |  | no other fields |  |',
            '| `lines[].sku` | string | yes |  | Stock keeping unit \\| code. |',
            '| `priority` | string | no | one of `"STANDARD"`, `"EXPRESS"` |  |',
          ]),
        );
      } finally {
        copy.dispose();
      }
    });
  });
});
