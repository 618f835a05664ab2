import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { publisherFor, sagaTaskFromEnv, type Fact } from '../../../functions/shared';
import { repoRoot } from '../../../model/paths';

describe('the catalog’s code bindings (functions/shared/catalog-types.ts)', () => {
  it('are up to date with the catalog (run `npm run bindings` after changing a schema)', () => {
    // In a process of its own: the generator's formatter (prettier) cannot load inside jest's module sandbox.
    const output = execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot(), 'tools', 'bindings.ts'), '--check'], { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toBe('functions/shared/catalog-types.ts is up to date\n');
  });

  it('type facts by their event: data that breaks the schema, or an unknown event, fails to type-check', () => {
    // Each @ts-expect-error is checked by `npm test`'s type-check: were the line accepted, the directive itself
    // would be the error, so these lines prove the bindings refuse what the schemas refuse.
    const refused: Fact[] = [
      // @ts-expect-error: PaymentFailed has no such event name
      { detailType: 'PaymentFailde', data: {} },
      // @ts-expect-error: PaymentFailed requires currency and reason
      { detailType: 'PaymentFailed', data: { orderId: 'o', customerId: 'c', amount: 1 } },
      // @ts-expect-error: PaymentMade v2 has no top-level amount; its charge is itemized
      { detailType: 'PaymentMade', dataByVersion: { 2: { orderId: 'o', customerId: 'c', paymentId: 'p', amount: 1, currency: 'EUR' } } },
    ];
    const accepted: Fact = {
      detailType: 'OrderCompleted',
      data: { orderId: 'o', customerId: 'c', productId: 'p', quantity: 1, paymentId: 'pay', deliveryId: 'd', completedAt: '2026-11-25T00:00:00Z' },
    };

    // Never called (the functions need a deployed environment): only type-checked. A step or a producer may state
    // only the facts its action declares in the model.
    const undeclared = () => [
      // @ts-expect-error: EstimateDelivery declares DeliveryEstimated only
      sagaTaskFromEnv('delivery.EstimateDelivery')(async () => ({ fact: { detailType: 'ItemReleased', data: { orderId: 'o', productId: 'p', quantity: 1, reservationId: 'r' } } })),
      // @ts-expect-error: CreateOrder declares OrderCreated only
      publisherFor('orders.CreateOrder').publish({ detailType: 'ItemReleased', data: { orderId: 'o', productId: 'p', quantity: 1, reservationId: 'r' } }),
    ];
    expect(typeof undeclared).toBe('function');
    expect(refused).toHaveLength(3);
    expect(accepted.detailType).toBe('OrderCompleted');
  });
});
