import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ORDERS_TABLE } from '../../model/tables';
import { SDK_CLIENT_DEFAULTS, sagaFromEnv, sharedDynamo, tableName, tracedClient } from '../shared';
import { jsonResponse, type Order, type OrderView } from './order';

const ordersTable = tableName(ORDERS_TABLE);
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const saga = sagaFromEnv();
const sagaArn = saga.stateMachineArn;
const stepFunctions = tracedClient(new SFNClient({ ...SDK_CLIENT_DEFAULTS, region: saga.region }));

/**
 * The error the saga ends with after it cancelled an order because a step failed: the order has its outcome
 * (OrderCancelled was published), the execution fails only so the ExecutionsFailed alarm fires.
 */
const CANCELLED_AFTER_STEP_FAILURE = 'StepFailed';

/**
 * GET /orders/{orderId}: the order, its status, reason and history; 404 if unknown. A PENDING order whose saga
 * stopped before stating an outcome (a compensation or the outcome's publication failed after its retries)
 * reads NEEDS_ATTENTION, with the saga's error and the execution to redrive: the saga is named after the order,
 * so the view asks Step Functions only for orders still pending.
 */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const orderId = event.pathParameters?.orderId;
  if (!orderId) return jsonResponse(400, { errors: [{ path: '$.pathParameters.orderId', message: 'is required' }] });
  // Order ids are UUIDs (CreateOrder makes them); anything else cannot name an order, and a key past DynamoDB's
  // 2,048 bytes would fail the read itself.
  if (!ORDER_ID.test(orderId))
    return jsonResponse(404, { errors: [{ path: '$.pathParameters.orderId', message: `no order ${orderId.slice(0, 64)}${orderId.length > 64 ? '…' : ''}: order ids are UUIDs` }] });
  const order = (await sharedDynamo().documents.send(new GetCommand({ TableName: ordersTable, Key: { orderId } }))).Item as Order | undefined;
  if (!order) return jsonResponse(404, { errors: [{ path: '$.pathParameters.orderId', message: `no order ${orderId}` }] });
  const { status, reason, history, customerId, productId, quantity, createdAt, correlationId } = order;
  const view: OrderView = { orderId, status, reason, history, customerId, productId, quantity, createdAt, correlationId };
  return jsonResponse(200, status === 'PENDING' ? await withSaga(view) : view);
}

/** A pending order's view with its saga's state; NEEDS_ATTENTION when the saga failed without an outcome. */
async function withSaga(view: OrderView): Promise<OrderView> {
  const executionArn = `${sagaArn.replace(':stateMachine:', ':execution:')}:${view.orderId}`;
  try {
    const execution = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
    const saga = {
      executionArn,
      status: execution.status ?? 'RUNNING',
      ...(execution.error ? { error: execution.error } : {}),
      ...(execution.cause ? { cause: execution.cause } : {}),
      redriveCount: execution.redriveCount ?? 0,
    };
    const stopped = saga.status === 'FAILED' || saga.status === 'TIMED_OUT' || saga.status === 'ABORTED';
    if (stopped && execution.error !== CANCELLED_AFTER_STEP_FAILURE) return { ...view, status: 'NEEDS_ATTENTION', reason: execution.error ?? saga.status, saga };
    return { ...view, saga };
  } catch (error) {
    // The saga has not started yet (StartOrderSaga runs once OrderCreated is delivered).
    if (error instanceof ExecutionDoesNotExist || (error as { name?: string }).name === 'ExecutionDoesNotExist') return { ...view, saga: { executionArn, status: 'NOT_STARTED', redriveCount: 0 } };
    throw error;
  }
}
