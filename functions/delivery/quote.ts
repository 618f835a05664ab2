/** A delivery quote: which carrier, what it costs, when it arrives. */
export interface DeliveryQuote {
  readonly carrier: string;
  readonly deliveryCost: number;
  readonly currency: string;
  readonly estimatedDeliveryDate: string;
}

const DOMESTIC_COUNTRIES = new Set(['IE']);

/**
 * The demo's rate card: a base price plus a price per started kilogram, domestic faster and cheaper
 * than abroad. Deterministic for a given day, so a retried step quotes the same.
 */
export function quoteDelivery(country: string, weightGrams: number, today: Date): DeliveryQuote {
  const domestic = DOMESTIC_COUNTRIES.has(country);
  const kilograms = Math.max(1, Math.ceil(weightGrams / 1000));
  const days = domestic ? 2 : 5;
  const arrival = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + days));
  return {
    carrier: domestic ? 'an-post' : 'dhl',
    deliveryCost: (domestic ? 399 : 999) + 100 * (kilograms - 1),
    currency: 'EUR',
    estimatedDeliveryDate: arrival.toISOString().slice(0, 10),
  };
}
