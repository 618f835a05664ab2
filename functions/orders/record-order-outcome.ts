import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ORDERS_TABLE } from '../../model/tables';
import { applied, consumerFromEnv, sharedDynamo, tableName, type DataOf } from '../shared';
import type { StatusChange } from './order';

const ordersTable = tableName(ORDERS_TABLE);

/** Updates the order's status view from the saga's outcome; only a PENDING order changes, so repeats are harmless. */
export const handler = consumerFromEnv<DataOf<'OrderCompleted', 1> | DataOf<'OrderCancelled', 1>, { recorded: boolean }>('orders.RecordOrderOutcome', async (event) => {
  const completed = event['detail-type'] === 'OrderCompleted';
  const change: StatusChange = {
    status: completed ? 'COMPLETED' : 'CANCELLED',
    at: event.time ?? new Date().toISOString(),
    event: event['detail-type'],
    ...('reason' in event.detail.data && event.detail.data.reason ? { reason: event.detail.data.reason } : {}),
  };
  // Not applied: the order already has its outcome (a repeat, or a late event).
  const recorded = await applied(
    sharedDynamo().documents.send(
      new UpdateCommand({
        TableName: ordersTable,
        Key: { orderId: event.detail.data.orderId },
        UpdateExpression: 'SET #status = :status, reason = :reason, history = list_append(history, :change)',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': change.status, ':reason': change.reason ?? null, ':change': [change], ':pending': 'PENDING' },
      }),
    ),
  );
  return { recorded };
});
