import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_TABLE } from '../../model/tables';
import { applied, sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';
import { reservationIdFor } from './stock';

const inventoryTable = tableName(INVENTORY_TABLE);

/** Compensation: gives a live reservation back to stock; with none left there is nothing to announce. */
export const handler = sagaTaskFromEnv('inventory.ReleaseItem', async ({ order }) => {
  const released = await applied(
    sharedDynamo().documents.send(
      new UpdateCommand({
        TableName: inventoryTable,
        Key: { productId: order.productId },
        UpdateExpression: 'SET available = available + :quantity REMOVE reservations.#order',
        ConditionExpression: 'attribute_exists(reservations.#order)',
        ExpressionAttributeNames: { '#order': order.orderId },
        ExpressionAttributeValues: { ':quantity': order.quantity },
      }),
    ),
  );
  if (!released) return { nothing: 'NothingToRelease' };
  return {
    fact: { detailType: 'ItemReleased', data: { orderId: order.orderId, productId: order.productId, quantity: order.quantity, reservationId: reservationIdFor(order.orderId) } },
  };
});
