import { loadOrderSystem } from '../../../model';
import { InvalidPatternError, compilePattern, matchesPattern, validatePattern } from '../../../local/bus/pattern';
import { fixtureEvent, fixtureFiles } from '../../helpers/fixtures';

const event = {
  source: 'eventflow.payment',
  'detail-type': 'PaymentMade',
  time: '2026-11-23T10:00:00Z',
  resources: ['arn:aws:s3:::bucket/a.png'],
  detail: {
    amount: 2999,
    currency: 'EUR',
    card: 'tok_visa_4242',
    ip: '10.0.1.17',
    ip6: '2001:db8::1',
    note: null,
    empty: '',
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 5 },
    ],
    path: '/users/ada/doc.txt',
  },
};

// One matching and one non-matching pattern per operator, as the EventBridge user guide describes them.
const OPERATORS: Array<[string, object, object]> = [
  ['exact value', { source: ['eventflow.payment'] }, { source: ['eventflow.orders'] }],
  ['array of values (OR)', { 'detail-type': ['PaymentFailed', 'PaymentMade'] }, { 'detail-type': ['PaymentFailed', 'ItemReserved'] }],
  ['event array intersects', { resources: ['x', 'arn:aws:s3:::bucket/a.png'] }, { resources: ['x'] }],
  ['prefix', { time: [{ prefix: '2026-11' }] }, { time: [{ prefix: '2025' }] }],
  ['prefix ignoring case', { detail: { currency: [{ prefix: { 'equals-ignore-case': 'eu' } }] } }, { detail: { currency: [{ prefix: { 'equals-ignore-case': 'us' } }] } }],
  ['suffix', { detail: { path: [{ suffix: '.txt' }] } }, { detail: { path: [{ suffix: '.TXT' }] } }],
  ['suffix ignoring case', { detail: { path: [{ suffix: { 'equals-ignore-case': '.TXT' } }] } }, { detail: { path: [{ suffix: { 'equals-ignore-case': '.png' } }] } }],
  ['anything-but value', { detail: { currency: [{ 'anything-but': 'USD' }] } }, { detail: { currency: [{ 'anything-but': 'EUR' }] } }],
  ['anything-but list', { detail: { amount: [{ 'anything-but': [1, 2] }] } }, { detail: { amount: [{ 'anything-but': [2999, 3] }] } }],
  ['anything-but prefix', { detail: { card: [{ 'anything-but': { prefix: 'tok_decline' } }] } }, { detail: { card: [{ 'anything-but': { prefix: 'tok_visa' } }] } }],
  ['anything-but suffix', { detail: { path: [{ 'anything-but': { suffix: '.png' } }] } }, { detail: { path: [{ 'anything-but': { suffix: '.txt' } }] } }],
  ['anything-but wildcard', { detail: { path: [{ 'anything-but': { wildcard: '/admin/*' } }] } }, { detail: { path: [{ 'anything-but': { wildcard: '/users/*' } }] } }],
  ['anything-but ignoring case', { detail: { currency: [{ 'anything-but': { 'equals-ignore-case': ['usd'] } }] } }, { detail: { currency: [{ 'anything-but': { 'equals-ignore-case': ['eur'] } }] } }],
  ['numeric range', { detail: { amount: [{ numeric: ['>', 1000, '<=', 2999] }] } }, { detail: { amount: [{ numeric: ['>=', 3000] }] } }],
  ['numeric equals', { detail: { amount: [{ numeric: ['=', 2999] }] } }, { detail: { amount: [{ numeric: ['=', 2998] }] } }],
  ['numeric only matches numbers', { detail: { amount: [{ numeric: ['>', 0] }] } }, { detail: { currency: [{ numeric: ['>', 0] }] } }],
  ['exists true', { detail: { currency: [{ exists: true }] } }, { detail: { missing: [{ exists: true }] } }],
  ['exists false', { detail: { missing: [{ exists: false }] } }, { detail: { currency: [{ exists: false }] } }],
  ['cidr v4', { detail: { ip: [{ cidr: '10.0.0.0/16' }] } }, { detail: { ip: [{ cidr: '10.1.0.0/16' }] } }],
  ['cidr v6', { detail: { ip6: [{ cidr: '2001:db8::/32' }] } }, { detail: { ip6: [{ cidr: '2001:db9::/32' }] } }],
  ['equals-ignore-case', { detail: { currency: [{ 'equals-ignore-case': 'eur' }] } }, { detail: { currency: [{ 'equals-ignore-case': 'usd' }] } }],
  ['wildcard', { detail: { path: [{ wildcard: '/users/*/doc.txt' }] } }, { detail: { path: [{ wildcard: '/admins/*/doc.txt' }] } }],
  ['$or', { $or: [{ source: ['x'] }, { detail: { amount: [2999] } }] }, { $or: [{ source: ['x'] }, { detail: { amount: [1] } }] }],
  ['null matches null only', { detail: { note: [null] } }, { detail: { empty: [null] } }],
  ['empty string matches empty string only', { detail: { empty: [''] } }, { detail: { note: [''] } }],
  ['array elements stay together', { detail: { items: { sku: ['b'], qty: [5] } } }, { detail: { items: { sku: ['a'], qty: [5] } } }],
  ['dotted key equals nesting', { 'detail.currency': ['EUR'] }, { 'detail.currency': ['USD'] }],
];

