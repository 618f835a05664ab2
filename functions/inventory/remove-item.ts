import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_TABLE } from '../../model/tables';
import { applied, sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';
import { reservationIdFor } from './stock';

const inventoryTable = tableName(INVENTORY_TABLE);

/** Turns the paid reservation into shipped stock; a missing reservation is reported, and the saga refunds. */
export const handler = sagaTaskFromEnv('inventory.RemoveItem', async ({ order }) => {
  const reservationId = reservationIdFor(order.orderId);
  const removed = await applied(
    sharedDynamo().documents.send(
      new UpdateCommand({
        TableName: inventoryTable,
        Key: { productId: order.productId },
        UpdateExpression: 'REMOVE reservations.#order SET shipped = if_not_exists(shipped, :zero) + :quantity',
        ConditionExpression: 'attribute_exists(reservations.#order)',
        ExpressionAttributeNames: { '#order': order.orderId },
        ExpressionAttributeValues: { ':quantity': order.quantity, ':zero': 0 },
      }),
    ),
  );
  if (!removed) {
    return {
      fact: { detailType: 'ErrorItemUnreserved', data: { orderId: order.orderId, productId: order.productId, reservationId, reason: 'no live reservation for this order' } },
    };
  }
  return { fact: { detailType: 'ItemRemoved', data: { orderId: order.orderId, productId: order.productId, quantity: order.quantity, reservationId } } };
});
