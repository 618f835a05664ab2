import { synthesizeShared } from '../../helpers/synth-cache';
import { loadOrderSystem } from '../../../model';
import { SYNTH_SECRET, type SynthResult } from '../../../infra/synth/synthesize';
import { ofType } from '../../helpers/pulumi-mocks';

interface PolicyStatement {
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
}
const statements = (policy: unknown): PolicyStatement[] => (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;
const list = <T>(value: T | T[]) => (Array.isArray(value) ? value : [value]);

describe('the dev stack (Pulumi.dev.yaml under mocks)', () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthesizeShared('dev');
  }, 60_000);
  const resources = (type: string) => ofType(result.resources, type);

  it('builds and exports what a user needs', () => {
    expect(result.outputs).toMatchObject({
      eventBusName: 'eventflow-dev',
      eventBusArn: expect.stringContaining('eventflow-dev'),
      apiUrl: expect.stringMatching(/^https:\/\//),
      stateMachineArn: expect.stringContaining('eventflow-dev-order-saga'),
      endpointId: expect.any(String),
      dashboardName: 'eventflow-dev-events',
      schemaRegistryName: 'eventflow-dev',
    });
    expect(Object.keys(result.outputs.deadLetterQueueUrls as object).sort()).toEqual(
      loadOrderSystem()
        .subscriptions.map((s) => s.id)
        .sort(),
    );
  });

  it('names every resource after an id, never a position, so reordering the model replaces nothing', () => {
    // Digits in a logical name may only be a region's or an event version's; anything else is a position.
    const positional = result.resources.map((r) => r.name).filter((name) => /\d/.test(name.replace(/[a-z]{2}-[a-z]+-\d/g, '').replace(/-v\d+$/, '')));
    expect(positional).toEqual([]);
  });

  it('derives every subscription rule’s pattern from the model', () => {
    const rules = resources('aws:cloudwatch/eventRule:EventRule');
    for (const subscription of loadOrderSystem().subscriptions) {
      const rule = rules.find((r) => r.inputs.name === `eventflow-dev-${subscription.id.replace('.', '-')}`);
      expect({ id: subscription.id, pattern: JSON.parse(String(rule?.inputs.eventPattern)) }).toEqual({ id: subscription.id, pattern: subscription.pattern });
    }
  });

  it('gives every rule target a dead-letter queue and a retry policy', () => {
    const targets = resources('aws:cloudwatch/eventTarget:EventTarget');
    expect(targets.length).toBeGreaterThan(4);
    for (const target of targets)
      expect({ target: target.name, dlq: Boolean(target.inputs.deadLetterConfig), retry: Boolean(target.inputs.retryPolicy) }).toEqual({ target: target.name, dlq: true, retry: true });
  });

  it('has no IAM statement with a * action, and a * resource only for X-Ray and log delivery', () => {
    const policies = [...resources('aws:iam/rolePolicy:RolePolicy'), ...resources('aws:cloudwatch/eventBusPolicy:EventBusPolicy'), ...resources('aws:sqs/queuePolicy:QueuePolicy')];
    expect(policies.length).toBeGreaterThan(10);
    for (const policy of policies) {
      for (const statement of statements(policy.inputs.policy)) {
        const actions = list(statement.Action);
        expect({ policy: policy.name, actions: actions.filter((a) => a.includes('*')) }).toEqual({ policy: policy.name, actions: [] });
        if (list(statement.Resource).includes('*')) {
          expect({ policy: policy.name, actions: actions.filter((a) => !a.startsWith('xray:') && !a.startsWith('logs:')) }).toEqual({ policy: policy.name, actions: [] });
        }
      }
    }
  });

  it('admits exactly the configured accounts to the bus', () => {
    const busPolicy = resources('aws:cloudwatch/eventBusPolicy:EventBusPolicy').find((p) => p.name === 'bus-policy')!;
    expect(statements(busPolicy.inputs.policy)).toEqual([expect.objectContaining({ Principal: { AWS: ['arn:aws:iam::111111111111:root'] }, Action: 'events:PutEvents' })]);
  });

  it('gives every alarm an action', () => {
    const alarms = resources('aws:cloudwatch/metricAlarm:MetricAlarm').filter((a) => !String(a.inputs.name).endsWith('-primary-latency'));
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms)
      expect({ alarm: alarm.inputs.name, actions: (alarm.inputs.alarmActions as unknown[]).length, missing: alarm.inputs.treatMissingData }).toEqual({
        alarm: alarm.inputs.name,
        actions: 1,
        missing: 'notBreaching',
      });
  });

  it('keeps the delivery provider’s API key a secret', () => {
    const connection = resources('aws:cloudwatch/eventConnection:EventConnection')[0]!;
    // Pulumi marks the whole property holding a secret as secret.
    expect(connection.secretInputs).toContain('authParameters');
    expect(connection.inputs.authParameters).toMatchObject({ apiKey: { key: 'x-api-key', value: SYNTH_SECRET } });
  });

  it('registers one JSONSchemaDraft4 schema per catalog event version', () => {
    const schemas = resources('aws:schemas/schema:Schema');
    expect(schemas.map((s) => s.inputs.name).sort()).toEqual(
      loadOrderSystem()
        .catalog.all()
        .map((e) => e.schemaRef)
        .sort(),
    );
    expect(new Set(schemas.map((s) => s.inputs.type))).toEqual(new Set(['JSONSchemaDraft4']));
  });

  it('keeps PaymentMade v1 registered next to v2, each schema pinning its own version and data', () => {
    const content = (name: string) =>
      JSON.parse(String(resources('aws:schemas/schema:Schema').find((s) => s.inputs.name === name)?.inputs.content)) as {
        properties: { detail: { properties: { metadata: { properties: { version: unknown } }; data: { required: string[] } } } };
      };
    const [v1, v2] = ['eventflow.payment@PaymentMade.v1', 'eventflow.payment@PaymentMade.v2'].map((name) => content(name).properties.detail.properties);

    expect([v1?.metadata.properties.version, v2?.metadata.properties.version]).toEqual([
      { type: 'integer', enum: [1] },
      { type: 'integer', enum: [2] },
    ]);
    expect(v1?.data.required).toContain('amount');
    expect(v2?.data.required).toContain('charge');
  });

  it('deploys functions on arm64, a current runtime, X-Ray active, with the saga’s ASL wired to them', () => {
    const functions = resources('aws:lambda/function:Function');
    expect(functions).toHaveLength(28); // 14 per region
    for (const fn of functions) expect(fn.inputs).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], tracingConfig: { mode: 'Active' } });
    const machine = resources('aws:sfn/stateMachine:StateMachine')[0]!;
    const definition = JSON.parse(String(machine.inputs.definition)) as { States: Record<string, { Resource?: string }> };
    expect(definition.States.ReserveItem?.Resource).toBe('arn:aws:lambda:eu-west-1:111111111111:function:eventflow-dev-inventory-ReserveItem');
    expect(machine.inputs).toMatchObject({ type: 'STANDARD', tracingConfiguration: { enabled: true } });
  });

  it('lets only GetOrder describe the saga’s executions (the order view of a saga that needs attention), in the home region from both regions', () => {
    const describing = resources('aws:iam/rolePolicy:RolePolicy').flatMap((policy) =>
      statements(policy.inputs.policy).filter((statement) => list(statement.Action).includes('states:DescribeExecution')),
    );
    const getOrder = resources('aws:lambda/function:Function').filter((fn) => String(fn.inputs.name).endsWith('-orders-GetOrder'));

    // Every order's saga runs in the home region (README, "Two regions"), so each region's GetOrder reads it there.
    expect(describing.map((statement) => statement.Resource)).toEqual([
      'arn:aws:states:eu-west-1:111111111111:execution:eventflow-dev-order-saga:*',
      'arn:aws:states:eu-west-1:111111111111:execution:eventflow-dev-order-saga:*',
    ]);
    for (const fn of getOrder)
      expect((fn.inputs.environment as { variables: Record<string, string> }).variables.ORDER_SAGA_ARN).toBe('arn:aws:states:eu-west-1:111111111111:stateMachine:eventflow-dev-order-saga');
    expect(getOrder).toHaveLength(2);
  });

  it('routes payment facts to the payments account through a bus policy made with that account’s provider', () => {
    const route = resources('aws:cloudwatch/eventRule:EventRule').find((r) => r.inputs.name === 'eventflow-dev-to-payments-account')!;
    // Every version of every payment fact: PaymentMade v1 and v2 both travel while v1 is double-published.
    expect(JSON.parse(String(route.inputs.eventPattern))).toEqual({
      $or: [
        { source: ['eventflow.payment'], 'detail-type': ['PaymentFailed', 'PaymentMade', 'PaymentRefunded'], detail: { metadata: { version: [1] } } },
        { source: ['eventflow.payment'], 'detail-type': ['PaymentMade'], detail: { metadata: { version: [2] } } },
      ],
    });
    const policy = resources('aws:cloudwatch/eventBusPolicy:EventBusPolicy').find((p) => p.name === 'payments-route-target-policy')!;
    expect(statements(policy.inputs.policy)[0]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Resource: 'arn:aws:events:eu-west-1:222222222222:event-bus/eventflow-dev-payments',
    });
  });

  it('gives the secondary region the same bus, rules (same patterns) and functions, over global tables', () => {
    const rules = resources('aws:cloudwatch/eventRule:EventRule');
    for (const subscription of loadOrderSystem().subscriptions) {
      const named = rules.filter((r) => r.inputs.name === `eventflow-dev-${subscription.id.replace('.', '-')}`);
      expect({ id: subscription.id, copies: named.length }).toEqual({ id: subscription.id, copies: 2 });
    }
    expect(resources('aws:cloudwatch/eventBus:EventBus').filter((b) => b.inputs.name === 'eventflow-dev')).toHaveLength(2);
    expect(resources('aws:sfn/stateMachine:StateMachine')).toHaveLength(2);
    for (const table of resources('aws:dynamodb/table:Table')) expect(table.inputs).toMatchObject({ replicas: [{ regionName: 'eu-central-1', pointInTimeRecovery: true }], streamEnabled: true });
  });

  it('replicates the bus to the secondary region behind a global endpoint with a health check', () => {
    const endpoint = resources('aws:cloudwatch/eventEndpoint:EventEndpoint')[0]!;
    expect(endpoint.inputs).toMatchObject({ replicationConfig: { state: 'ENABLED' }, routingConfig: { failoverConfig: { secondary: { route: 'eu-central-1' } } } });
    expect(resources('aws:route53/healthCheck:HealthCheck')[0]!.inputs).toMatchObject({ type: 'CLOUDWATCH_METRIC', cloudwatchAlarmRegion: 'eu-west-1' });
  });
});
