import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

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

/** True when a DynamoDB condition (stock, reservation present or absent) did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}
