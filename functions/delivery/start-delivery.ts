import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { DELIVERIES_TABLE } from '../../model/tables';
import { applied, priorSteps, sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';

const deliveriesTable = tableName(DELIVERIES_TABLE);

/** Books the parcel: one delivery per order (a conditional put), announced with everything the carrier needs. */
export const handler = sagaTaskFromEnv('delivery.StartDelivery')(async (input) => {
  const { customer, estimate } = priorSteps(input, 'customer', 'estimate');
  const { order } = input;
  const deliveryId = `delivery-${createHash('sha256').update(order.orderId).digest('hex').slice(0, 16)}`;
  const data = {
    orderId: order.orderId,
    deliveryId,
    customerId: order.customerId,
    productId: order.productId,
    quantity: order.quantity,
    carrier: estimate.data.carrier,
    shippingAddress: customer.data.shippingAddress,
    estimatedDeliveryDate: estimate.data.estimatedDeliveryDate,
  };
  // Not applied: already booked by an earlier attempt whose answer was lost; the same delivery, announced again.
  await applied(sharedDynamo().documents.send(new PutCommand({ TableName: deliveriesTable, Item: { ...data, status: 'STARTED' }, ConditionExpression: 'attribute_not_exists(orderId)' })));
  return { fact: { detailType: 'DeliveryStarted', data } };
});
