import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CUSTOMERS_TABLE } from '../../model/tables';
import { sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';

const customersTable = tableName(CUSTOMERS_TABLE);

interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly shippingAddress: { readonly line1: string; readonly city: string; readonly postcode: string; readonly country: string };
  readonly paymentToken: string;
}

/** Adds the customer's address and payment token to the order, or reports a customer nobody knows. Read-only. */
export const handler = sagaTaskFromEnv('customer.DescribeCustomer')(
  async ({ order }) => {
    const customer = (await sharedDynamo().documents.send(new GetCommand({ TableName: customersTable, Key: { customerId: order.customerId } }))).Item as Customer | undefined;
    if (!customer) {
      return { fact: { detailType: 'ErrorCustomerDescribed', data: { orderId: order.orderId, customerId: order.customerId, reason: 'CUSTOMER_UNKNOWN' } } };
    }
    return {
      fact: {
        detailType: 'CustomerDescribed',
        data: {
          orderId: order.orderId,
          customerId: customer.customerId,
          name: customer.name,
          email: customer.email,
          shippingAddress: customer.shippingAddress,
          paymentToken: customer.paymentToken,
        },
      },
    };
  },
  { readOnly: true },
);
