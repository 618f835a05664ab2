import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { compileSchema } from '../../model/schema-validation';
import { ORDERS_TABLE } from '../../model/tables';
import { EventPublisher, PublishFailedError, applied, powertoolsFor, requiredEnv, sharedDynamo, tableName, uuidFromText } from '../shared';
import requestSchema from './create-order.request.json';
import { jsonResponse, type Order } from './order';

const ordersTable = tableName(ORDERS_TABLE);
const publisher = new EventPublisher({ eventBusName: requiredEnv('EVENT_BUS_NAME') });
const checkRequest = compileSchema(requestSchema);
const { logger } = powertoolsFor('orders');

/**
 * POST /orders: validates the body (400 lists every violation), stores the order once (a conditional put),
 * then announces OrderCreated. With an `Idempotency-Key` header a retried request finds its order again and
 * re-announces it under the same idempotency key, so an order stored but not announced is never stuck.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? '');
  } catch {
    return jsonResponse(400, { errors: [{ path: '$', message: 'body must be a JSON object' }] });
  }
  const violations = checkRequest(body);
  if (violations.length > 0) return jsonResponse(400, { errors: violations });
  const request = body as { customerId: string; productId: string; quantity: number };

  const clientKey = event.headers?.['idempotency-key'];
  const orderId = clientKey ? uuidFromText(`order:${clientKey}`) : randomUUID();
  const now = new Date().toISOString();
  const fresh: Order = {
    orderId,
    ...request,
    status: 'PENDING',
    reason: null,
    correlationId: randomUUID(),
    createdAt: now,
    history: [{ status: 'PENDING', at: now, event: 'OrderCreated' }],
  };
  const { documents } = sharedDynamo();
  const created = await applied(documents.send(new PutCommand({ TableName: ordersTable, Item: fresh, ConditionExpression: 'attribute_not_exists(orderId)' })));
  let order = fresh;
  if (!created) {
    order = (await documents.send(new GetCommand({ TableName: ordersTable, Key: { orderId } }))).Item as Order;
    if (order.customerId !== request.customerId || order.productId !== request.productId || order.quantity !== request.quantity) {
      return jsonResponse(409, { errors: [{ path: '$', message: 'Idempotency-Key was already used for a different order' }] });
    }
  }

  try {
    await publisher.publish({
      detailType: 'OrderCreated',
      correlationId: order.correlationId,
      idempotencyKey: uuidFromText(`OrderCreated:${order.orderId}`),
      data: { orderId: order.orderId, customerId: order.customerId, productId: order.productId, quantity: order.quantity, status: 'PENDING', createdAt: order.createdAt },
    });
  } catch (error) {
    if (!(error instanceof PublishFailedError)) throw error;
    logger.error('order stored but not announced', { orderId, error });
    return jsonResponse(503, { orderId, errors: [{ path: '$', message: 'the order was stored but not announced; retry with the same Idempotency-Key' }] });
  }
  return jsonResponse(201, { orderId: order.orderId, status: order.status });
}

