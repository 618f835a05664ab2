import { synthesizeShared } from '../../helpers/synth-cache';
import { loadOrderSystem } from '../../../model';
import { readStackConfig, type SynthResult } from '../../../infra/synth/synthesize';
import { ofType } from '../../helpers/pulumi-mocks';

interface PolicyStatement {
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const statements = (policy: unknown): PolicyStatement[] => (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;

// Its own file: the Pulumi runtime and the program module are global, so one process evaluates one stack.
describe('the prod stack (Pulumi.prod.yaml under mocks)', () => {
  const config = readStackConfig('prod');
  const setting = <T>(key: string): T => JSON.parse(config[`eventflow:${key}`]!) as T;
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthesizeShared('prod');
  }, 60_000);
  const resources = (type: string) => ofType(result.resources, type);

  it('builds the stage named in the file, behind a global endpoint', () => {
    const prefix = `eventflow-${config['eventflow:stage']}`;

    expect(result.outputs).toMatchObject({ eventBusName: prefix, stateMachineArn: expect.stringContaining(`${prefix}-order-saga`), endpointId: expect.any(String), dashboardName: `${prefix}-events` });
    expect(resources('aws:cloudwatch/eventBus:EventBus').filter((bus) => bus.inputs.name === prefix)).toHaveLength(2);
    expect(resources('aws:cloudwatch/eventEndpoint:EventEndpoint')[0]!.inputs).toMatchObject({
      routingConfig: { failoverConfig: { secondary: { route: setting<{ secondaryRegion: string }>('globalEndpoint').secondaryRegion } } },
    });
  });

  it('admits the whole organization, and only it, to the bus in both regions', () => {
    const prefix = `eventflow-${config['eventflow:stage']}`;
    const policies = resources('aws:cloudwatch/eventBusPolicy:EventBusPolicy').filter((policy) => policy.inputs.eventBusName === prefix);

    expect(config['eventflow:allowedAccountIds']).toBeUndefined();
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(statements(policy.inputs.policy)).toEqual([
        expect.objectContaining({ Principal: '*', Action: 'events:PutEvents', Condition: { StringEquals: { 'aws:PrincipalOrgID': config['eventflow:organizationId'] } } }),
      ]);
    }
  });

  it('runs the saga as a STANDARD workflow in both regions, as the file says', () => {
    const machines = resources('aws:sfn/stateMachine:StateMachine');

    expect(config['eventflow:sagaType']).toBe('STANDARD');
    expect(machines.map((machine) => machine.inputs.type)).toEqual(['STANDARD', 'STANDARD']);
  });

  it('gives both regions every subscription rule, each target a dead-letter queue and a retry policy', () => {
    const rules = resources('aws:cloudwatch/eventRule:EventRule');
    for (const subscription of loadOrderSystem().subscriptions) {
      const copies = rules.filter((rule) => rule.inputs.name === `eventflow-${config['eventflow:stage']}-${subscription.id.replace('.', '-')}`);
      expect({ id: subscription.id, copies: copies.length }).toEqual({ id: subscription.id, copies: 2 });
    }
    for (const target of resources('aws:cloudwatch/eventTarget:EventTarget')) {
      expect({ target: target.name, dlq: Boolean(target.inputs.deadLetterConfig), retry: Boolean(target.inputs.retryPolicy) }).toEqual({ target: target.name, dlq: true, retry: true });
    }
  });

  it('keeps logs and the archive as long as the file says', () => {
    const logRetention = Number(config['eventflow:logRetentionDays']);
    const archives = resources('aws:cloudwatch/eventArchive:EventArchive');

    expect(archives.length).toBeGreaterThan(1);
    for (const archive of archives) expect(archive.inputs.retentionDays).toBe(Number(config['eventflow:archiveRetentionDays']));
    for (const group of resources('aws:cloudwatch/logGroup:LogGroup'))
      expect({ group: group.inputs.name, days: group.inputs.retentionInDays }).toEqual({ group: group.inputs.name, days: logRetention });
  });

  it('routes payment facts to the prod payments account, admitting only the prod account there', () => {
    const payments = setting<{ accountId: string; region: string }>('paymentsAccount');
    const target = resources('aws:cloudwatch/eventTarget:EventTarget').find((t) => String(t.inputs.arn).startsWith(`arn:aws:events:${payments.region}:${payments.accountId}:event-bus/`))!;
    const policy = resources('aws:cloudwatch/eventBusPolicy:EventBusPolicy').find((p) => p.name === 'payments-route-target-policy')!;

    expect(target.inputs.deadLetterConfig).toEqual({ arn: expect.any(String) });
    expect(statements(policy.inputs.policy)[0]).toMatchObject({ Principal: { AWS: `arn:aws:iam::${config['eventflow:accountId']}:root` }, Resource: target.inputs.arn });
  });
});
