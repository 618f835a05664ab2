import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { ORDERS_TABLE, TABLES, tableEnvVar } from '../../../../model';
import { startDynalite, type LocalDynamo } from '../../../helpers/dynalite';
import { FakeEventBridge, accept } from '../../../helpers/fake-eventbridge';

type SegmentDocument = Record<string, unknown>;

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const FACADE_ID = '53995c3f42cd8ad8';

/** A POST /orders request as API Gateway's REST proxy hands it to CreateOrder. */
function postOrder(body: unknown): APIGatewayProxyEvent {
  return {
    resource: '/orders',
    path: '/orders',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: { 'content-type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { httpMethod: 'POST', path: '/test/orders', stage: 'test', resourcePath: '/orders' } as APIGatewayProxyEvent['requestContext'],
  };
}

/**
 * Tracing as in Lambda: the X-Ray SDK reads the facade segment from _X_AMZN_TRACE_ID and streams closed
 * subsegments over UDP to the daemon at AWS_XRAY_DAEMON_ADDRESS, here a socket on loopback that records them.
 * AWS calls go to loopback stand-ins (EventBridge, dynalite) through the functions' own clients.
 */
describe('tracing (X-Ray daemon on loopback)', () => {
  let daemon: Socket;
  const documents: SegmentDocument[] = [];
  const bus = new FakeEventBridge();
  let dynamo: LocalDynamo;
  const saved: Record<string, string | undefined> = {};

  /** The first document the daemon received, or receives within 2 s, that `matches`. */
  async function received(matches: (document: SegmentDocument) => boolean): Promise<SegmentDocument | undefined> {
    for (let waited = 0; waited < 2000; waited += 20) {
      const found = documents.find(matches);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  }

  beforeAll(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (message) => {
      const [, body] = message.toString('utf8').split('\n');
      if (body) documents.push(JSON.parse(body) as SegmentDocument);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    [dynamo] = await Promise.all([startDynalite('tracing'), bus.start()]);
    const env: Record<string, string> = {
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
      AWS_LAMBDA_FUNCTION_NAME: 'eventflow-test-estimate',
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=${FACADE_ID};Sampled=1`,
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      POWERTOOLS_METRICS_NAMESPACE: 'eventflow-test',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      EVENT_BUS_NAME: 'eventflow-test',
      ...Object.fromEntries(TABLES.map((table) => [tableEnvVar(table), dynamo.tableName(table)])),
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    daemon.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([bus.stop(), dynamo.stop()]);
  });
  afterEach(() => {
    bus.responder = accept;
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

    const subsegment = await received((doc) => doc.name === '## delivery.EstimateDelivery');
    expect(subsegment).toMatchObject({ trace_id: TRACE_ID, parent_id: FACADE_ID, annotations: { correlationId: 'corr-9', orderId: 'o-9' } });
  });

  describe('SDK clients', () => {
    it("traces the publisher's PutEvents as an EventBridge subsegment of the invocation's trace, and passes it on", async () => {
      // Arrange
      const { EventPublisher } = await import('../../../../functions/shared');
      const publisher = new EventPublisher({ eventBusName: 'eventflow-test' });

      // Act
      await publisher.publish({
        detailType: 'OrderCreated',
        correlationId: 'corr-put',
        data: { orderId: 'order-put', customerId: 'c', productId: 'p', quantity: 1, status: 'PENDING', createdAt: '2026-11-25T00:00:00.000Z' },
      });

      // Assert
      const call = await received((doc) => doc.name === 'EventBridge');
      expect(call).toMatchObject({
        type: 'subsegment',
        trace_id: TRACE_ID,
        parent_id: FACADE_ID,
        namespace: 'aws',
        aws: { operation: 'PutEvents', region: 'eu-west-1' },
        http: { response: { status: 200 } },
      });
      // The request carried the subsegment as its parent, so EventBridge's side of the call joins the same trace.
      expect(bus.requests.at(-1)?.headers['x-amzn-trace-id']).toBe(`Root=${TRACE_ID};Parent=${String(call?.id)};Sampled=1`);
    });

    it('returns the client itself, without X-Ray middleware, when POWERTOOLS_TRACE_ENABLED is false', async () => {
      const { tracedClient } = await import('../../../../functions/shared');
      process.env.POWERTOOLS_TRACE_ENABLED = 'false';
      try {
        const client = new EventBridgeClient({});

        const returned = tracedClient(client);

        expect(returned).toBe(client);
        expect(client.middlewareStack.identify().filter((name) => name.startsWith('XRaySDKInstrumentation'))).toEqual([]);
      } finally {
        delete process.env.POWERTOOLS_TRACE_ENABLED;
      }
    });

    it('adds X-Ray middleware to the client once when tracing is on, however often it is captured', async () => {
      const { tracedClient } = await import('../../../../functions/shared');
      const client = new EventBridgeClient({});

      tracedClient(tracedClient(client));

      expect(client.middlewareStack.identify().filter((name) => name.startsWith('XRaySDKInstrumentation'))).toHaveLength(1);
    });
  });

  describe('CreateOrder', () => {
    let createOrder: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
    beforeAll(async () => {
      ({ handler: createOrder } = await import('../../../../functions/orders/create-order'));
    });

    it('runs in a subsegment annotated with the order id and correlation id, its DynamoDB and EventBridge calls inside', async () => {
      // Act
      const response = await createOrder(postOrder({ customerId: 'customer-1', productId: 'product-1', quantity: 2 }));

      // Assert
      expect(response.statusCode).toBe(201);
      const { orderId } = JSON.parse(response.body) as { orderId: string };
      const announced = bus.sentEntries().find((entry) => (JSON.parse(entry.Detail ?? '{}') as { data: { orderId?: string } }).data.orderId === orderId);
      const { correlationId } = (JSON.parse(announced?.Detail ?? '{}') as { metadata: { correlationId: string } }).metadata;
      const subsegment = await received((doc) => doc.name === '## orders.CreateOrder' && (doc.annotations as Record<string, unknown> | undefined)?.orderId === orderId);
      expect(subsegment).toMatchObject({ trace_id: TRACE_ID, parent_id: FACADE_ID, annotations: { orderId, correlationId } });
      expect(subsegment?.fault).toBeUndefined();
      // Lambda's X-Ray SDK streams each subsegment on its own as it closes; the calls name CreateOrder's as parent.
      expect(documents.filter((doc) => doc.parent_id === subsegment?.id)).toEqual([
        expect.objectContaining({ name: 'DynamoDB', namespace: 'aws', aws: expect.objectContaining({ operation: 'PutItem', table_name: dynamo.tableName(ORDERS_TABLE) }) }),
        expect.objectContaining({ name: 'EventBridge', namespace: 'aws', aws: expect.objectContaining({ operation: 'PutEvents' }) }),
      ]);
    });

    it('records the error on its subsegment when the order is stored but not announced (503)', async () => {
      // Arrange
      bus.responder = () => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed on this bus' });

      // Act
      const response = await createOrder(postOrder({ customerId: 'customer-2', productId: 'product-1', quantity: 1 }));

      // Assert
      expect(response.statusCode).toBe(503);
      const { orderId } = JSON.parse(response.body) as { orderId: string };
      const subsegment = await received((doc) => doc.name === '## orders.CreateOrder' && (doc.annotations as Record<string, unknown> | undefined)?.orderId === orderId);
      expect(subsegment).toMatchObject({ fault: true, cause: { exceptions: [expect.objectContaining({ type: 'PublishFailedError' })] } });
    });
  });
});

describe('tracedClient outside Lambda', () => {
  it('returns the client untouched without loading the tracer, whose X-Ray SDK would hook every promise', async () => {
    // Arrange
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    jest.doMock('@aws-lambda-powertools/tracer', () => {
      throw new Error('the Powertools tracer was loaded');
    });
    try {
      await jest.isolateModulesAsync(async () => {
        const { tracedClient } = await import('../../../../functions/shared/powertools');
        const client = new EventBridgeClient({});

        // Act
        const returned = tracedClient(client);

        // Assert
        expect(returned).toBe(client);
      });
    } finally {
      jest.dontMock('@aws-lambda-powertools/tracer');
      if (functionName !== undefined) process.env.AWS_LAMBDA_FUNCTION_NAME = functionName;
    }
  });
});
