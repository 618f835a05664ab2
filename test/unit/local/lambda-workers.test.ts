import { TABLES, tableEnvVar } from '../../../model';
import { LambdaWorkers } from '../../../local/lambda-workers';
import { defaultWorkers } from '../../../local/start-local';
import { fixtureEvent } from '../../helpers/fixtures';

/** The functions in worker threads: results and errors cross the thread boundary with what retries read. */
describe('LambdaWorkers', () => {
  let workers: LambdaWorkers;

  beforeAll(async () => {
    // Workers read the environment as it is when they start, as a Lambda reads its configuration.
    Object.assign(process.env, { EVENT_BUS_NAME: 'eventflow-test', SENDER_EMAIL: 'orders@eventflow.test', AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'CRITICAL' });
    for (const table of TABLES) process.env[tableEnvVar(table)] = `workers-${table.logicalName}`;
    workers = await LambdaWorkers.start(2, ['delivery.EstimateDelivery', 'notifications.SendEmail']);
  }, 30_000);
  afterAll(() => workers.stop());

  it('runs a function in a worker and returns its result', async () => {
    const order = { orderId: 'order-w1', customerId: 'customer-1', productId: 'product-1', quantity: 1 };
    const input = { order, cause: { correlationId: 'c-1', idempotencyKey: 'k-1' }, stepKey: 'k-1:EstimateDelivery', item: { data: { weightGrams: 500 } }, customer: { data: { shippingAddress: { country: 'DE' } } } };

    const output = (await workers.invoke('delivery.EstimateDelivery', input)) as { outcome: string; entries: Array<{ DetailType: string }> };

    expect(output.outcome).toBe('DeliveryEstimated');
    expect(output.entries.map((entry) => entry.DetailType)).toEqual(['DeliveryEstimated']);
  });

  it('rejects with the handler’s error name, message and retryable flag, so the bus does not retry a bad event', async () => {
    const error = (await workers.invoke('notifications.SendEmail', fixtureEvent('OrderCreated')).catch((e: unknown) => e)) as Error & { retryable?: boolean };

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EventValidationError');
    expect(error.message).toContain('OrderCreated v1 is invalid: $["detail-type"] is not consumed by notifications.SendEmail');
    expect(error.retryable).toBe(false);
  });

  it('names a function the workers do not have', async () => {
    await expect(workers.invoke('payment.MakePayment', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'no function for payment.MakePayment' });
  });

  it('keeps two cores for the main thread and dynalite before adding workers', () => {
    expect([1, 2, 3, 8].map((cores) => defaultWorkers(cores))).toEqual([0, 0, 1, 6]);
  });
});
