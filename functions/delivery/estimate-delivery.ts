import { sagaTaskFromEnv } from '../shared';
import { quoteDelivery } from './quote';

interface PriorSteps {
  readonly item: { readonly data: { readonly weightGrams?: number } };
  readonly customer: { readonly data: { readonly shippingAddress: { readonly country: string } } };
}

/** Quotes carrier, cost and date from the address and weight the saga already holds. Computes only. */
export const handler = sagaTaskFromEnv(
  'delivery.EstimateDelivery',
  async (input) => {
    const { item, customer } = input as unknown as PriorSteps;
    const quote = quoteDelivery(customer.data.shippingAddress.country, item.data.weightGrams ?? 0, new Date());
    return { fact: { detailType: 'DeliveryEstimated', data: { orderId: input.order.orderId, customerId: input.order.customerId, ...quote } } };
  },
  { readOnly: true },
);
