import { AWS_PRICES, AWS_QUOTAS } from '../../../bench/aws-prices';
import { ASSUMPTIONS, addWork, buildReport, capacity, costPerOrder, emptyWork, expressBilledSeconds, mixWork, requestUnits, type OrderWork, type WorkCounts } from '../../../bench/region-capacity';
import { README_END, README_START, renderSection, renderSvg, replaceSection } from '../../../bench/region-capacity-render';

/** A completed order's work, small enough to price by hand. */
function work(overrides: Partial<OrderWork> = {}): OrderWork {
  return {
    ...emptyWork(),
    apiRequests: 2,
    stateTransitions: 20,
    sagaPublishCalls: 8,
    startExecutionRequests: 1,
    putEventsCalls: 10,
    putEventsEntries: 11,
    billedEventChunks: 11,
    lambdaRuleMatches: 3,
    apiDestinationRuleMatches: 1,
    centralLogDeliveries: 11,
    paymentsRouteMatches: 2,
    apiDestinationInvocations: 1,
    lambdaInvocations: { 'orders.CreateOrder': 1, 'payment.MakePayment': 1 },
    dynamoRequests: { 'PutItem|orders|': 1, 'GetItem|inventory|consistent': 1, 'GetItem|inventory|': 2, 'TransactWriteItems.Update|inventory|': 2 },
    emails: 1,
    ...overrides,
  };
}

const CONTEXT = { sagaTaskIds: ['payment.MakePayment'], itemBytes: {} };

