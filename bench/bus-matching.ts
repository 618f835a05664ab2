import { RuleIndex } from '../local/bus/rule-index';

/** Events matched per second against a bus of `ruleCount` rules (goal: ≥ 50,000 events/s against 1,000 rules). */
export interface BusMatchingResult {
  readonly rules: number;
  readonly unindexedRules: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly matchesPerEvent: number;
}

/**
 * A bus of 1,000 rules shaped like real subscriptions: 100 event types, each with rules that add content
 * filters (numeric ranges, prefixes, anything-but, exists), plus 2 % of rules with no detail-type at all
 * (source-only and `$or`), which every event is tested against.
 */
export function benchBusMatching(ruleCount = 1000, eventCount = 200_000): BusMatchingResult {
  const types = Array.from({ length: 100 }, (_, i) => `Event${i}Happened`);
  const index = new RuleIndex<number>();
  const unindexed = Math.round(ruleCount * 0.02);
  for (let i = 0; i < ruleCount - unindexed; i++) {
    const detailType = types[i % types.length] as string;
    const filters = [
      { amount: [{ numeric: ['>', (i % 7) * 100, '<=', 10_000] }] },
      { customerId: [{ prefix: `customer-${i % 3}` }] },
      { status: [{ 'anything-but': ['CANCELLED', 'FAILED'] }] },
      { reason: [{ exists: false }] },
    ];
    index.add({ name: `rule-${i}`, target: i }, { source: [`eventflow.service${i % 10}`], 'detail-type': [detailType], detail: { metadata: { version: [1] }, data: filters[i % filters.length] } });
  }
  for (let i = 0; i < unindexed; i++) {
    index.add(
      { name: `catch-${i}`, target: -i },
      i % 2 === 0 ? { source: [{ prefix: `eventflow.service${i % 10}` }] } : { $or: [{ 'detail-type': [types[i] as string] }, { detail: { data: { amount: [{ numeric: ['>', 9_990] }] } } }] },
    );
  }
  const events = Array.from({ length: 1000 }, (_, i) => ({
    version: '0',
    id: `id-${i}`,
    source: `eventflow.service${i % 10}`,
    'detail-type': types[i % types.length],
    time: '2026-11-23T10:00:00Z',
    detail: {
      metadata: { correlationId: `c-${i}`, idempotencyKey: `k-${i}`, version: 1 },
      data: { amount: (i * 37) % 10_000, customerId: `customer-${i % 5}`, status: i % 4 === 0 ? 'CANCELLED' : 'PENDING' },
    },
  }));
  let matches = 0;
  for (let i = 0; i < 10_000; i++) index.match(events[i % events.length] as never); // warm-up
  const started = performance.now();
  for (let i = 0; i < eventCount; i++) matches += index.match(events[i % events.length] as never).length;
  const seconds = (performance.now() - started) / 1000;
  return { rules: ruleCount, unindexedRules: unindexed, events: eventCount, eventsPerSecond: Math.round(eventCount / seconds), matchesPerEvent: Number((matches / eventCount).toFixed(2)) };
}
