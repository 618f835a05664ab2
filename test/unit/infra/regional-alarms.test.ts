import { readdirSync } from 'node:fs';
import { repoRoot } from '../../../model/paths';
import { ConfigValidationError } from '../../../infra/errors';
import { RULE_ALARM_METRICS, validateObservabilityArgs } from '../../../infra/observability';
import { readStackConfig } from '../../../infra/synth/synthesize';
import type { RecordedResource } from '../../helpers/pulumi-mocks';
import { thrownBy } from '../../helpers/thrown';

/** Every stage the repository has: a new Pulumi.<stage>.yaml is checked without touching this file. */
const STAGES = readdirSync(repoRoot())
  .map((file) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(file)?.[1])
  .filter((stage): stage is string => stage !== undefined)
  .sort();

const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
/** What must be watched, and the alarm dimension that names it. */
const WATCHED = {
  'aws:cloudwatch/eventRule:EventRule': 'RuleName',
  'aws:sqs/queue:Queue': 'QueueName',
  'aws:lambda/function:Function': 'FunctionName',
  'aws:sfn/stateMachine:StateMachine': 'StateMachineArn',
} as const;
type WatchedType = keyof typeof WATCHED;
const isWatchedType = (type: string): type is WatchedType => type in WATCHED;

/** The name AWS knows a resource by, as the mocks answered (a generated name where the program sets none). */
const physicalName = (resource: RecordedResource): string => String(resource.outputs.name ?? resource.inputs.name ?? resource.name);
const dimensions = (alarm: RecordedResource): Record<string, string> => (alarm.inputs.dimensions ?? {}) as Record<string, string>;
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
/** Where a resource lives: the recording mocks place it by the provider it was made with (or its own `region`). */
const placeOf = (resource: RecordedResource) => `${resource.accountId}/${resource.region}`;

/** Whether an alarm's dimensions name the resource (and, for a rule, its bus). */
function watches(alarm: RecordedResource, resource: RecordedResource): boolean {
  if (!isWatchedType(resource.type)) return false;
  const named = dimensions(alarm)[WATCHED[resource.type]];
  if (named === undefined) return false;
  if (resource.type === 'aws:sfn/stateMachine:StateMachine') return named === resource.outputs.arn;
  if (resource.type === 'aws:cloudwatch/eventRule:EventRule' && dimensions(alarm).EventBusName !== resource.inputs.eventBusName) return false;
  return named === physicalName(resource);
}

describe.each(STAGES)('the alarms of Pulumi.%s.yaml', (stack) => {
  const config = readStackConfig(stack);
  const endpoint = config['eventflow:globalEndpoint'] ? (JSON.parse(config['eventflow:globalEndpoint']) as { enabled?: boolean; secondaryRegion?: string }) : undefined;
  const regions = [config['aws:region']!, ...(endpoint && endpoint.enabled !== false && endpoint.secondaryRegion ? [endpoint.secondaryRegion] : [])];
  let resources: readonly RecordedResource[];
  let alarms: RecordedResource[];
  let watched: RecordedResource[];

  beforeAll(async () => {
    // Arrange: one evaluation per stage, each with a fresh Pulumi runtime and program module.
    await jest.isolateModulesAsync(async () => {
      const { synthesizeShared } = await import('../../helpers/synth-cache');
      ({ resources } = await synthesizeShared(stack, {}, { stackTraces: false }));
    });
    alarms = resources.filter((r) => r.type === ALARM);
    watched = resources.filter((r) => isWatchedType(r.type));
  }, 60_000);

  it('has rules, queues, functions and state machines to watch in every region of the stage', () => {
    const found = new Set(watched.map((r) => `${r.type} in ${r.region}`));

    expect(
      Object.keys(WATCHED)
        .flatMap((type) => regions.map((region) => `${type} in ${region}`))
        .filter((expected) => !found.has(expected)),
    ).toEqual([]);
  });

  it('gives every rule, queue, function and state machine an alarm in its own region and account', () => {
    const unwatched = watched
      .filter((resource) => !alarms.some((alarm) => watches(alarm, resource) && placeOf(alarm) === placeOf(resource)))
      .map((resource) => `${resource.type} "${physicalName(resource)}" in ${placeOf(resource)}`);

    expect(unwatched).toEqual([]);
  });

  it('puts every alarm on a resource in that resource’s region and account', () => {
    const onResources = alarms.filter((alarm) => Object.values(WATCHED).some((dimension) => dimensions(alarm)[dimension] !== undefined));
    const misplaced = onResources
      .map((alarm) => ({ alarm: physicalName(alarm), in: placeOf(alarm), watchedIn: watched.filter((resource) => watches(alarm, resource)).map(placeOf) }))
      .filter((found) => !found.watchedIn.includes(found.in));

    expect(onResources.length).toBeGreaterThan(0);
    expect(misplaced).toEqual([]);
  });

  it('names every alarm after its region', () => {
    const unnamed = alarms.map((alarm) => ({ alarm: physicalName(alarm), region: alarm.region })).filter(({ alarm, region }) => !alarm.includes(`-${region}-`));

    expect(unnamed).toEqual([]);
  });

  it('notifies, from every alarm, a topic of the alarm’s own region and account', () => {
    const topics = new Map(resources.filter((r) => r.type === 'aws:sns/topic:Topic').map((topic) => [String(topic.outputs.arn), topic]));
    const notified = alarms.filter((alarm) => strings(alarm.inputs.alarmActions).length > 0);
    const strays = notified.flatMap((alarm) =>
      [...strings(alarm.inputs.alarmActions), ...strings(alarm.inputs.okActions)]
        .filter((arn) => topics.get(arn) === undefined || placeOf(topics.get(arn)!) !== placeOf(alarm))
        .map((arn) => `${physicalName(alarm)} in ${placeOf(alarm)} → ${arn}`),
    );

    expect([...new Set(notified.map((alarm) => alarm.region))].sort()).toEqual([...regions].sort());
    expect(strays).toEqual([]);
  });

  it('alarms on the cross-account route’s dead-letter queue beside the route’s rule, not in the target account', () => {
    const payments = config['eventflow:paymentsAccount'];
    if (payments === undefined) return;
    const { accountId } = JSON.parse(payments) as { accountId: string };
    // The route's target is the other account's bus; its rule and DLQ are what the source account runs.
    const routeTarget = resources.find(
      (r) => r.type === 'aws:cloudwatch/eventTarget:EventTarget' && String(r.inputs.arn).startsWith('arn:aws:events:') && String(r.inputs.arn).split(':')[4] === accountId,
    )!;
    const rule = watched.find((r) => r.type === 'aws:cloudwatch/eventRule:EventRule' && physicalName(r) === routeTarget.inputs.rule && placeOf(r) === placeOf(routeTarget))!;
    const queue = watched.find((r) => r.type === 'aws:sqs/queue:Queue' && r.outputs.arn === (routeTarget.inputs.deadLetterConfig as { arn?: unknown } | undefined)?.arn)!;

    const queueAlarms = alarms.filter((alarm) => watches(alarm, queue));

    // Depth and age of the oldest message, both beside the rule.
    expect(queueAlarms.map((alarm) => `${String(alarm.inputs.metricName)} in ${placeOf(alarm)}`).sort()).toEqual(
      ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible'].map((metric) => `${metric} in ${placeOf(rule)}`),
    );
    expect(placeOf(rule)).toBe(`${config['eventflow:accountId']}/${config['aws:region']}`);
  });
});

