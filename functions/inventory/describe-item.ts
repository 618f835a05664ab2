import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_TABLE } from '../../model/tables';
import { sagaTaskFromEnv, sharedDynamo, tableName } from '../shared';
import type { Product } from './stock';
import { EventflowError } from '../../model/errors';

const inventoryTable = tableName(INVENTORY_TABLE);

/** Adds the product's name and price to the order; read-only, so it keeps no idempotency record. */
export const handler = sagaTaskFromEnv('inventory.DescribeItem')(
  async ({ order }) => {
    const product = (await sharedDynamo().documents.send(new GetCommand({ TableName: inventoryTable, Key: { productId: order.productId } }))).Item as Product | undefined;
    if (!product) throw new EventflowError(`product ${order.productId} vanished after it was reserved`);
    return {
      fact: {
        detailType: 'ItemDescribed',
        data: {
          orderId: order.orderId,
          customerId: order.customerId,
          productId: order.productId,
          quantity: order.quantity,
          productName: product.name,
          unitPrice: product.unitPrice,
          totalPrice: product.unitPrice * order.quantity,
          currency: product.currency,
          weightGrams: product.weightGrams * order.quantity,
        },
      },
    };
  },
  { readOnly: true },
);
