import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PAYMENTS_TABLE } from '../../model/tables';
import { sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';
import { paymentProviderFromEnv } from './provider';

const paymentsTable = tableName(PAYMENTS_TABLE);
const provider = paymentProviderFromEnv();

interface Payment {
  readonly orderId: string;
  readonly customerId: string;
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'CAPTURED' | 'REFUNDED';
  readonly refundId?: string;
}

/** Compensation: refunds the order's payment if one was captured; with none there is nothing to announce. */
export const handler = sagaTaskFromEnv('payment.RefundPayment')(async ({ order, stepKey }) => {
  const { documents } = sharedDynamo();
  const payment = (await documents.send(new GetCommand({ TableName: paymentsTable, Key: { orderId: order.orderId } }))).Item as Payment | undefined;
  if (!payment) return { nothing: 'NothingToRefund' };
  const refundId = payment.refundId ?? (await provider.refund({ paymentId: payment.paymentId, amount: payment.amount, idempotencyKey: stepKey })).refundId;
  if (payment.status === 'CAPTURED') {
    await documents.send(
      new UpdateCommand({
        TableName: paymentsTable,
        Key: { orderId: order.orderId },
        UpdateExpression: 'SET #status = :refunded, refundId = :refundId',
        ConditionExpression: '#status = :captured',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':refunded': 'REFUNDED', ':captured': 'CAPTURED', ':refundId': refundId },
      }),
    );
  }
  const { paymentId, amount, currency, customerId } = payment;
  return { fact: { detailType: 'PaymentRefunded', data: { orderId: order.orderId, customerId, paymentId, refundId, amount, currency } } };
});
