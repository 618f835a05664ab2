import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ORDERS_TABLE } from '../../model/tables';
import { sharedDynamo, tableName } from '../shared';
import { jsonResponse, type Order } from './order';

const ordersTable = tableName(ORDERS_TABLE);

/** GET /orders/{orderId}: the order, its status (PENDING, COMPLETED or CANCELLED), reason and history; 404 if unknown. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const orderId = event.pathParameters?.orderId;
  if (!orderId) return jsonResponse(400, { errors: [{ path: '$.pathParameters.orderId', message: 'is required' }] });
  const order = (await sharedDynamo().documents.send(new GetCommand({ TableName: ordersTable, Key: { orderId } }))).Item as Order | undefined;
  if (!order) return jsonResponse(404, { errors: [{ path: '$.pathParameters.orderId', message: `no order ${orderId}` }] });
  const { status, reason, history, customerId, productId, quantity, createdAt, correlationId } = order;
  return jsonResponse(200, { orderId, status, reason, history, customerId, productId, quantity, createdAt, correlationId });
}
