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

/**
 * An order as GET /orders/{orderId} shows it: what the table holds, and for an order still pending, its saga.
 * NEEDS_ATTENTION is never stored: it is read from a saga that stopped before stating the order's outcome.
 */
export interface OrderView extends Omit<Order, 'status'> {
  readonly status: OrderStatus | 'NEEDS_ATTENTION';
  readonly saga?: {
    readonly executionArn: string;
    /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or NOT_STARTED before StartOrderSaga ran. */
    readonly status: string;
    readonly error?: string;
    readonly cause?: string;
    readonly redriveCount: number;
  };
}

/** JSON response of the HTTP API, in API Gateway's payload format 2.0. */
/**
 * A request header by name, whatever its case: a REST API hands the function the names as the client wrote them
 * (`Content-Type`, `idempotency-key`), and HTTP names are case-insensitive.
 */
export function header(event: { readonly headers?: Readonly<Record<string, string | undefined>> | null }, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function jsonResponse(statusCode: number, body: unknown): { statusCode: number; headers: Record<string, string>; body: string } {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