describe('event patterns', () => {
  describe.each(OPERATORS)('%s', (_name, matching, notMatching) => {
    it('matches the event', () => expect(matchesPattern(matching as Record<string, unknown>, event)).toBe(true));
    it('does not match when the condition fails', () => expect(matchesPattern(notMatching as Record<string, unknown>, event)).toBe(false));
  });

  it('never matches anything-but on a missing field', () => {
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('judges the JSON text as PutRule does: malformed JSON, non-objects, infinite numbers', () => {
    expect(validatePattern('{"source": [')[0]).toMatch(/^Event pattern is not valid. Reason: Malformed JSON/);
    expect(validatePattern('["source"]')).toEqual(['Event pattern is not valid. Reason: Filter is not an object']);
    expect(validatePattern('{"detail": {"amount": [{"numeric": [">", 1e400]}]}}')).toEqual(['Event pattern is not valid. Reason: Value of > must be numeric']);
    expect(validatePattern('{"detail": {"amount": [{"numeric": [">", 6e9]}]}}')).toEqual(['Event pattern is not valid. Reason: Value of > must be between -5.0E9 and 5.0E9, got 6000000000']);
  });

  it('refuses to compile an invalid pattern, listing every reason', () => {
    expect(() => compilePattern({ a: 'x', b: [{ prefix: 1 }] })).toThrow(InvalidPatternError);
    expect(() => compilePattern({ a: 'x', b: [{ prefix: 1 }] })).toThrow(
      'Event pattern is not valid. Reason: "a" must be an object or an array; Event pattern is not valid. Reason: prefix match pattern must be a string',
    );
  });

  describe('the model’s subscriptions', () => {
    // One example per catalog version: a consumer of PaymentMade v2 must match v2's example and not v1's.
    const events = fixtureFiles().map((file) => {
      const [name, version] = file.split('.');
      return fixtureEvent(name as string, Number(version?.slice(1)));
    });

    it.each(loadOrderSystem().subscriptions.map((s) => [s.id, s] as const))('%s: valid, matches its events’ examples and no others', (_id, subscription) => {
      const consumed = subscription.consumes.map((c) => `${c.name} v${c.version}`);

      expect(validatePattern(subscription.pattern)).toEqual([]);
      const matched = events.filter((e) => matchesPattern(subscription.pattern, e)).map((e) => `${e['detail-type']} v${e.detail.metadata.version}`);
      expect(matched.sort()).toEqual([...consumed].sort());
    });
  });
});
