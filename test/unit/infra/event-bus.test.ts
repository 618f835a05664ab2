import { installMocks, ofType, settle, outputValue, type RecordedResource } from '../../helpers/pulumi-mocks';
import type * as infra from '../../../infra/event-bus';

describe('EventBus', () => {
  let resources: RecordedResource[];
  let mod: typeof infra;

  beforeAll(async () => {
    ({ resources } = await installMocks());
    mod = await import('../../../infra/event-bus');
  });
  beforeEach(() => (resources.length = 0));

  it('creates the bus, an archive, a discoverer, the central log and a bus policy, parented to the component', async () => {
    const bus = new mod.EventBus('orders', { name: 'eventflow-dev', publishers: { accountIds: ['111111111111', '222222222222'] } });
    await outputValue(bus.eventBusArn);
    await settle();

    expect(ofType(resources, 'aws:cloudwatch/eventBus:EventBus')[0]?.inputs).toMatchObject({ name: 'eventflow-dev' });
    expect(ofType(resources, 'aws:cloudwatch/eventArchive:EventArchive')[0]?.inputs).toMatchObject({ retentionDays: 30 });
    expect(ofType(resources, 'aws:schemas/discoverer:Discoverer')).toHaveLength(1);
    expect(ofType(resources, 'aws:cloudwatch/logGroup:LogGroup')[0]?.inputs).toMatchObject({ name: '/aws/events/eventflow-dev', retentionInDays: 14 });
    expect(ofType(resources, 'aws:cloudwatch/logResourcePolicy:LogResourcePolicy')).toHaveLength(1);
    const catchAll = ofType(resources, 'aws:cloudwatch/eventRule:EventRule')[0]!;
    expect(JSON.parse(catchAll.inputs.eventPattern as string)).toEqual({ account: [{ exists: true }] });
    const policy = JSON.parse(ofType(resources, 'aws:cloudwatch/eventBusPolicy:EventBusPolicy')[0]!.inputs.policy as string);
    expect(policy.Statement).toEqual([expect.objectContaining({ Action: 'events:PutEvents', Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] } })]);
  });

  it('admits an organization only through an aws:PrincipalOrgID condition', async () => {
    const policy = JSON.parse(await outputValue(mod.busPolicy('arn:aws:events:eu-west-1:111111111111:event-bus/b', { organizationId: 'o-abcdefghij' })));

    expect(policy.Statement[0]).toMatchObject({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } });
  });

  it('rejects bad arguments naming each property, range and value', () => {
    expect(() => mod.validateEventBusArgs('orders', { name: 'default', publishers: { accountIds: ['12345'] }, archiveRetentionDays: -1, logRetentionDays: 0 })).toThrow(
      [
        `EventBus "orders": 'name' must be 1–256 letters, digits, '.', '-' or '_' and not "default", got "default"`,
        `EventBus "orders": 'publishers.accountIds' must be 12-digit account ids, got "12345"`,
        `EventBus "orders": 'archiveRetentionDays' must be an integer between 0 and 36500, got -1`,
        `EventBus "orders": 'logRetentionDays' must be an integer between 1 and 3653, got 0`,
      ].join('\n'),
    );
  });
});
