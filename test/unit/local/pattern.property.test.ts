import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchesPattern } from '../../../local/bus/pattern';
import { RuleIndex } from '../../../local/bus/rule-index';
import { repoRoot } from '../../../model/paths';

// Properties of the local bus's matcher, for every operator the AWS-validated conformance cases use: each operator
// against a plain reference of its documented meaning, on generated values, and the rule index against testing
// every rule. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html

const CASES = JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'conformance', 'eventbridge-patterns', 'cases.json'), 'utf8')) as Array<{ pattern: unknown }>;

/** The operators the conformance cases use: keys of the objects in a field's array (a `$or` array holds patterns). */
function operatorsIn(pattern: unknown, found = new Set<string>()): Set<string> {
  if (!pattern || typeof pattern !== 'object' || Array.isArray(pattern)) return found;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) for (const branch of value) operatorsIn(branch, found);
    else if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object' && !Array.isArray(item)) for (const operator of Object.keys(item)) found.add(operator);
    } else operatorsIn(value, found);
  }
  return found;
}

const event = (value: unknown) => ({ source: 's', 'detail-type': 't', detail: value === undefined ? {} : { f: value } });
const matches = (condition: unknown, value: unknown) => matchesPattern({ detail: { f: [condition] } }, event(value));
const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '-', '.', 'é'), maxLength: 6 });
const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }));

/** Each operator with a generator of its argument and values, and its meaning as the documentation states it. */
const REFERENCES: Record<string, fc.Arbitrary<{ condition: unknown; value: unknown; expected: boolean }>> = {
  prefix: fc.tuple(text, text).map(([prefix, value]) => ({ condition: { prefix }, value, expected: value.startsWith(prefix) })),
  suffix: fc.tuple(text, text).map(([suffix, value]) => ({ condition: { suffix }, value, expected: value.endsWith(suffix) })),
  'equals-ignore-case': fc
    .tuple(text, text)
    .map(([expectedText, value]) => ({ condition: { 'equals-ignore-case': expectedText }, value, expected: value.toLowerCase() === expectedText.toLowerCase() })),
  'anything-but': fc.tuple(fc.array(text, { minLength: 1, maxLength: 3 }), text).map(([excluded, value]) => ({ condition: { 'anything-but': excluded }, value, expected: !excluded.includes(value) })),
  exists: fc.tuple(fc.boolean(), fc.option(text, { nil: undefined })).map(([exists, value]) => ({ condition: { exists }, value, expected: exists === (value !== undefined) })),
  numeric: fc.tuple(fc.constantFrom('<', '<=', '=', '>=', '>'), fc.integer({ min: -100, max: 100 }), number).map(([op, bound, value]) => ({
    condition: { numeric: [op, bound] },
    value,
    expected: op === '<' ? value < bound : op === '<=' ? value <= bound : op === '=' ? value === bound : op === '>=' ? value >= bound : value > bound,
  })),
  wildcard: fc
    .tuple(text, text, text)
    .map(([head, tail, value]) => ({ condition: { wildcard: `${head}*${tail}` }, value, expected: value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail) })),
};

describe('the local bus’s pattern matcher (properties)', () => {
  const used = CASES.reduce((found, c) => operatorsIn(c.pattern, found), new Set<string>());

  it('has a reference for every operator of the conformance cases it is held to', () => {
    // cidr is checked case by case (pattern-conformance.test.ts); every other operator the cases use is here.
    expect([...used].filter((operator) => !(operator in REFERENCES)).sort()).toEqual(['cidr']);
  });

  for (const [operator, cases] of Object.entries(REFERENCES)) {
    it(`matches ${operator} as documented`, () => {
      fc.assert(
        fc.property(cases, ({ condition, value, expected }) => {
          expect({ condition, value, matched: matches(condition, value) }).toEqual({ condition, value, matched: expected });
        }),
        { numRuns: 300 },
      );
    });
  }

  it('matches several fields as all of them, and $or as any branch', () => {
    fc.assert(
      fc.property(text, text, text, text, (a, b, x, y) => {
        const both = matchesPattern({ detail: { x: [{ prefix: a }], y: [{ prefix: b }] } }, { source: 's', 'detail-type': 't', detail: { x, y } });
        const either = matchesPattern({ detail: { $or: [{ x: [{ prefix: a }] }, { y: [{ prefix: b }] }] } }, { source: 's', 'detail-type': 't', detail: { x, y } });
        expect([both, either]).toEqual([x.startsWith(a) && y.startsWith(b), x.startsWith(a) || y.startsWith(b)]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the rule index (properties)', () => {
  const detailType = fc.constantFrom('OrderCreated', 'PaymentMade', 'EmailSent');
  const condition = fc.oneof(
    fc.record({ 'detail-type': fc.array(detailType, { minLength: 1, maxLength: 3 }) }),
    fc.record({ 'detail-type': fc.array(detailType, { minLength: 1, maxLength: 2 }), detail: fc.record({ n: fc.constant([{ numeric: ['>', 5] }]) }) }),
    fc.record({ source: fc.constant([{ prefix: 'eventflow.' }]) }),
    fc.record({ $or: fc.tuple(fc.record({ 'detail-type': fc.array(detailType, { minLength: 1, maxLength: 2 }) }), fc.record({ detail: fc.record({ n: fc.constant([{ exists: true }]) }) })) }),
    fc.record({ 'detail-type': fc.constant([{ 'anything-but': ['EmailSent'] }]) }),
  );
  const busEvent = fc.record({ source: fc.constantFrom('eventflow.orders', 'other'), 'detail-type': detailType, detail: fc.oneof(fc.constant({}), fc.record({ n: fc.integer({ min: 0, max: 10 }) })) });

  it('returns exactly the rules whose pattern matches, each once, as testing every rule would', () => {
    fc.assert(
      fc.property(fc.array(condition, { minLength: 1, maxLength: 12 }), fc.array(busEvent, { minLength: 1, maxLength: 8 }), (patterns, events) => {
        const index = new RuleIndex<number>();
        patterns.forEach((pattern, i) => {
          index.add({ name: `rule-${i}`, target: i }, pattern);
        });
        for (const e of events) {
          const fromIndex = index
            .match(e)
            .map((rule) => rule.name)
            .sort();
          const everyRule = patterns.flatMap((pattern, i) => (matchesPattern(pattern, e) ? [`rule-${i}`] : [])).sort();
          expect({ event: e, patterns, matched: fromIndex }).toEqual({ event: e, patterns, matched: everyRule });
        }
      }),
      { numRuns: 200 },
    );
  });
});
