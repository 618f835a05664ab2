import { createHash } from 'node:crypto';

export interface ChargeRequest {
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentToken: string;
  /** Sent to the provider so a repeated charge is not charged twice (as Stripe's Idempotency-Key). */
  readonly idempotencyKey: string;
}

export type DeclineReason = 'CARD_DECLINED' | 'INSUFFICIENT_FUNDS' | 'LIMIT_EXCEEDED';
export type ChargeResult = { readonly approved: true; readonly paymentId: string } | { readonly approved: false; readonly reason: DeclineReason };

/** A payment provider as the payment service sees it; a real one (Stripe, Adyen) plugs in behind this. */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: { readonly paymentId: string; readonly amount: number; readonly idempotencyKey: string }): Promise<{ readonly refundId: string }>;
}

/** Above this amount (minor units) the test provider declines with LIMIT_EXCEEDED. */
export const TEST_PROVIDER_LIMIT = 500_000;

/**
 * A deterministic provider for local runs and tests: tokens starting `tok_decline` are declined
 * (`tok_decline_insufficient_funds` with INSUFFICIENT_FUNDS), amounts over the limit too; ids derive from the key.
 */
export class TestPaymentProvider implements PaymentProvider {
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.paymentToken.startsWith('tok_decline')) {
      return { approved: false, reason: request.paymentToken.endsWith('insufficient_funds') ? 'INSUFFICIENT_FUNDS' : 'CARD_DECLINED' };
    }
    if (request.amount > TEST_PROVIDER_LIMIT) return { approved: false, reason: 'LIMIT_EXCEEDED' };
    return { approved: true, paymentId: `payment-${digest(request.idempotencyKey)}` };
  }

  async refund(request: { paymentId: string; idempotencyKey: string }): Promise<{ refundId: string }> {
    return { refundId: `refund-${digest(request.idempotencyKey)}` };
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
