import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * Tracing as in Lambda: the X-Ray SDK reads the facade segment from _X_AMZN_TRACE_ID and streams closed
 * subsegments over UDP to the daemon at AWS_XRAY_DAEMON_ADDRESS, here a socket on loopback that records them.
 */
describe('tracing (X-Ray daemon on loopback)', () => {
  let daemon: Socket;
  const documents: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (message) => {
      const [, body] = message.toString('utf8').split('\n');
      if (body) documents.push(JSON.parse(body) as Record<string, unknown>);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
      AWS_LAMBDA_FUNCTION_NAME: 'eventflow-test-estimate',
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    });
  });
  afterAll(() => {
    daemon.close();
    for (const name of ['AWS_XRAY_DAEMON_ADDRESS', 'AWS_LAMBDA_FUNCTION_NAME', 'LAMBDA_TASK_ROOT', 'AWS_EXECUTION_ENV', '_X_AMZN_TRACE_ID']) delete process.env[name];
  });

  it('sends a subsegment named after the saga task, annotated with the correlation id', async () => {
    const { createSagaTask } = await import('../../../../functions/shared');
    const task = createSagaTask({
      name: 'delivery.EstimateDelivery',
      eventBusName: 'bus',
      idempotency: 'read-only',
      handler: async () => ({ nothing: 'Nothing' }),
    });

    await task({ order: { orderId: 'o-9', customerId: 'c', productId: 'p', quantity: 1 }, cause: { correlationId: 'corr-9', idempotencyKey: 'k' }, stepKey: 'k:EstimateDelivery' });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const subsegment = documents.find((doc) => doc.name === '## delivery.EstimateDelivery');
    expect(subsegment).toMatchObject({ trace_id: '1-5759e988-bd862e3fe1be46a994272793', parent_id: '53995c3f42cd8ad8', annotations: { correlationId: 'corr-9', orderId: 'o-9' } });
  });
});
