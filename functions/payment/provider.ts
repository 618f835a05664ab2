import { createHash } from 'node:crypto';
// A provider that is down or answers oddly is worth retrying: the saga's Retry names TransientStepError.
import { TransientStepError } from '../shared/saga-task';

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
    return testDecision(request);
  }

  async refund(request: { paymentId: string; idempotencyKey: string }): Promise<{ refundId: string }> {
    return { refundId: `refund-${digest(request.idempotencyKey)}` };
  }
}

/** The test provider's rules, shared with the local payment provider so both decide alike. */
export function testDecision(request: Omit<ChargeRequest, 'orderId'>): ChargeResult {
  if (request.paymentToken.startsWith('tok_decline')) {
    return { approved: false, reason: request.paymentToken.endsWith('insufficient_funds') ? 'INSUFFICIENT_FUNDS' : 'CARD_DECLINED' };
  }
  if (request.amount > TEST_PROVIDER_LIMIT) return { approved: false, reason: 'LIMIT_EXCEEDED' };
  return { approved: true, paymentId: `payment-${digest(request.idempotencyKey)}` };
}

/**
 * A payment provider over HTTP with the conventions of card processors' APIs (Stripe's among them):
 * `POST /v1/charges` and `POST /v1/refunds` with an `Idempotency-Key` header, so a repeated request returns the
 * first answer instead of charging again; 402 with a decline code for a declined card.
 */
export class HttpPaymentProvider implements PaymentProvider {
  constructor(private readonly baseUrl: string) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const { status, body } = await this.post('/v1/charges', request.idempotencyKey, {
      orderId: request.orderId,
      amount: request.amount,
      currency: request.currency,
      paymentToken: request.paymentToken,
    });
    if (status === 200) return { approved: true, paymentId: String(body.id) };
    if (status === 402) return { approved: false, reason: String((body.error as { decline_code?: string } | undefined)?.decline_code ?? 'CARD_DECLINED').toUpperCase() as DeclineReason };
    throw new TransientStepError(`payment provider answered ${status} to a charge: ${JSON.stringify(body)}`);
  }

  async refund(request: { readonly paymentId: string; readonly amount: number; readonly idempotencyKey: string }): Promise<{ readonly refundId: string }> {
    const { status, body } = await this.post('/v1/refunds', request.idempotencyKey, { charge: request.paymentId, amount: request.amount });
    if (status === 200) return { refundId: String(body.id) };
    throw new TransientStepError(`payment provider answered ${status} to a refund: ${JSON.stringify(body)}`);
  }

  private async post(path: string, idempotencyKey: string, payload: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    } catch (error) {
      throw new TransientStepError(`payment provider unreachable at ${this.baseUrl}${path}`, { cause: error });
    }
  }
}

/** The provider a stage configures: `PAYMENT_PROVIDER_URL` when set, else the deterministic test provider. */
export function paymentProviderFromEnv(env: NodeJS.ProcessEnv = process.env): PaymentProvider {
  const url = env.PAYMENT_PROVIDER_URL;
  return url ? new HttpPaymentProvider(url) : new TestPaymentProvider();
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
