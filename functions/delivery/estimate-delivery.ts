import { priorSteps, sagaTaskFromEnv } from '../shared';
import { quoteDelivery } from './quote';

/** Quotes carrier, cost and date from the address and weight the saga already holds. Computes only. */
export const handler = sagaTaskFromEnv('delivery.EstimateDelivery')(
  async (input) => {
    const { item, customer } = priorSteps(input, 'item', 'customer');
    const quote = quoteDelivery(customer.data.shippingAddress.country, item.data.weightGrams ?? 0, new Date());
    return { fact: { detailType: 'DeliveryEstimated', data: { orderId: input.order.orderId, customerId: input.order.customerId, ...quote } } };
  },
  { readOnly: true },
);
