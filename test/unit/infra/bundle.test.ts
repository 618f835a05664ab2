import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOG_DIR } from '../../../model';
import { handlerFile } from '../../../functions/handlers';
import { ENTRY_FILE, bundleHandlers, writeFunctionFolder } from '../../../infra/internal/bundle';

describe('function bundles', () => {
  it('load and run as deployed, in a fresh Node.js process: ESM entry, shared chunks, catalog beside them', async () => {
    const file = handlerFile('delivery.EstimateDelivery');
    const bundle = (await bundleHandlers([file])).get(file)!;
    const folder = writeFunctionFolder(`bundle-test-${process.pid}`, bundle, CATALOG_DIR);
    const input = {
      order: { orderId: 'o-1', customerId: 'c-1', productId: 'p-1', quantity: 1 },
      cause: { correlationId: 'c', idempotencyKey: 'k' },
      stepKey: 'k:EstimateDelivery',
      item: { data: { weightGrams: 2500 } },
      customer: { data: { shippingAddress: { country: 'FR' } } },
    };
    const script = `import(${JSON.stringify(pathToFileURL(join(folder, ENTRY_FILE)).href)}).then(({ handler }) => handler(${JSON.stringify(input)})).then((out) => process.stdout.write(JSON.stringify(out)))`;
    try {
      const output = JSON.parse(
        execFileSync(process.execPath, ['-e', script], {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            EVENT_BUS_NAME: 'bus',
            EVENTFLOW_CATALOG_DIR: join(folder, 'catalog'),
            POWERTOOLS_LOG_LEVEL: 'CRITICAL',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        }),
      ) as { outcome: string; entries: Array<{ DetailType: string; Detail: { metadata: { schema: string } } }> };

      expect(output.outcome).toBe('DeliveryEstimated');
      expect(output.entries.map((e) => [e.DetailType, e.Detail.metadata.schema])).toEqual([['DeliveryEstimated', 'eventflow.delivery@DeliveryEstimated.v1']]);
      expect([...bundle.keys()].some((file) => file.endsWith('.mjs.map'))).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
