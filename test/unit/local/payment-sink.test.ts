import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpPaymentProvider, paymentProviderFromEnv, TestPaymentProvider } from '../../../functions/payment/provider';
import { PaymentSink } from '../../../local/payment-sink';

describe('PaymentSink and HttpPaymentProvider', () => {
  let dir: string;
  let sink: PaymentSink;
  let provider: HttpPaymentProvider;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventflow-payments-'));
    sink = await new PaymentSink(join(dir, 'payments.jsonl')).start();
    provider = new HttpPaymentProvider(sink.url);
  });
  afterEach(async () => {
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('charges once per idempotency key, however often it is asked, and remembers it across a restart', async () => {
    // Act
    const first = await provider.charge({ orderId: 'o-1', amount: 1500, currency: 'EUR', paymentToken: 'tok_visa', idempotencyKey: 'k1:MakePayment' });
    const again = await provider.charge({ orderId: 'o-1', amount: 1500, currency: 'EUR', paymentToken: 'tok_visa', idempotencyKey: 'k1:MakePayment' });
    await sink.stop();
    sink = await new PaymentSink(join(dir, 'payments.jsonl')).start();
    const afterRestart = await new HttpPaymentProvider(sink.url).charge({ orderId: 'o-1', amount: 1500, currency: 'EUR', paymentToken: 'tok_visa', idempotencyKey: 'k1:MakePayment' });

    // Assert
    expect(first).toEqual(again);
    expect(afterRestart).toEqual(first);
    expect(sink.charges).toHaveLength(1);
    expect(sink.charges[0]).toMatchObject({ orderId: 'o-1', amount: 1500, idempotencyKey: 'k1:MakePayment' });
  });

  it('declines as the test provider does, and records no charge for a decline', async () => {
    const request = { orderId: 'o-2', amount: 1500, currency: 'EUR', paymentToken: 'tok_decline_insufficient_funds', idempotencyKey: 'k2:MakePayment' };

    const declined = await provider.charge(request);

    expect(declined).toEqual(await new TestPaymentProvider().charge(request));
    expect(declined).toEqual({ approved: false, reason: 'INSUFFICIENT_FUNDS' });
    expect(sink.charges).toHaveLength(0);
  });

  it('refunds once per key', async () => {
    const { paymentId } = (await provider.charge({ orderId: 'o-3', amount: 900, currency: 'EUR', paymentToken: 'tok_visa', idempotencyKey: 'k3:MakePayment' })) as { paymentId: string };

    const refund = await provider.refund({ paymentId, amount: 900, idempotencyKey: 'k3:RefundPayment' });
    const again = await provider.refund({ paymentId, amount: 900, idempotencyKey: 'k3:RefundPayment' });

    expect(again).toEqual(refund);
    expect(sink.refunds).toEqual([expect.objectContaining({ paymentId, amount: 900 })]);
  });

  it('retries an unreachable provider as a transient step failure', async () => {
    await sink.stop();

    const error = await provider.charge({ orderId: 'o-4', amount: 1, currency: 'EUR', paymentToken: 'tok_visa', idempotencyKey: 'k4' }).catch((caught: Error) => caught);

    expect(error).toMatchObject({ name: 'TransientStepError' });
    sink = await new PaymentSink().start();
  });

  it('uses the provider at PAYMENT_PROVIDER_URL, else the test provider', () => {
    expect(paymentProviderFromEnv({ PAYMENT_PROVIDER_URL: sink.url })).toBeInstanceOf(HttpPaymentProvider);
    expect(paymentProviderFromEnv({})).toBeInstanceOf(TestPaymentProvider);
  });
});
