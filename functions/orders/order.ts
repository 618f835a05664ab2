/** An order's status as GET /orders/{orderId} reports it. */
export type OrderStatus = 'PENDING' | 'COMPLETED' | 'CANCELLED';

/** One change of status, with the event that caused it. */
export interface StatusChange {
  readonly status: OrderStatus;
  readonly at: string;
  readonly event: string;
  readonly reason?: string;
}

/** An order as the orders table holds it. */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly status: OrderStatus;
  readonly reason: string | null;
  readonly correlationId: string;
  readonly createdAt: string;
  readonly history: readonly StatusChange[];
}

/** JSON response of the HTTP API, in API Gateway's payload format 2.0. */
export function jsonResponse(statusCode: number, body: unknown): { statusCode: number; headers: Record<string, string>; body: string } {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
