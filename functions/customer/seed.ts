/** Demo customers. `customer-unknown` is deliberately absent: ordering with it shows the compensation path. */
export const DEMO_CUSTOMERS = [
  {
    customerId: 'customer-1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    shippingAddress: { line1: '1 Main Street', city: 'Dublin', postcode: 'D01 F5P2', country: 'IE' },
    paymentToken: 'tok_visa_4242',
  },
  {
    customerId: 'customer-declined',
    name: 'Charles Babbage',
    email: 'charles@example.com',
    shippingAddress: { line1: '5 Rue de la Paix', city: 'Paris', postcode: '75002', country: 'FR' },
    paymentToken: 'tok_decline_card',
  },
] as const;
