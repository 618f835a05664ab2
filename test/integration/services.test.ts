import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ORDERS_TABLE } from '../../model';
import { EmailSink } from '../../local/email-sink';
import { lambdaContext } from '../../local/lambda-context';
import { FakeEventBridge } from '../helpers/fake-eventbridge';
import { fixtureEvent } from '../helpers/fixtures';
import { SagaHarness } from '../helpers/saga-harness';

type HttpHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
type EventHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Records StartExecution calls (AWS JSON 1.0) and answers a repeated name as Step Functions does; answers
 * DescribeExecution with RUNNING for a started execution, FAILED with the error set in `failed`, or
 * ExecutionDoesNotExist (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html).
 */
async function startFakeStepFunctions(): Promise<{ url: string; started: Array<{ name: string; input: unknown }>; failed: Map<string, string>; server: Server }> {
  const started: Array<{ name: string; input: unknown }> = [];
  const failed = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { name: string; input: string; executionArn?: string };
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (req.headers['x-amz-target'] === 'AWSStepFunctions.DescribeExecution') {
        const name = String(body.executionArn).split(':').pop() as string;
        const known = started.some((s) => s.name === name) || failed.has(name);
        res.writeHead(known ? 200 : 400);
        const error = failed.get(name);
        res.end(
          JSON.stringify(
            known
              ? { executionArn: body.executionArn, name, status: error ? 'FAILED' : 'RUNNING', ...(error ? { error, cause: 'it broke' } : {}), startDate: Date.now() / 1000, redriveCount: 0 }
              : { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${body.executionArn}'` },
          ),
        );
        return;
      }
      if (started.some((s) => s.name === body.name)) {
        res.writeHead(400);
        res.end(JSON.stringify({ __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${body.name}'` }));
        return;
      }
      started.push({ name: body.name, input: JSON.parse(body.input) });
      res.writeHead(200);
      res.end(JSON.stringify({ executionArn: `arn:aws:states:eu-west-1:000000000000:execution:saga:${body.name}`, startDate: Date.now() / 1000 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, started, failed, server };
}

/** A REST API proxy event (payload format 1.0), headers as the client wrote them. */
function httpEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, pathParameters?: Record<string, string>): APIGatewayProxyEvent {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: pathParameters ?? null,
    stageVariables: null,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { httpMethod: method, path: `/test${path}`, stage: 'test', resourcePath: path } as APIGatewayProxyEvent['requestContext'],
  };
}

const parse = (response: APIGatewayProxyResult) => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

describe('services (real handlers against dynalite and loopback stand-ins)', () => {
  const saga = new SagaHarness();
  const bus = new FakeEventBridge();
  const email = new EmailSink();
  let stepFunctions: Awaited<ReturnType<typeof startFakeStepFunctions>>;
  let createOrder: HttpHandler;
  let getOrder: HttpHandler;

  beforeAll(async () => {
    await Promise.all([saga.start(), bus.start(), email.start()]);
    stepFunctions = await startFakeStepFunctions();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
      AWS_ENDPOINT_URL_SESV2: email.url,
      AWS_ENDPOINT_URL_SFN: stepFunctions.url,
      SENDER_EMAIL: 'orders@example.com',
      ORDER_SAGA_ARN: 'arn:aws:states:eu-west-1:000000000000:stateMachine:saga',
    });
    ({ handler: createOrder } = (await import('../../functions/orders/create-order')) as { handler: HttpHandler });
    ({ handler: getOrder } = (await import('../../functions/orders/get-order')) as { handler: HttpHandler });
  });
  afterAll(async () => {
    await Promise.all([saga.stop(), bus.stop(), email.stop(), new Promise((resolve) => stepFunctions.server.close(resolve))]);
  });

  describe('orders: CreateOrder and GetOrder', () => {
    it('answers 400 naming every bad field, and stores nothing', async () => {
      const response = await createOrder(httpEvent('POST', '/orders', { customerId: '', quantity: 0, colour: 'red' }));

      expect(response.statusCode).toBe(400);
      expect(parse(response).errors).toEqual(
        expect.arrayContaining([
          { path: '$.productId', message: 'is required' },
          { path: '$.customerId', message: 'must NOT have fewer than 1 characters' },
          { path: '$.quantity', message: 'must be >= 1' },
          { path: '$.colour', message: 'is not allowed here' },
        ]),
      );
      expect(bus.requests).toHaveLength(0);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const response = await createOrder(httpEvent('POST', '/orders', '{"customerId":'));

      expect(response.statusCode).toBe(400);
      expect(parse(response).errors).toEqual([{ path: '$', message: 'body must be a JSON object' }]);
    });

    it('stores a PENDING order, announces OrderCreated, and returns it by id', async () => {
      const created = await createOrder(httpEvent('POST', '/orders', { customerId: 'customer-1', productId: 'product-1', quantity: 2 }));
      const { orderId } = parse(created) as { orderId: string };
      const fetched = await getOrder(httpEvent('GET', `/orders/${orderId}`, undefined, {}, { orderId }));

      expect(created.statusCode).toBe(201);
      expect(parse(created)).toEqual({ orderId, status: 'PENDING' });
      const announced = bus.sentEntries().find((entry) => JSON.parse(entry.Detail!).data.orderId === orderId)!;
      expect(announced).toMatchObject({ Source: 'eventflow.orders', DetailType: 'OrderCreated' });
      expect(fetched.statusCode).toBe(200);
      expect(parse(fetched)).toMatchObject({ orderId, status: 'PENDING', reason: null, history: [{ status: 'PENDING', event: 'OrderCreated' }], saga: { status: 'NOT_STARTED' } });
    });

    it('shows a pending order whose saga failed before its outcome as NEEDS_ATTENTION, with the execution to redrive', async () => {
      // Arrange
      const created = await createOrder(httpEvent('POST', '/orders', { customerId: 'customer-1', productId: 'product-1', quantity: 1 }));
      const { orderId } = parse(created) as { orderId: string };
      stepFunctions.failed.set(orderId, 'TransientStepError');

      // Act
      const fetched = parse(await getOrder(httpEvent('GET', `/orders/${orderId}`, undefined, {}, { orderId })));
      stepFunctions.failed.set(orderId, 'StepFailed');
      const cancelledAfterFailure = parse(await getOrder(httpEvent('GET', `/orders/${orderId}`, undefined, {}, { orderId })));

      // Assert
      expect(fetched).toMatchObject({
        status: 'NEEDS_ATTENTION',
        reason: 'TransientStepError',
        saga: { executionArn: `arn:aws:states:eu-west-1:000000000000:execution:saga:${orderId}`, status: 'FAILED', error: 'TransientStepError' },
      });
      // StepFailed ends a saga that has already published OrderCancelled: the order is not stuck, its view catches up.
      expect(cancelledAfterFailure).toMatchObject({ status: 'PENDING', saga: { status: 'FAILED', error: 'StepFailed' } });
    });

    it('finds the same order again for a repeated Idempotency-Key, and refuses the key for another order', async () => {
      const body = { customerId: 'customer-1', productId: 'product-1', quantity: 1 };
      const first = await createOrder(httpEvent('POST', '/orders', body, { 'idempotency-key': 'client-key-1' }));
      const again = await createOrder(httpEvent('POST', '/orders', body, { 'idempotency-key': 'client-key-1' }));
      const other = await createOrder(httpEvent('POST', '/orders', { ...body, quantity: 3 }, { 'idempotency-key': 'client-key-1' }));

      expect(parse(again).orderId).toBe(parse(first).orderId);
      const keys = bus
        .sentEntries()
        .filter((e) => JSON.parse(e.Detail!).data.orderId === parse(first).orderId)
        .map((e) => JSON.parse(e.Detail!).metadata.idempotencyKey);
      expect(keys).toHaveLength(2);
      expect(keys[1]).toBe(keys[0]);
      expect(other.statusCode).toBe(409);
    });

    it('answers 503 when the order was stored but could not be announced', async () => {
      bus.responder = () => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' });
      try {
        const response = await createOrder(httpEvent('POST', '/orders', { customerId: 'customer-1', productId: 'product-1', quantity: 1 }, { 'idempotency-key': 'client-key-2' }));

        expect(response.statusCode).toBe(503);
        expect(parse(response).errors).toEqual([{ path: '$', message: 'the order was stored but not announced; retry with the same Idempotency-Key' }]);
      } finally {
        bus.responder = (_entry, call, index) => ({ EventId: `event-${call}-${index}` });
      }
    });

    it('answers 404 for an unknown order', async () => {
      const response = await getOrder(httpEvent('GET', '/orders/nope', undefined, {}, { orderId: 'nope' }));

      expect(response.statusCode).toBe(404);
    });

    it('answers 404 for an id no order can have, however long, without asking DynamoDB for a key past its limit', async () => {
      const orderId = 'x'.repeat(3000);

      const response = await getOrder(httpEvent('GET', `/orders/${orderId}`, undefined, {}, { orderId }));

      expect(response.statusCode).toBe(404);
      expect((parse(response) as { errors: Array<{ message: string }> }).errors[0]?.message).toMatch(/order ids are UUIDs$/);
    });
  });

  describe('orders: StartOrderSaga and RecordOrderOutcome', () => {
    it('starts one saga execution per order, named after it, however often OrderCreated arrives', async () => {
      const { handler } = (await import('../../functions/orders/start-order-saga')) as { handler: EventHandler };
      const event = fixtureEvent('OrderCreated');
      const redelivered = fixtureEvent('OrderCreated');
      Object.assign(redelivered.detail.metadata, { idempotencyKey: 'published-again' });

      const first = await handler(event, lambdaContext());
      const second = await handler(redelivered, lambdaContext());

      expect(first).toEqual({ executionName: 'order-1', started: true });
      expect(second).toEqual({ executionName: 'order-1', started: false });
      expect(stepFunctions.started).toEqual([
        {
          name: 'order-1',
          input: {
            order: { orderId: 'order-1', customerId: 'customer-1', productId: 'product-1', quantity: 2 },
            cause: { correlationId: event.detail.metadata.correlationId, idempotencyKey: event.detail.metadata.idempotencyKey },
          },
        },
      ]);
    });

    it('moves a PENDING order to CANCELLED with its reason, once', async () => {
      const { handler } = (await import('../../functions/orders/record-order-outcome')) as { handler: EventHandler };
      const created = await createOrder(httpEvent('POST', '/orders', { customerId: 'customer-declined', productId: 'product-1', quantity: 1 }));
      const { orderId } = parse(created) as { orderId: string };
      const cancelled = fixtureEvent('OrderCancelled');
      Object.assign(cancelled.detail.data, { orderId });
      const completed = fixtureEvent('OrderCompleted');
      Object.assign(completed.detail.data, { orderId });

      await handler(cancelled, lambdaContext());
      const late = await handler(completed, lambdaContext());

      expect(late).toEqual({ recorded: false });
      const order = await saga.item<{ status: string; reason: string; history: Array<{ status: string }> }>(ORDERS_TABLE, { orderId });
      expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
      expect(order?.history.map((h) => h.status)).toEqual(['PENDING', 'CANCELLED']);
    });
  });

  describe('notifications: SendEmail (choreographed)', () => {
    it('e-mails the customer once per event and announces EmailSent with the cause’s correlation id', async () => {
      const { handler } = (await import('../../functions/notifications/send-email')) as { handler: EventHandler };
      const failed = fixtureEvent('PaymentFailed');
      const before = bus.sentEntries().length;

      await handler(failed, lambdaContext());
      await handler(failed, lambdaContext());

      const sent = email.received.filter((e) => e.tags.template === 'payment-failed');
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ from: 'orders@example.com', to: ['charles@example.com'], subject: 'Payment for order order-1 failed' });
      const announced = bus.sentEntries().slice(before);
      expect(announced.map((e) => e.DetailType)).toEqual(['EmailSent']);
      const detail = JSON.parse(announced[0]!.Detail!) as { metadata: { correlationId: string }; data: Record<string, unknown> };
      expect(detail.metadata.correlationId).toBe(failed.detail.metadata.correlationId);
      expect(detail.data).toMatchObject({ template: 'payment-failed', trigger: 'PaymentFailed', messageId: sent[0]!.messageId });
    });

    it('does not e-mail again when a retry follows an EmailSent that could not be published', async () => {
      // Arrange: the same event under a fresh idempotency key, and a bus that refuses EmailSent once.
      const { handler } = (await import('../../functions/notifications/send-email')) as { handler: EventHandler };
      const failed = fixtureEvent('PaymentFailed');
      const event = { ...failed, detail: { ...failed.detail, metadata: { ...failed.detail.metadata, idempotencyKey: '5a1e0000-0000-4000-8000-000000000001' } } };
      const before = email.received.length;
      bus.responder = () => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' });

      // Act
      const first = await handler(event, lambdaContext()).catch((error: Error) => error);
      bus.responder = (_entry, call, index) => ({ EventId: `event-${call}-${index}` });
      await handler(event, lambdaContext());

      // Assert
      expect(first).toMatchObject({ name: 'PublishFailedError' });
      expect(email.received.length - before).toBe(1);
    });
  });
});
