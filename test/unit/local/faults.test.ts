import { FaultInjector, validateFaultOptions } from '../../../local/faults';
import { thrownBy } from '../../helpers/thrown';

describe('FaultInjector', () => {
  it('fails the first attempt of a transiently faulted invocation and lets its retry through', () => {
    const faults = new FaultInjector({ transientFailureRate: 1 });

    expect(thrownBy(() => faults.beforeInvocation('inventory.ReserveItem', 'key-1', 'order-1')).name).toBe('TransientStepError');
    expect(() => faults.beforeInvocation('inventory.ReserveItem', 'key-1', 'order-1')).not.toThrow();
    expect(faults.counts.transientFailures).toBe(1);
  });

  it('fails a permanently faulted invocation on every attempt until the faults are lifted, and says so afterwards', () => {
    const faults = new FaultInjector({ permanentFailureRate: 1 });

    for (let attempt = 0; attempt < 5; attempt++) expect(() => faults.beforeInvocation('payment.MakePayment', 'key-2', 'order-2')).toThrow('keeps failing');
    faults.lift();

    expect(() => faults.beforeInvocation('payment.MakePayment', 'key-2', 'order-2')).not.toThrow();
    expect(faults.failsForGood('payment.MakePayment', 'key-2')).toBe(true);
    expect([...(faults.permanentlyFailed.get('order-2') ?? [])]).toEqual(['payment.MakePayment']);
  });

  it('decides invocation faults from the seed alone, so a check after a crash can recompute them', () => {
    const keys = Array.from({ length: 2000 }, (_, index) => `key-${index}`);
    const plan = (seed: number) => keys.filter((key) => new FaultInjector({ seed, permanentFailureRate: 0.02 }).failsForGood('orders.StartOrderSaga', key));

    expect(plan(3)).toEqual(plan(3));
    expect(plan(3)).not.toEqual(plan(4));
    expect(plan(3).length).toBeGreaterThan(20); // ≈ 2 % of 2,000
    expect(plan(3).length).toBeLessThan(70);
  });

  it('rejects PutEvents entries with the retryable codes AWS documents, at about the configured rate', () => {
    const faults = new FaultInjector({ seed: 5, putEventsEntryFailureRate: 0.2 });

    const rejected = Array.from({ length: 5000 }, () => faults.rejectEntry()).filter((entry) => entry !== undefined);

    expect(new Set(rejected.map((entry) => entry.ErrorCode))).toEqual(new Set(['InternalFailure', 'ThrottlingException']));
    expect(rejected.length / 5000).toBeGreaterThan(0.17);
    expect(rejected.length / 5000).toBeLessThan(0.23);
  });

  it('delivers each event 1 to maxCopies times', () => {
    const faults = new FaultInjector({ maxCopies: 3, reorderWindowMs: 10 });

    const copies = Array.from({ length: 300 }, () => faults.deliveryDelays().length);

    expect(new Set(copies)).toEqual(new Set([1, 2, 3]));
  });

  it('names every bad option with its range and the value received', () => {
    expect(validateFaultOptions({ transientFailureRate: 1.5, maxCopies: 0, reorderWindowMs: -1, seed: 1.5 })).toEqual([
      "'transientFailureRate' must be between 0 and 1, got 1.5",
      "'transientFailureRate' and 'permanentFailureRate' must add up to at most 1",
      "'maxCopies' must be an integer between 1 and 10, got 0",
      "'reorderWindowMs' must be an integer between 0 and 60000, got -1",
      "'seed' must be an integer, got 1.5",
    ]);
  });
});
