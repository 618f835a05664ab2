import { type AlarmRule, HEALTH_ALARMS, RULE_ALARM_METRICS } from '../../../infra/health-alarms';
import { readStackConfig } from '../../../infra/synth/synthesize';
import { PRODUCER_METRICS, PRODUCER_METRIC_DIMENSIONS, deploymentPlan, loadOrderSystem } from '../../../model';
import type { RecordedResource } from '../../helpers/pulumi-mocks';

/**
 * The talk's three healths, alarmed in every region of the two-region prod stage: the producer (PutEvents entries
 * given up, failed share), the broker (per rule: failed and dead-lettered invocations, throttling, success rate by
 * metric math, ingestion-to-invocation p99 latencies) and the consumer (queue depth and oldest message age, function
 * errors and throttles, saga failures and timeouts). Thresholds come from HEALTH_ALARMS, never restated here.
 *
 * Metric names and dimensions are AWS's, as the monitoring page lists them for a rule on a custom bus
 * (`EventBusName` and `RuleName`): https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */
const STACK = 'prod';
const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const config = readStackConfig(STACK);
/** A key the stage file must set: the suite is about a two-region stage in one account. */
function setting(key: string): string {
  const value = config[key];
  if (value === undefined) throw new Error(`Pulumi.${STACK}.yaml sets no ${key}`);
  return value;
}
const stage = setting('eventflow:stage');
const accountId = setting('eventflow:accountId');
const REGIONS = [setting('aws:region'), (JSON.parse(setting('eventflow:globalEndpoint')) as { secondaryRegion: string }).secondaryRegion];
const plan = deploymentPlan(loadOrderSystem());
const names = (region: string) => plan.names({ stage, region, accountId });
const { producer, broker, consumer } = HEALTH_ALARMS;

interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly returnData?: boolean;
  readonly metric?: { readonly namespace: string; readonly metricName: string; readonly stat: string; readonly period: number; readonly dimensions: Record<string, string> };
}

/** An alarm the stage must have: what it reads (one metric, or the metrics its math reads), where, and its rule. */
interface Expected {
  readonly what: string;
  readonly place: string;
  readonly reads: readonly string[];
  readonly math: boolean;
  readonly rule: AlarmRule;
}

const physicalName = (resource: RecordedResource): string => String(resource.outputs.name ?? resource.inputs.name ?? resource.name);
const placeOf = (resource: RecordedResource) => `${resource.accountId}/${resource.region}`;
const read = (namespace: unknown, metricName: unknown, stat: unknown, dimensions: unknown) =>
  `${String(namespace)} ${String(metricName)} ${String(stat)} ${JSON.stringify(Object.entries((dimensions ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)))}`;
const queriesOf = (alarm: RecordedResource) => (alarm.inputs.metricQueries ?? []) as readonly MetricQuery[];

/** What an alarm reads: its metric with its statistic, or each metric its math reads (sorted). */
function readsOf(alarm: RecordedResource): string[] {
  const queries = queriesOf(alarm);
  if (queries.length > 0) return queries.flatMap((q) => (q.metric ? [read(q.metric.namespace, q.metric.metricName, q.metric.stat, q.metric.dimensions)] : [])).sort();
  return [read(alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.extendedStatistic ?? alarm.inputs.statistic, alarm.inputs.dimensions)];
}

/** Every way the alarm differs from what is expected of it, the alarm topic of its place included; none is []. */
function differences(alarm: RecordedResource, expected: Expected, topicArn: string | undefined): string[] {
  const { rule } = expected;
  const queries = queriesOf(alarm);
  const returned = queries.filter((q) => q.returnData);
  const found = {
    threshold: alarm.inputs.threshold,
    comparison: alarm.inputs.comparisonOperator,
    evaluationPeriods: alarm.inputs.evaluationPeriods,
    periods: expected.math ? [...new Set(queries.flatMap((q) => (q.metric ? [q.metric.period] : [])))] : [alarm.inputs.period],
    treatMissingData: alarm.inputs.treatMissingData,
    alarmActions: alarm.inputs.alarmActions,
    okActions: alarm.inputs.okActions,
    // Metric math returns the expression alone, and the expression reads every metric queried.
    returns: expected.math ? returned.map((q) => (queries.every((m) => !m.metric || (q.expression ?? '').includes(m.id)) ? 'expression over every metric' : q.id)) : [],
  };
  const wanted = {
    threshold: rule.threshold,
    comparison: rule.comparison,
    evaluationPeriods: rule.evaluationPeriods,
    periods: [rule.periodSeconds],
    treatMissingData: rule.treatMissingData,
    alarmActions: [topicArn],
    okActions: [topicArn],
    returns: expected.math ? ['expression over every metric'] : [],
  };
  return Object.entries(wanted)
    .filter(([key, value]) => JSON.stringify(found[key as keyof typeof found]) !== JSON.stringify(value))
    .map(([key, value]) => `${expected.what} in ${expected.place}: ${key} is ${JSON.stringify(found[key as keyof typeof found])}, expected ${JSON.stringify(value)}`);
}

