import { runChaos } from '../../local/chaos/run-chaos';

// The chaos run at a reduced size (npm run chaos runs 10,000 orders): every fault of issue 10, a crash and
// restart in the middle, the operator's redrive, then every invariant on what a user can observe.
describe('the order system under faults (chaos run, reduced)', () => {
  it('keeps every invariant: no order lost, stuck or doubly settled, no double charge or e-mail, stock conserved, every dead letter redriven', async () => {
    // Act
    const report = await runChaos({ orders: 200, concurrency: 16 });

    // Assert
    const failed = report.invariants.filter((invariant) => invariant.violations > 0).map((invariant) => `${invariant.name}: ${invariant.violations} (${invariant.examples.join('; ')})`);
    expect(failed).toEqual([]);
    expect(report.restarts).toBe(1);
    // The faults really happened: some orders were cancelled by a permanent fault, dead letters were redriven.
    expect(report.outcomes['CANCELLED STEP_FAILED']).toBeGreaterThan(0);
    expect(report.deadLetters.redriven).toBeGreaterThan(0);
    expect(report.invariants.find((invariant) => invariant.name.startsWith('orders lost'))?.checked).toBe(200);
  }, 180_000);
});
