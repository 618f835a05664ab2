import { RuleIndex } from '../../../local/bus/rule-index';

describe('RuleIndex', () => {
  it('finds indexed and unindexed rules alike, and only those that match', () => {
    const index = new RuleIndex<string>();
    index.add({ name: 'paid', target: 'email' }, { 'detail-type': ['PaymentMade'], detail: { amount: [{ numeric: ['>', 100] }] } });
    index.add({ name: 'all-payments', target: 'ledger' }, { source: ['eventflow.payment'] });
    index.add({ name: 'either', target: 'audit' }, { $or: [{ 'detail-type': ['PaymentMade'] }, { 'detail-type': ['OrderCreated'] }] });

    const names = (event: object) =>
      index
        .match(event)
        .map((rule) => rule.name)
        .sort();

    expect(names({ source: 'eventflow.payment', 'detail-type': 'PaymentMade', detail: { amount: 150 } })).toEqual(['all-payments', 'either', 'paid']);
    expect(names({ source: 'eventflow.payment', 'detail-type': 'PaymentMade', detail: { amount: 50 } })).toEqual(['all-payments', 'either']);
    expect(names({ source: 'eventflow.orders', 'detail-type': 'OrderCreated', detail: {} })).toEqual(['either']);
    expect(index.size).toBe(3);
  });

  it('rejects an invalid pattern with AWS’s reason', () => {
    expect(() => new RuleIndex().add({ name: 'bad', target: 0 }, '{"detail-type": "PaymentMade"}')).toThrow('"detail-type" must be an object or an array');
  });
});
