import type { Product } from './stock';

/** Demo catalogue: ample stock, none at all, and a single last unit (for the race between two orders). */
export const DEMO_PRODUCTS: readonly Product[] = [
  { productId: 'product-1', name: 'Espresso cup', unitPrice: 1250, currency: 'EUR', weightGrams: 300, available: 1_000_000, reserved: 0, shipped: 0 },
  { productId: 'product-sold-out', name: 'Limited teapot', unitPrice: 8900, currency: 'EUR', weightGrams: 1200, available: 0, reserved: 0, shipped: 0 },
  { productId: 'product-last-one', name: 'Signed cookbook', unitPrice: 4500, currency: 'EUR', weightGrams: 900, available: 1, reserved: 0, shipped: 0 },
];
