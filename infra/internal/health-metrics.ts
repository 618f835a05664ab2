import { PRODUCER_METRICS, PRODUCER_METRIC_DIMENSIONS } from '../../model/metrics';
import type { AlarmRule, HealthAlarms } from '../health-alarms';

/**
 * The AWS/Events metrics of a rule on a custom bus, as EventBridge publishes them, with the dimensions `EventBusName`
 * and `RuleName`. CloudWatch metric names are case-sensitive, and AWS spells two of them with a lower-case "to"
 * (`IngestiontoInvocationStartLatency`, `IngestiontoInvocationCompleteLatency`) beside the newer
 * `IngestionToInvocationSuccessLatency`: the metrics table of the monitoring page and CloudWatch's generated list of
 * the AWS/Events metrics it publishes per rule both spell them so. A name spelt otherwise reads no data, and an alarm
 * on it never fires.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/SupportedMetricsForResourceTagsForTelemetry.html
 */
export const RULE_METRICS = {
  matched: 'MatchedEvents',
  attempts: 'InvocationAttempts',
  successes: 'SuccessfulInvocationAttempts',
  /** Emitted only when not zero. */
  retries: 'RetryInvocationAttempts',
  /** Ingestion to the first invocation attempt: how long EventBridge held the event (throttling, a rate limit). */
  startLatency: 'IngestiontoInvocationStartLatency',
  /** Ingestion to the successful delivery, retries and the target's answer included; emitted once delivered. */
  successLatency: 'IngestionToInvocationSuccessLatency',
} as const;

/**
 * Attempts that delivered, in percent. FILL reads a missing SuccessfulInvocationAttempts as zero, so a rule whose
 * every attempt fails reads 0 % rather than no data; a period without attempts reads 100 %, so quiet hours never breach.
 */
export function successRateExpression(attempts: string, successes: string): string {
  return `IF(FILL(${attempts}, 0) > 0, 100 * FILL(${successes}, 0) / FILL(${attempts}, 0), 100)`;
}

/** Entries PutEvents failed, in percent of those attempted; a period without attempts reads 0 %. */
export function failedShareExpression(failed: string, attempted: string): string {
  return `IF(FILL(${attempted}, 0) > 0, 100 * FILL(${failed}, 0) / FILL(${attempted}, 0), 0)`;
}

/** One region's part of the dashboard, every name resolved. */
export interface DashboardPanel {
  readonly region: string;
  readonly bus: string;
  readonly rules: readonly string[];
  readonly queues: readonly string[];
  readonly functions: readonly string[];
  readonly stateMachineArn?: string;
  /** Producer services, read in {@link HealthDashboardArgs.metricsNamespace}. */
  readonly services: readonly string[];
}

export interface HealthDashboardArgs {
  /** The stage's prefix, dropped from the names the graphs label their lines with. */
  readonly prefix: string;
  readonly metricsNamespace?: string;
  readonly alarms: HealthAlarms;
  readonly panels: readonly DashboardPanel[];
}

type MetricOptions = Readonly<Record<string, string | number | boolean>>;
type MetricRow = ReadonlyArray<string | MetricOptions>;

interface Graph {
  readonly title: string;
  readonly metrics: readonly MetricRow[];
  readonly period: number;
  /** The alarm this graph shows, drawn as a horizontal line at its threshold. */
  readonly alarm?: { readonly label: string; readonly rule: AlarmRule };
}

