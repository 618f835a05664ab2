import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { TABLES, tableEnvVar } from '../../../model';
import { LambdaWorkers } from '../../../local/lambda-workers';
import { defaultWorkers } from '../../../local/start-local';
import { fixtureEvent } from '../../helpers/fixtures';

/** The functions in worker threads: results and errors cross the thread boundary with what retries read. */
describe('LambdaWorkers', () => {
  let workers: LambdaWorkers;
  /** A DynamoDB endpoint that accepts connections and never answers, so an invocation stays in flight. */
  const silentDynamo = createServer(() => undefined);
  const sockets = new Set<Socket>();
  silentDynamo.on('connection', (socket) => sockets.add(socket));

  beforeAll(async () => {
    await new Promise<void>((listening) => silentDynamo.listen(0, '127.0.0.1', listening));
    // Workers read the environment as it is when they start, as a Lambda reads its configuration.
    Object.assign(process.env, {
      EVENT_BUS_NAME: 'eventflow-test',
      SENDER_EMAIL: 'orders@eventflow.test',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(silentDynamo.address() as AddressInfo).port}`,
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    });
    for (const table of TABLES) process.env[tableEnvVar(table)] = `workers-${table.logicalName}`;
    workers = await LambdaWorkers.start(2, ['delivery.EstimateDelivery', 'notifications.SendEmail']);
  }, 30_000);
  afterAll(async () => {
    await workers.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((closed) => silentDynamo.close(closed));
  });

  /** What the saga hands EstimateDelivery: the order, and the item and customer steps' data it quotes from. */
  const estimateInput = (orderId: string) => ({
    order: { orderId, customerId: 'customer-1', productId: 'product-1', quantity: 1 },
    cause: { correlationId: `c-${orderId}`, idempotencyKey: `k-${orderId}` },
    stepKey: `k-${orderId}:EstimateDelivery`,
    item: { data: { weightGrams: 500 } },
    customer: { data: { shippingAddress: { country: 'DE' } } },
  });

  it('runs a function in a worker and returns its result', async () => {
    const output = (await workers.invoke('delivery.EstimateDelivery', estimateInput('order-w1'))) as { outcome: string; entries: Array<{ DetailType: string }> };

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

  it('fails what a dying worker had in flight with Runtime.ExitError and replaces the worker', async () => {
    const { slots } = workers as unknown as { slots: Array<{ worker: Worker; pending: Map<number, unknown> }> };
    // A valid event: SendEmail writes its idempotency record first, to the endpoint that never answers.
    const inFlight = workers.invoke('notifications.SendEmail', fixtureEvent('PaymentMade', 2));
    const dying = slots.find((slot) => slot.pending.size > 0)!.worker;

    await dying.terminate();

    await expect(inFlight).rejects.toMatchObject({ name: 'Runtime.ExitError', message: 'the function’s worker exited with code 1' });
    expect(slots.map((slot) => slot.worker)).not.toContain(dying);
    expect(slots).toHaveLength(2);
    const output = (await workers.invoke('delivery.EstimateDelivery', estimateInput('order-w2'))) as { outcome: string };
    expect(output.outcome).toBe('DeliveryEstimated');
  });

  it('keeps two cores for the main thread and dynalite before adding workers', () => {
    expect([1, 2, 3, 8].map((cores) => defaultWorkers(cores))).toEqual([0, 0, 1, 6]);
  });
});
