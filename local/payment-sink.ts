import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { testDecision } from '../functions/payment/provider';
import { LoopbackServer, replyJson } from './loopback';
import { SinkLog } from './sink-log';

/** A charge or refund the provider made: one per idempotency key, however often it was asked. */
export interface ProviderRecord {
  readonly kind: 'charge' | 'refund';
  readonly id: string;
  readonly idempotencyKey: string;
  readonly orderId?: string;
  readonly paymentId?: string;
  readonly amount: number;
  readonly at: string;
}

/**
 * The card processor on loopback, as HttpPaymentProvider (functions/payment/provider.ts) reaches it: `POST
 * /v1/charges` and `POST /v1/refunds` with an `Idempotency-Key` header; a repeated key gets the first answer and
 * charges nothing more. It decides as the test provider does and records every charge and refund it made, so a
 * run can count the charges per order, as a processor's dashboard would.
 */
export class PaymentSink extends LoopbackServer {
  readonly records: SinkLog<ProviderRecord>;
  private readonly answers = new Map<string, { status: number; body: unknown }>();

  /** @param file where records survive a restart of the system. */
  constructor(file?: string) {
    super();
    this.records = new SinkLog(file);
    for (const record of this.records.items) this.answers.set(`${record.kind}|${record.idempotencyKey}`, { status: 200, body: { id: record.id } });
  }

  get charges(): ProviderRecord[] {
    return this.records.items.filter((record) => record.kind === 'charge');
  }

  get refunds(): ProviderRecord[] {
    return this.records.items.filter((record) => record.kind === 'refund');
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const kind = req.method === 'POST' && req.url === '/v1/charges' ? 'charge' : req.method === 'POST' && req.url === '/v1/refunds' ? 'refund' : undefined;
    if (!kind) return replyJson(res, 404, { error: { type: 'invalid_request_error', message: `no route ${req.method} ${req.url}` } });
    const key = String(req.headers['idempotency-key'] ?? '');
    if (key === '') return replyJson(res, 400, { error: { type: 'invalid_request_error', message: 'the Idempotency-Key header is required' } });
    let body: { orderId?: unknown; amount?: unknown; currency?: unknown; paymentToken?: unknown; charge?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return replyJson(res, 400, { error: { type: 'invalid_request_error', message: 'the body must be JSON' } });
    }
    const earlier = this.answers.get(`${kind}|${key}`);
    if (earlier) return replyJson(res, earlier.status, earlier.body);
    if (typeof body.amount !== 'number') return replyJson(res, 400, { error: { type: 'invalid_request_error', message: 'amount must be a number' } });
    let answer: { status: number; body: unknown };
    if (kind === 'charge') {
      const decision = testDecision({ amount: body.amount, currency: String(body.currency), paymentToken: String(body.paymentToken), idempotencyKey: key });
      if (decision.approved) {
        this.records.push({ kind, id: decision.paymentId, idempotencyKey: key, orderId: String(body.orderId), amount: body.amount, at: new Date().toISOString() });
        answer = { status: 200, body: { id: decision.paymentId, status: 'succeeded' } };
      } else {
        answer = { status: 402, body: { error: { type: 'card_error', code: 'card_declined', decline_code: decision.reason.toLowerCase() } } };
      }
    } else {
      const id = `refund-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
      this.records.push({ kind, id, idempotencyKey: key, paymentId: String(body.charge), amount: body.amount, at: new Date().toISOString() });
      answer = { status: 200, body: { id, status: 'succeeded' } };
    }
    this.answers.set(`${kind}|${key}`, answer);
    replyJson(res, answer.status, answer.body);
  }
}
