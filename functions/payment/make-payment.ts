import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { PAYMENTS_TABLE } from '../../model/tables';
import { applied, priorSteps, sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';
import { paymentProviderFromEnv } from './provider';

const paymentsTable = tableName(PAYMENTS_TABLE);
const provider = paymentProviderFromEnv();

/** Charges item total plus delivery. A decline is a business outcome (PaymentFailed), never an error to retry. */
export const handler = sagaTaskFromEnv('payment.MakePayment')(async (input) => {
  const { item, estimate, customer } = priorSteps(input, 'item', 'estimate', 'customer');
  const { order } = input;
  const amount = item.data.totalPrice + estimate.data.deliveryCost;
  const currency = item.data.currency;
  const result = await provider.charge({ orderId: order.orderId, amount, currency, paymentToken: customer.data.paymentToken, idempotencyKey: input.stepKey });
  if (!result.approved) {
    return { fact: { detailType: 'PaymentFailed', data: { orderId: order.orderId, customerId: order.customerId, amount, currency, reason: result.reason } } };
  }
  const payment = { orderId: order.orderId, customerId: order.customerId, paymentId: result.paymentId, amount, currency };
  // Not applied: the provider deduplicated the charge on the step key; the record from the earlier attempt stands.
  await applied(sharedDynamo().documents.send(new PutCommand({ TableName: paymentsTable, Item: { ...payment, status: 'CAPTURED' }, ConditionExpression: 'attribute_not_exists(orderId)' })));
  const charge = { currency, items: item.data.totalPrice, delivery: estimate.data.deliveryCost, total: amount };
  // Both versions until PaymentMade v1's ttl (catalog/payment/PaymentMade.v1.json): the publisher sends each
  // live version and drops v1 by itself once the ttl has passed. Delete the v1 line after that date.
  const dataByVersion = {
    1: payment,
    2: { orderId: order.orderId, customerId: order.customerId, paymentId: result.paymentId, charge },
  };
  return { fact: { detailType: 'PaymentMade', dataByVersion } };
});