describe(`the health alarms of Pulumi.${STACK}.yaml`, () => {
  let resources: readonly RecordedResource[] = [];
  let alarms: RecordedResource[] = [];
  const ofType = (type: string) => resources.filter((r) => r.type === type);

  beforeAll(async () => {
    // Arrange: the stage evaluated once (shared with the other suites through the synth cache), in a fresh runtime.
    await jest.isolateModulesAsync(async () => {
      const { synthesizeShared } = await import('../../helpers/synth-cache');
      ({ resources } = await synthesizeShared(STACK, {}, { stackTraces: false }));
    });
    alarms = ofType(ALARM);
  }, 60_000);

  /** The alarm topic of a place (account/region), by the name every region's topic has. */
  const topicOf = (place: string) =>
    ofType('aws:sns/topic:Topic').find((topic) => placeOf(topic) === place && topic.inputs.name === `${names(REGIONS[0] ?? '').prefix}-alarms`)?.outputs.arn as string | undefined;

  /** Every alarm the talk's list asks for, derived from what the stage deploys and from the model's producers. */
  function expectedAlarms(): Expected[] {
    const producers = REGIONS.flatMap((region) => {
      const place = `${accountId}/${region}`;
      const namespace = names(region).metricsNamespace;
      return plan.producerServices.flatMap((service): Expected[] => {
        const dimensions = { [PRODUCER_METRIC_DIMENSIONS.service]: service };
        return [
          { what: `producer ${service} entries given up`, place, math: false, rule: producer.givenUp, reads: [read(namespace, PRODUCER_METRICS.givenUp, 'Sum', dimensions)] },
          {
            what: `producer ${service} failed share`,
            place,
            math: true,
            rule: producer.failedShare,
            reads: [read(namespace, PRODUCER_METRICS.attempted, 'Sum', dimensions), read(namespace, PRODUCER_METRICS.failed, 'Sum', dimensions)].sort(),
          },
        ];
      });
    });
    const rules = ofType('aws:cloudwatch/eventRule:EventRule').flatMap((rule): Expected[] => {
      const place = placeOf(rule);
      const dimensions = { EventBusName: rule.inputs.eventBusName, RuleName: physicalName(rule) };
      const what = (metric: string) => `rule ${physicalName(rule)} ${metric}`;
      return [
        ...RULE_ALARM_METRICS.map((metric) => ({ what: what(metric), place, math: false, rule: broker.delivery, reads: [read('AWS/Events', metric, 'Sum', dimensions)] })),
        {
          what: what('success rate'),
          place,
          math: true,
          rule: broker.successRate,
          reads: [read('AWS/Events', 'InvocationAttempts', 'Sum', dimensions), read('AWS/Events', 'SuccessfulInvocationAttempts', 'Sum', dimensions)].sort(),
        },
        // AWS spells the start latency with a lower-case "to", the newer success latency with an upper-case one.
        { what: what('start latency p99'), place, math: false, rule: broker.startLatency, reads: [read('AWS/Events', 'IngestiontoInvocationStartLatency', 'p99', dimensions)] },
        { what: what('success latency p99'), place, math: false, rule: broker.successLatency, reads: [read('AWS/Events', 'IngestionToInvocationSuccessLatency', 'p99', dimensions)] },
      ];
    });
    const queues = ofType('aws:sqs/queue:Queue').flatMap((queue): Expected[] => {
      const dimensions = { QueueName: physicalName(queue) };
      return [
        {
          what: `queue ${physicalName(queue)} depth`,
          place: placeOf(queue),
          math: false,
          rule: consumer.queueDepth,
          reads: [read('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum', dimensions)],
        },
        {
          what: `queue ${physicalName(queue)} oldest message age`,
          place: placeOf(queue),
          math: false,
          rule: consumer.queueAge,
          reads: [read('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'Maximum', dimensions)],
        },
      ];
    });
    const functions = ofType('aws:lambda/function:Function').flatMap((fn): Expected[] => {
      const dimensions = { FunctionName: physicalName(fn) };
      return [
        { what: `function ${physicalName(fn)} errors`, place: placeOf(fn), math: false, rule: consumer.functionErrors, reads: [read('AWS/Lambda', 'Errors', 'Sum', dimensions)] },
        { what: `function ${physicalName(fn)} throttles`, place: placeOf(fn), math: false, rule: consumer.functionThrottles, reads: [read('AWS/Lambda', 'Throttles', 'Sum', dimensions)] },
      ];
    });
    const sagas = ofType('aws:sfn/stateMachine:StateMachine').flatMap((saga) =>
      ['ExecutionsFailed', 'ExecutionsTimedOut'].map((metric) => ({
        what: `saga ${metric}`,
        place: placeOf(saga),
        math: false,
        rule: consumer.sagaFailures,
        reads: [read('AWS/States', metric, 'Sum', { StateMachineArn: saga.outputs.arn })],
      })),
    );
    return [...producers, ...rules, ...queues, ...functions, ...sagas];
  }

  it('every alarm of the talk’s list exists per region with a threshold and the action topic', () => {
    // Arrange
    const expected = expectedAlarms();

    // Act: each expected alarm's alarms in its place, by what they read.
    const problems = expected.flatMap((wanted) => {
      const matching = alarms.filter((alarm) => placeOf(alarm) === wanted.place && JSON.stringify(readsOf(alarm)) === JSON.stringify(wanted.reads));
      const [alarm, ...others] = matching;
      if (!alarm || others.length > 0) return [`${wanted.what} in ${wanted.place}: ${matching.length} alarms, expected 1`];
      return differences(alarm, wanted, topicOf(wanted.place));
    });

    // Assert: every health is present in every region of the stage, and every alarm is as declared.
    for (const region of REGIONS) {
      const inRegion = expected.filter((wanted) => wanted.place === `${accountId}/${region}`).map((wanted) => wanted.rule);
      expect({ region, healths: Object.values(HEALTH_ALARMS).map((health) => Object.values(health).every((rule) => inRegion.includes(rule))) }).toEqual({ region, healths: [true, true, true] });
    }
    expect(problems).toEqual([]);
  });

  it('the producer failure alarms exist in each region with the right metric, namespace and dimensions', () => {
    // Arrange: the model's producers, and the namespace the stage's functions report in.
    expect(plan.producerServices).toContain('orders');

    for (const region of REGIONS) {
      const namespace = names(region).metricsNamespace;
      for (const service of plan.producerServices) {
        // Act
        const dimensions = { [PRODUCER_METRIC_DIMENSIONS.service]: service };
        const inRegion = alarms.filter((alarm) => alarm.region === region && alarm.accountId === accountId);
        const givenUp = inRegion.filter((alarm) => alarm.inputs.metricName === PRODUCER_METRICS.givenUp && JSON.stringify(alarm.inputs.dimensions) === JSON.stringify(dimensions));
        const failedShare = inRegion.filter((alarm) => queriesOf(alarm).some((q) => q.metric?.metricName === PRODUCER_METRICS.failed && q.metric.dimensions.service === service));

        // Assert
        expect(givenUp.map((alarm) => ({ namespace: alarm.inputs.namespace, statistic: alarm.inputs.statistic, threshold: alarm.inputs.threshold }))).toEqual([
          { namespace, statistic: 'Sum', threshold: producer.givenUp.threshold },
        ]);
        expect(
          failedShare.map((alarm) => ({
            threshold: alarm.inputs.threshold,
            comparison: alarm.inputs.comparisonOperator,
            // A metric math alarm names no metric of its own: its queries do.
            metricName: alarm.inputs.metricName,
            metrics: queriesOf(alarm).flatMap((q) => (q.metric ? [{ namespace: q.metric.namespace, metricName: q.metric.metricName, dimensions: q.metric.dimensions, returnData: q.returnData }] : [])),
            returned: queriesOf(alarm)
              .filter((q) => q.returnData)
              .map((q) => typeof q.expression),
          })),
        ).toEqual([
          {
            threshold: producer.failedShare.threshold,
            comparison: 'GreaterThanThreshold',
            metricName: undefined,
            metrics: [
              { namespace, metricName: PRODUCER_METRICS.failed, dimensions, returnData: false },
              { namespace, metricName: PRODUCER_METRICS.attempted, dimensions, returnData: false },
            ],
            returned: ['string'],
          },
        ]);
      }
    }
  });

  describe('the dashboard', () => {
    interface DashboardWidget {
      readonly type: string;
      readonly y: number;
      readonly properties: { readonly region?: string; readonly markdown?: string; readonly metrics?: unknown[][]; readonly annotations?: { horizontal: Array<{ value: number; label: string }> } };
    }
    const widgets = () => (JSON.parse(String(ofType('aws:cloudwatch/dashboard:Dashboard')[0]?.inputs.dashboardBody)) as { widgets: DashboardWidget[] }).widgets.slice().sort((a, b) => a.y - b.y);
    /** The graphs of a region that draw `metric` (or an expression containing it) as a visible line. */
    const graphsDrawing = (region: string, metric: string) =>
      widgets().filter(
        (w) =>
          w.type === 'metric' &&
          w.properties.region === region &&
          (w.properties.metrics ?? []).some((row) => {
            const options = row[row.length - 1] as { visible?: boolean; expression?: string };
            return row.includes(metric) ? options.visible !== false : typeof options.expression === 'string' && options.expression.includes(metric);
          }),
      );

    it('gives each region one group of rows, headed by the region, with its producer, broker and consumer health in that order', () => {
      const all = widgets();
      const headings = all.filter((w) => w.type === 'text').map((w) => w.properties.markdown);

      expect(headings).toEqual(REGIONS.flatMap((region) => [`# ${region}`, `## Producer (${region})`, `## Broker (${region})`, `## Consumer (${region})`]));
      // Contiguous: once a region's rows end, none of its graphs comes back.
      const order = all.filter((w) => w.type === 'metric').map((w) => w.properties.region);
      expect(order.filter((region, i) => region !== order[i - 1])).toEqual(REGIONS);
    });

    it('draws each alarm’s threshold as a horizontal line on the graph of its metric, in every region', () => {
      const alarmed: Array<[string, AlarmRule]> = [
        [PRODUCER_METRICS.givenUp, producer.givenUp],
        ['failed0', producer.failedShare],
        ['successes0', broker.successRate],
        ['IngestiontoInvocationStartLatency', broker.startLatency],
        ['IngestionToInvocationSuccessLatency', broker.successLatency],
        ...RULE_ALARM_METRICS.map((metric): [string, AlarmRule] => [metric, broker.delivery]),
        ['ApproximateNumberOfMessagesVisible', consumer.queueDepth],
        ['ApproximateAgeOfOldestMessage', consumer.queueAge],
        ['Errors', consumer.functionErrors],
        ['Throttles', consumer.functionThrottles],
        ['ExecutionsFailed', consumer.sagaFailures],
        ['ExecutionsTimedOut', consumer.sagaFailures],
      ];

      const lines = REGIONS.flatMap((region) =>
        alarmed.map(([metric, rule]) => ({
          region,
          metric,
          lines: graphsDrawing(region, metric).map((w) => (w.properties.annotations?.horizontal ?? []).map((line) => line.value)),
          expected: [[rule.threshold]],
        })),
      );

      expect(lines.filter((found) => JSON.stringify(found.lines) !== JSON.stringify(found.expected))).toEqual([]);
    });

    it('shows RetryInvocationAttempts and IngestionToInvocationSuccessLatency for every rule of the region', () => {
      for (const region of REGIONS) {
        const rules = ofType('aws:cloudwatch/eventRule:EventRule')
          .filter((rule) => rule.region === region && rule.accountId === accountId)
          .map(physicalName);
        for (const metric of ['RetryInvocationAttempts', 'IngestionToInvocationSuccessLatency']) {
          const drawn = graphsDrawing(region, metric).flatMap((w) => (w.properties.metrics ?? []).filter((row) => row.includes(metric)).map((row) => row[row.indexOf('RuleName') + 1]));
          expect({ region, metric, rules: [...drawn].sort() }).toEqual({ region, metric, rules: [...rules].sort() });
        }
      }
    });
  });
});
