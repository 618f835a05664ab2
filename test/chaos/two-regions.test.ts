import { runChaos } from '../../local/chaos/run-chaos';

// Two regions behind the global endpoint, replication on, every fault of issue 10 but the crash: the endpoint fails
// over to the secondary a third of the way through the orders and back at two thirds. The chaos run's invariant
// module checks what a user observes; the two-region check adds that each region archived what the endpoint sent it.
describe('the order system in two regions behind the global endpoint (chaos run, reduced)', () => {
  it('ends every order exactly once, with no double reservation, charge or e-mail, through a failover and a failback', async () => {
    // Act
    const report = await runChaos({ orders: 200, concurrency: 16, regions: 2 });

    // Assert
    const failed = report.invariants.filter((invariant) => invariant.violations > 0).map((invariant) => `${invariant.name}: ${invariant.violations} (${invariant.examples.join('; ')})`);
    expect(failed).toEqual([]);
    const regions = report.regions;
    expect(regions?.flips).toBe(2);
    // Both regions took orders' events directly, and each received the other's replicas.
    expect(Object.keys(regions?.routed ?? {}).sort()).toEqual(['eu-central-1', 'eu-west-1']);
    expect(Object.keys(regions?.replicated ?? {}).sort()).toEqual(['eu-central-1', 'eu-west-1']);
    // Every OrderCreated reached both regions' StartOrderSaga; the home region ran exactly one saga per order.
    expect(regions?.executionsStarted).toBe(200);
    expect(regions?.sagaStartRequestsPerOrder).toBeGreaterThanOrEqual(1);
    expect(regions?.failoverToFirstOutcomeMs).toBeGreaterThan(0);
    expect(report.invariants.find((invariant) => invariant.name.startsWith('events a region missed'))?.checked).toBeGreaterThanOrEqual(200);
  }, 180_000);
});