describe('region capacity', () => {
  describe('requestUnits', () => {
    it('charges a consistent read 1 unit, an eventual read half, a write 1 and a transaction item 2', () => {
      // Arrange, Act
      const units = requestUnits(work());

      // Assert
      expect(units.rru).toBe(1 + 2 * 0.5);
      expect(units.wru).toBe(1 + 2 * 2);
      expect(units.byTable.inventory).toEqual({ rru: 2, wru: 4 });
      expect(units.unpriced).toEqual([]);
    });

    it('charges a write per started KB of the table’s item, and lists an operation it cannot price', () => {
      // Arrange
      const big = work({ dynamoRequests: { 'UpdateItem|idempotency|': 3, 'BatchWriteItem|orders|': 1 } });

      // Act
      const units = requestUnits(big, { idempotency: 1620 });

      // Assert
      expect(units.wru).toBe(3 * 2);
      expect(units.unpriced).toEqual(['BatchWriteItem']);
    });
  });

  describe('costPerOrder', () => {
    it('prices a Standard saga per state transition, at $0.025 per 1,000', () => {
      // Act
      const { byService } = costPerOrder(work(), 'standard', CONTEXT);

      // Assert
      expect(byService['Step Functions']).toBeCloseTo(20 * 0.000025, 12);
    });

    it('prices an Express saga per request and per 100 ms of 64 MB of its tasks and putEvents states', () => {
      // Arrange: MakePayment 250 ms + 25 ms overhead, 8 putEvents states × 30 ms = 515 ms, billed 600 ms.
      const seconds = expressBilledSeconds(work(), CONTEXT.sagaTaskIds);

      // Act
      const { byService } = costPerOrder(work(), 'express', CONTEXT);

      // Assert
      expect(seconds).toBe(0.6);
      expect(byService['Step Functions']).toBeCloseTo(1 / 1e6 + 0.6 * (64 / 1024) * AWS_PRICES.stepFunctionsExpressDuration.value, 14);
    });

    it('adds every service up to the total, and prices Lambda at the assumed duration of 512 MB arm64', () => {
      // Act
      const { total, byService } = costPerOrder(work(), 'standard', CONTEXT);

      // Assert
      expect(total).toBeCloseTo(
        Object.values(byService).reduce((sum, usd) => sum + usd, 0),
        15,
      );
      const seconds = (ASSUMPTIONS.lambdaBilledMs.default + ASSUMPTIONS.lambdaBilledMs['payment.MakePayment']) / 1000;
      expect(byService.Lambda).toBeCloseTo((2 * 0.2) / 1e6 + seconds * 0.5 * AWS_PRICES.lambdaArmDuration.value, 15);
      expect(byService.SES).toBeCloseTo(0.0001, 12);
      expect(byService['API Gateway']).toBeCloseTo((2 * 3.5) / 1e6, 12);
    });
  });

  describe('capacity', () => {
    it('binds a Standard saga on the state-transition bucket: 1,500 a second over 20 transitions an order', () => {
      // Act
      const bound = capacity(work(), 'standard');

      // Assert
      expect(bound.binding.id).toBe('standardStateTransitions');
      expect(bound.ordersPerSecond).toBe(75);
    });

    it('moves the binding to the next quota when the first is raised', () => {
      // Arrange
      const raised = { ...AWS_QUOTAS, standardStateTransitions: { value: 1_000_000 } };

      // Act
      const bound = capacity(work(), 'standard', {}, raised);

      // Assert
      expect(bound.binding.id).toBe('standardStartExecution');
      expect(bound.ordersPerSecond).toBe(300);
    });

    it('binds an Express saga on PutEvents requests when an order makes 10 of them', () => {
      // Act
      const bound = capacity(work(), 'express');

      // Assert
      expect(bound.quotas.some((q) => q.id === 'standardStateTransitions')).toBe(false);
      expect(bound.binding.id).toBe('putEvents');
      expect(bound.ordersPerSecond).toBe(1000);
    });

    it('leaves the stage’s settings, SES and one product’s partition out of the account-region binding', () => {
      // Arrange: one e-mail and one delivery an order would bind at once if they counted.
      const bound = capacity(work({ emails: 10 }), 'express');

      // Act
      const partition = bound.quotas.find((q) => q.id === 'dynamoPartition');

      // Assert
      expect(bound.binding.id).toBe('putEvents');
      expect(partition?.ordersPerSecond).toBeCloseTo(1 / (4 / 1000 + 2 / 3000), 9);
    });
  });

  describe('mixWork', () => {
    it('weights each saga outcome by the orders that ended so', () => {
      // Arrange
      const counts: WorkCounts = {
        orders: 4,
        bySaga: { COMPLETED: { orders: 3, perOrder: work({ stateTransitions: 20 }) }, 'CANCELLED ITEM_NOT_AVAILABLE': { orders: 1, perOrder: work({ stateTransitions: 8 }) } },
        maxItemBytes: {},
        lambdaLocalMeanMs: {},
        metricSeries: 0,
      };

      // Act, Assert
      expect(mixWork(counts).stateTransitions).toBe(17);
      expect(addWork(emptyWork(), work(), 2).lambdaInvocations).toEqual({ 'orders.CreateOrder': 2, 'payment.MakePayment': 2 });
    });
  });

  describe('replaceSection', () => {
    it('replaces only what lies between the markers', () => {
      // Arrange
      const readme = `# T\n\n## Benchmarks\ntext\n${README_START}\nold\n${README_END}\n\n## Architecture\n`;

      // Act
      const updated = replaceSection(readme, 'new');

      // Assert
      expect(updated).toBe(`# T\n\n## Benchmarks\ntext\n${README_START}\nnew\n${README_END}\n\n## Architecture\n`);
    });

    it('refuses a README without the markers', () => {
      expect(() => replaceSection('# T\n', 'new')).toThrow(`README.md must hold ${README_START} then ${README_END}; found no start marker`);
    });
  });

  describe('renderSection and renderSvg', () => {
    it('name the binding quota and draw it, the same bytes for the same report', () => {
      // Arrange
      const counts: WorkCounts = { orders: 1, bySaga: { COMPLETED: { orders: 1, perOrder: work() } }, maxItemBytes: { inventory: 100 }, lambdaLocalMeanMs: {}, metricSeries: 4 };
      const report = buildReport(counts, CONTEXT.sagaTaskIds, '2026-11-25T00:00:00.000Z');

      // Act
      const section = renderSection(report);
      const svg = renderSvg(report);

      // Assert
      expect(section).toContain('**75 orders/s**, bound by Step Functions state transitions (Standard)');
      expect(svg).toContain('75/s Step Functions state transitions (Standard): binds first');
      expect(renderSvg(report)).toBe(svg);
    });
  });
});
