import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_TABLE } from '../../model/tables';
import { applied, sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';
import { reservationIdFor, type Product } from './stock';

const inventoryTable = tableName(INVENTORY_TABLE);

/**
 * Reserves stock with one conditional update (available ≥ quantity and no reservation yet for the order),
 * so two orders can never reserve the last item twice and a replay never reserves again.
 */
export const handler = sagaTaskFromEnv('inventory.ReserveItem', async ({ order }) => {
  const { documents } = sharedDynamo();
  const reservationId = reservationIdFor(order.orderId);
  const reserved = await applied(
    documents.send(
      new UpdateCommand({
        TableName: inventoryTable,
        Key: { productId: order.productId },
        UpdateExpression: 'SET available = available - :quantity, reservations.#order = :reservation',
        ConditionExpression: 'available >= :quantity AND attribute_not_exists(reservations.#order)',
        ExpressionAttributeNames: { '#order': order.orderId },
        ExpressionAttributeValues: { ':quantity': order.quantity, ':reservation': { quantity: order.quantity, reservationId } },
      }),
    ),
  );
  if (!reserved) {
    const current = (await documents.send(new GetCommand({ TableName: inventoryTable, Key: { productId: order.productId } }))).Item as Product | undefined;
    if (!current?.reservations?.[order.orderId]) {
      return { fact: { detailType: 'ItemNotAvailable', data: { ...orderFields(order), available: current?.available ?? 0 } } };
    }
  }
  return { fact: { detailType: 'ItemReserved', data: { ...orderFields(order), reservationId } } };
});

function orderFields(order: { orderId: string; customerId: string; productId: string; quantity: number }) {
  return { orderId: order.orderId, customerId: order.customerId, productId: order.productId, quantity: order.quantity };
}