interface Widget {
  readonly type: 'text' | 'metric';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The dashboard grid is 24 units wide: three graphs a row. */
const GRID = { width: 24, columns: 3, graphHeight: 6, headingHeight: 1 } as const;

/**
 * The dashboard body: for each region, its three healths (producer, broker, consumer) in that order, each a heading
 * and its graphs, and every graph that has an alarm showing the alarm's threshold as a horizontal line. A health
 * with nothing to draw in a region (no producers there) is left out, as CloudWatch refuses a graph without metrics.
 */
export function healthDashboard(args: HealthDashboardArgs): { readonly widgets: readonly Widget[] } {
  const widgets: Widget[] = [];
  let y = 0;
  const heading = (markdown: string) => {
    widgets.push({ type: 'text', x: 0, y, width: GRID.width, height: GRID.headingHeight, properties: { markdown } });
    y += GRID.headingHeight;
  };
  for (const panel of args.panels) {
    heading(`# ${panel.region}`);
    for (const [health, graphs] of healthGraphs(args, panel)) {
      const drawn = graphs.filter((graph) => graph.metrics.length > 0);
      if (drawn.length === 0) continue;
      heading(`## ${health} (${panel.region})`);
      const width = GRID.width / GRID.columns;
      drawn.forEach((graph, index) => {
        const x = (index % GRID.columns) * width;
        widgets.push({ type: 'metric', x, y: y + Math.floor(index / GRID.columns) * GRID.graphHeight, width, height: GRID.graphHeight, properties: graphProperties(graph, panel.region) });
      });
      y += Math.ceil(drawn.length / GRID.columns) * GRID.graphHeight;
    }
  }
  return { widgets };
}

function graphProperties(graph: Graph, region: string): Record<string, unknown> {
  return {
    title: `${graph.title} (${region})`,
    region,
    view: 'timeSeries',
    period: graph.period,
    metrics: graph.metrics,
    ...(graph.alarm ? { annotations: { horizontal: [{ label: graph.alarm.label, value: graph.alarm.rule.threshold }] } } : {}),
  };
}

/** `alarm: > 0`, `alarm: < 99 %`: the line's label says which side of it alarms. */
function alarmLine(rule: AlarmRule, unit = ''): { readonly label: string; readonly rule: AlarmRule } {
  return { label: `alarm: ${rule.comparison === 'LessThanThreshold' ? '<' : '>'} ${rule.threshold}${unit}`, rule };
}

function healthGraphs({ prefix, metricsNamespace, alarms }: HealthDashboardArgs, panel: DashboardPanel): Array<readonly [string, readonly Graph[]]> {
  const short = (name: string) => (name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name);
  // Producer metrics live in the stage's namespace: without one there is nothing of theirs to draw.
  const producers = metricsNamespace ? panel.services.map((service) => ({ service, namespace: metricsNamespace })) : [];
  const producer = ({ namespace, service }: (typeof producers)[number], metric: string, options: MetricOptions): MetricRow => [
    namespace,
    metric,
    PRODUCER_METRIC_DIMENSIONS.service,
    service,
    { stat: 'Sum', ...options },
  ];
  const saga = panel.stateMachineArn;
  const rule = (metric: string, name: string, options: MetricOptions): MetricRow => ['AWS/Events', metric, 'EventBusName', panel.bus, 'RuleName', name, options];
  const perRule = (metric: string, stat: string, suffix = '') => panel.rules.map((name) => rule(metric, name, { stat, label: `${short(name)}${suffix}` }));
  const { producer: p, broker: b, consumer: c } = alarms;
  return [
    [
      'Producer',
      [
        {
          title: 'PutEvents entries given up',
          period: p.givenUp.periodSeconds,
          alarm: alarmLine(p.givenUp),
          metrics: producers.map((p) => producer(p, PRODUCER_METRICS.givenUp, { label: p.service })),
        },
        {
          title: 'PutEvents entries failed (% of attempted)',
          period: p.failedShare.periodSeconds,
          alarm: alarmLine(p.failedShare, ' %'),
          metrics: producers.flatMap((p, i) => [
            producer(p, PRODUCER_METRICS.failed, { id: `failed${i}`, visible: false }),
            producer(p, PRODUCER_METRICS.attempted, { id: `attempted${i}`, visible: false }),
            [{ expression: failedShareExpression(`failed${i}`, `attempted${i}`), label: p.service, id: `share${i}` }],
          ]),
        },
        {
          title: 'PutEvents entries attempted and calls retried',
          period: p.failedShare.periodSeconds,
          metrics: producers.flatMap((p) => [producer(p, PRODUCER_METRICS.attempted, { label: `${p.service} attempted` }), producer(p, PRODUCER_METRICS.retries, { label: `${p.service} retries` })]),
        },
      ],
    ],
    [
      'Broker',
      [
        { title: 'Matched events', period: 60, metrics: [['AWS/Events', RULE_METRICS.matched, 'EventBusName', panel.bus, { stat: 'Sum' }]] },
        {
          title: 'Invocation success rate (%)',
          period: b.successRate.periodSeconds,
          alarm: alarmLine(b.successRate, ' %'),
          metrics: panel.rules.flatMap((name, i) => [
            rule(RULE_METRICS.attempts, name, { stat: 'Sum', id: `attempts${i}`, visible: false }),
            rule(RULE_METRICS.successes, name, { stat: 'Sum', id: `successes${i}`, visible: false }),
            [{ expression: successRateExpression(`attempts${i}`, `successes${i}`), label: short(name), id: `rate${i}` }],
          ]),
        },
        {
          title: 'Invocation attempts and retries',
          period: b.successRate.periodSeconds,
          metrics: [...perRule(RULE_METRICS.attempts, 'Sum', ' attempts'), ...perRule(RULE_METRICS.retries, 'Sum', ' retries')],
        },
        {
          title: 'Ingestion to first invocation, p99 (ms)',
          period: b.startLatency.periodSeconds,
          alarm: alarmLine(b.startLatency, ' ms'),
          metrics: perRule(RULE_METRICS.startLatency, 'p99'),
        },
        {
          title: 'Ingestion to successful delivery, p99 (ms)',
          period: b.successLatency.periodSeconds,
          alarm: alarmLine(b.successLatency, ' ms'),
          metrics: perRule(RULE_METRICS.successLatency, 'p99'),
        },
        { title: 'Throttled rules', period: b.delivery.periodSeconds, alarm: alarmLine(b.delivery), metrics: perRule('ThrottledRules', 'Sum') },
        {
          title: 'Failed and dead-lettered invocations',
          period: b.delivery.periodSeconds,
          alarm: alarmLine(b.delivery),
          metrics: ['FailedInvocations', 'InvocationsSentToDlq', 'InvocationsFailedToBeSentToDlq'].flatMap((metric) => perRule(metric, 'Sum', ` ${metric}`)),
        },
      ],
    ],
    [
      'Consumer',
      [
        {
          title: 'Dead-letter and failure queue depth',
          period: c.queueDepth.periodSeconds,
          alarm: alarmLine(c.queueDepth),
          metrics: panel.queues.map((queue) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue, { stat: 'Maximum', label: short(queue) }]),
        },
        {
          title: 'Oldest message age (s)',
          period: c.queueAge.periodSeconds,
          alarm: alarmLine(c.queueAge, ' s'),
          metrics: panel.queues.map((queue) => ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queue, { stat: 'Maximum', label: short(queue) }]),
        },
        {
          title: 'Function errors',
          period: c.functionErrors.periodSeconds,
          alarm: alarmLine(c.functionErrors),
          metrics: panel.functions.map((fn) => ['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum', label: short(fn) }]),
        },
        {
          title: 'Function throttles',
          period: c.functionThrottles.periodSeconds,
          alarm: alarmLine(c.functionThrottles),
          metrics: panel.functions.map((fn) => ['AWS/Lambda', 'Throttles', 'FunctionName', fn, { stat: 'Sum', label: short(fn) }]),
        },
        {
          title: 'Saga executions failed and timed out',
          period: c.sagaFailures.periodSeconds,
          alarm: alarmLine(c.sagaFailures),
          metrics: saga ? ['ExecutionsFailed', 'ExecutionsTimedOut'].map((metric) => ['AWS/States', metric, 'StateMachineArn', saga, { stat: 'Sum', label: metric }]) : [],
        },
      ],
    ],
  ];
}