describe('Observability', () => {
  describe('validateObservabilityArgs', () => {
    it('rejects a region twice, and a region that is not one, naming each', () => {
      // Arrange: the validator reads the regions only, so no provider is made.
      const args = { region: 'eu-west-1', otherRegions: [{ region: 'eu-west-1' }, { region: 'Frankfurt' }] };

      // Act
      const error = thrownBy(() => validateObservabilityArgs('obs', args), ConfigValidationError);

      // Assert
      expect(error.message.split('\n')).toEqual([
        `Observability "obs": 'otherRegions[0].region' must differ from 'region' and every other region, got "eu-west-1"`,
        `Observability "obs": 'otherRegions[1].region' must be an AWS region such as eu-west-1, got "Frankfurt"`,
      ]);
    });

    it('rejects producer services without a metrics namespace, and a service named twice in a region', () => {
      // Arrange: producers in both regions, one of them listed twice, and no namespace to read them in.
      const args = { region: 'eu-west-1', producerServices: ['orders'], otherRegions: [{ region: 'eu-central-1', producerServices: ['orders', 'orders'] }] };

      // Act
      const error = thrownBy(() => validateObservabilityArgs('obs', args), ConfigValidationError);

      // Assert
      expect(error.message.split('\n')).toEqual([
        `Observability "obs": 'otherRegions[0].producerServices' must name each service once, got "orders" twice`,
        `Observability "obs": 'metricsNamespace' must be set when a region has 'producerServices', got undefined`,
      ]);
      expect(error.problems.map((problem) => problem.property)).toEqual(['otherRegions[0].producerServices', 'metricsNamespace']);
    });

    it('accepts producer services with a metrics namespace', () => {
      expect(() => validateObservabilityArgs('obs', { region: 'eu-west-1', metricsNamespace: 'p', producerServices: ['orders'] })).not.toThrow();
    });
  });

  describe('with another region', () => {
    let resources: RecordedResource[] = [];
    let topicsByRegion: Record<string, string> = {};

    beforeAll(async () => {
      // Arrange: a fresh Pulumi runtime, the component alone, a second region behind its own provider.
      await jest.isolateModulesAsync(async () => {
        const { installMocks, settle, outputValue } = await import('../../helpers/pulumi-mocks');
        ({ resources } = await installMocks({ 'aws:region': 'eu-west-1' }));
        const { Observability } = await import('../../../infra/observability');
        const { Provider } = await import('@pulumi/aws/provider');
        const frankfurt = new Provider('frankfurt', { region: 'eu-central-1' });
        const observability = new Observability('obs', {
          prefix: 'p',
          region: 'eu-west-1',
          eventBusName: 'p',
          metricsNamespace: 'p',
          ruleNames: { rule: 'p-rule' },
          queueNames: { 'rule-dlq': 'p-rule-dlq' },
          functionNames: { fn: 'p-fn' },
          stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:p-saga',
          producerServices: ['orders'],
          accountId: '111111111111',
          otherRegions: [{ region: 'eu-central-1', provider: frankfurt, eventBusName: 'p', ruleNames: { rule: 'p-rule' }, queueNames: { 'replica-dlq': 'p-replica-dlq' }, functionNames: {} }],
        });
        await outputValue(observability.dashboardName);
        topicsByRegion = Object.fromEntries(await Promise.all(Object.entries(observability.alarmTopicArns).map(async ([region, arn]) => [region, await outputValue(arn)] as const)));
        await settle();
      });
    });
    const ofType = (type: string) => resources.filter((r) => r.type === type);

    it('makes each region’s key, topic and alarms in that region, the alarms notifying that region’s topic', () => {
      const alarms = ofType(ALARM)
        .map((alarm) => ({ name: String(alarm.inputs.name), region: alarm.region, actions: alarm.inputs.alarmActions }))
        .sort((a, b) => a.name.localeCompare(b.name));

      expect(
        ofType('aws:kms/key:Key')
          .map((key) => key.region)
          .sort(),
      ).toEqual(['eu-central-1', 'eu-west-1']);
      expect(
        ofType('aws:sns/topic:Topic')
          .map((topic) => `${topic.region} ${String(topic.outputs.arn)}`)
          .sort(),
      ).toEqual(
        Object.entries(topicsByRegion)
          .map(([region, arn]) => `${region} ${arn}`)
          .sort(),
      );
      // The replica region runs no functions, saga or producers here: only its rule and queue are watched.
      expect(alarms.filter((alarm) => alarm.region === 'eu-central-1')).toEqual(
        ['replica-dlq-not-empty', 'replica-dlq-oldest-message-age', ...RULE_ALARM_METRICS.map((metric) => `rule-${metric}`), 'rule-start-latency', 'rule-success-latency', 'rule-success-rate']
          .map((name) => ({ name: `p-eu-central-1-${name}`, region: 'eu-central-1', actions: [topicsByRegion['eu-central-1']] }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
      expect(alarms.filter((alarm) => alarm.region === 'eu-west-1').map((alarm) => alarm.name)).toEqual(
        expect.arrayContaining([
          'p-eu-west-1-rule-dlq-not-empty',
          'p-eu-west-1-rule-dlq-oldest-message-age',
          'p-eu-west-1-fn-errors',
          'p-eu-west-1-fn-throttles',
          'p-eu-west-1-saga-ExecutionsFailed',
          'p-eu-west-1-producer-orders-given-up',
          'p-eu-west-1-producer-orders-failed-share',
        ]),
      );
      for (const alarm of alarms.filter((a) => a.region === 'eu-west-1')) expect(alarm.actions).toEqual([topicsByRegion['eu-west-1']]);
    });

    it('keys every alarm’s logical name by the watched id and its role, never by a position', () => {
      const logical = ofType(ALARM)
        .filter((alarm) => alarm.region === 'eu-central-1')
        .map((alarm) => alarm.name)
        .sort();

      expect(logical).toEqual(
        [
          ...RULE_ALARM_METRICS.map((metric) => `rule-rule-${metric}`),
          'rule-rule-success-rate',
          'rule-rule-start-latency',
          'rule-rule-success-latency',
          'queue-replica-dlq-depth',
          'queue-replica-dlq-age',
        ]
          .map((role) => `obs-eu-central-1-${role}`)
          .sort(),
      );
    });

    it('draws one dashboard, a group of rows per region reading that region, leaving out a health with nothing to draw', () => {
      const dashboards = ofType('aws:cloudwatch/dashboard:Dashboard');
      const widgets = (JSON.parse(String(dashboards[0]!.inputs.dashboardBody)) as { widgets: Array<{ type: string; y: number; properties: { region?: string; markdown?: string } }> }).widgets;

      expect(dashboards).toHaveLength(1);
      expect(widgets.filter((widget) => widget.type === 'text').map((widget) => widget.properties.markdown)).toEqual([
        '# eu-west-1',
        '## Producer (eu-west-1)',
        '## Broker (eu-west-1)',
        '## Consumer (eu-west-1)',
        '# eu-central-1',
        '## Broker (eu-central-1)',
        '## Consumer (eu-central-1)',
      ]);
      const firstOfSecond = widgets.find((widget) => widget.properties.markdown === '# eu-central-1')!.y;
      expect(
        widgets
          .filter((widget) => widget.type === 'metric')
          .map((widget) => `${widget.y < firstOfSecond ? 'first' : 'second'} group: ${widget.properties.region}`)
          .filter((row, i, rows) => row !== rows[i - 1]),
      ).toEqual(['first group: eu-west-1', 'second group: eu-central-1']);
    });
  });
});
