/** A product in the inventory table. Every unit of its stock is counted in exactly one of the three counters. */
export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly currency: string;
  readonly weightGrams: number;
  /** Units on the shelf: neither reserved nor shipped. */
  readonly available: number;
  /** Units held by reservations in state RESERVED. */
  readonly reserved: number;
  /** Units taken out of stock for delivery: held by reservations in state REMOVED. */
  readonly shipped: number;
}

/** What became of an order's reservation; the saga moves it RESERVED → REMOVED, and compensation to RELEASED. */
export type ReservationState = 'RESERVED' | 'REMOVED' | 'RELEASED';

/** A counter of the product item. */
export type StockCounter = 'available' | 'reserved' | 'shipped';

/**
 * The counter that holds a reservation's units in each state (no reservation yet: the shelf). Moving a reservation
 * from one state to another moves its units between these counters, which is why their sum never changes.
 */
export const UNITS_HELD_IN: Readonly<Record<ReservationState | 'NONE', StockCounter>> = {
  NONE: 'available',
  RESERVED: 'reserved',
  REMOVED: 'shipped',
  RELEASED: 'available',
};

/** An order's reservation in the reservations table; never deleted, so a replayed step can read what was done. */
export interface Reservation {
  readonly orderId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly reservationId: string;
  readonly state: ReservationState;
  /** ISO 8601 time each state was entered. */
  readonly reservedAt: string;
  readonly removedAt?: string;
  readonly releasedAt?: string;
}

/** Reservation ids are derived from the order so every step (and every retry) names the same one. */
export function reservationIdFor(orderId: string): string {
  return `reservation-${orderId}`;
}
