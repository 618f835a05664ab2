/** A product in the inventory table. */
export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly currency: string;
  readonly weightGrams: number;
  /** Stock neither reserved nor shipped. */
  readonly available: number;
  /** Live reservations by order id. */
  readonly reservations: Readonly<Record<string, { readonly quantity: number; readonly reservationId: string }>>;
  /** Units taken out of stock for delivery. */
  readonly shipped: number;
}

/** Reservation ids are derived from the order so every step (and every retry) names the same one. */
export function reservationIdFor(orderId: string): string {
  return `reservation-${orderId}`;
}
