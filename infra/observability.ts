// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as sns from '@pulumi/aws/sns';
import * as pulumi from '@pulumi/pulumi';

export interface ObservabilityArgs {
  readonly prefix: string;
  /** Region the dashboard's widgets read from. */
  readonly region: string;
  readonly eventBusName: pulumi.Input<string>;
  /** Rule names to watch (FailedInvocations, InvocationsSentToDlq, InvocationsFailedToBeSentToDlq, ThrottledRules). */
  readonly ruleNames: ReadonlyArray<pulumi.Input<string>>;
  /** Queue names whose depth must stay zero (rule DLQs, async failure queues). */
  readonly queueNames: ReadonlyArray<pulumi.Input<string>>;
  readonly functionNames: ReadonlyArray<pulumi.Input<string>>;
  readonly stateMachineArn?: pulumi.Input<string>;
  /** Subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
}

/** Every rule metric the alarms watch; EventBridge only emits them when non-zero, so missing data is not breaching. */
export const RULE_ALARM_METRICS = ['FailedInvocations', 'InvocationsSentToDlq', 'InvocationsFailedToBeSentToDlq', 'ThrottledRules'] as const;

/**
 * Alarms on everything that means an event was not handled, each notifying one SNS topic, and a dashboard of
 * the bus's delivery: matched events, invocation attempts and their success rate, ingestion-to-invocation
 * latencies, DLQ depths.
 */
export class Observability extends pulumi.ComponentResource {
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[] = [];

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:Observability', name, {}, opts);
    const parent = { parent: this };
    const topic = new sns.Topic(`${name}-alarms`, { name: `${args.prefix}-alarms`, kmsMasterKeyId: 'alias/aws/sns' }, parent);
    this.alarmTopicArn = topic.arn;
    if (args.alarmEmail) new sns.TopicSubscription(`${name}-alarm-email`, { topic: topic.arn, protocol: 'email', endpoint: args.alarmEmail }, parent);

    const alarm = (id: string, props: Omit<cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | 'comparisonOperator' | 'threshold' | 'evaluationPeriods' | 'period'> & { threshold?: number }) => {
      const created = new cloudwatch.MetricAlarm(
        `${name}-${id}`,
        { comparisonOperator: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, period: 60, treatMissingData: 'notBreaching', alarmActions: [topic.arn], okActions: [topic.arn], ...props },
        parent,
      );
      this.alarmNames.push(created.name);
    };

    args.ruleNames.forEach((ruleName, index) => {
      for (const metric of RULE_ALARM_METRICS) {
        alarm(`rule-${index}-${metric}`, {
          name: pulumi.interpolate`${ruleName}-${metric}`,
          namespace: 'AWS/Events',
          metricName: metric,
          statistic: 'Sum',
          dimensions: { RuleName: ruleName, EventBusName: args.eventBusName },
          alarmDescription: pulumi.interpolate`${metric} > 0 for rule ${ruleName}`,
        });
      }
    });
    args.queueNames.forEach((queueName, index) =>
      alarm(`queue-${index}-depth`, {
        name: pulumi.interpolate`${queueName}-not-empty`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        statistic: 'Maximum',
        dimensions: { QueueName: queueName },
        alarmDescription: pulumi.interpolate`Messages wait in ${queueName}: inspect and redrive`,
      }),
    );
    args.functionNames.forEach((functionName, index) =>
      alarm(`function-${index}-errors`, { name: pulumi.interpolate`${functionName}-errors`, namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', dimensions: { FunctionName: functionName } }),
    );
    if (args.stateMachineArn) {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        alarm(`saga-${metric}`, { name: `${args.prefix}-saga-${metric}`, namespace: 'AWS/States', metricName: metric, statistic: 'Sum', dimensions: { StateMachineArn: args.stateMachineArn } });
      }
    }

    const dashboard = new cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${args.prefix}-events`,
        dashboardBody: pulumi.all([pulumi.output(args.eventBusName), pulumi.all(args.queueNames.map((q) => pulumi.output(q)))]).apply(([bus, queues]) => JSON.stringify(dashboardBody(bus, queues, args.region))),
      },
      parent,
    );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ alarmTopicArn: this.alarmTopicArn, dashboardName: this.dashboardName });
  }
}

function dashboardBody(bus: string, queues: readonly string[], region: string): object {
  const events = (metric: string, stat = 'Sum', id?: string) => ['AWS/Events', metric, 'EventBusName', bus, { stat, ...(id ? { id } : {}) }];
  const widget = (title: string, metrics: unknown[], x: number, y: number) => ({ type: 'metric', x, y, width: 12, height: 6, properties: { title, region, metrics, period: 60, view: 'timeSeries' } });
  return {
    widgets: [
      widget('Matched events', [events('MatchedEvents')], 0, 0),
      widget('Invocation attempts and success rate', [events('InvocationAttempts', 'Sum', 'attempts'), events('SuccessfulInvocationAttempts', 'Sum', 'successes'), [{ expression: '100 * successes / attempts', label: 'Success rate (%)', id: 'rate' }]], 12, 0),
      widget('Ingestion to invocation latency (ms)', [events('IngestionToInvocationStartLatency', 'p99'), events('IngestionToInvocationCompleteLatency', 'p99')], 0, 6),
      widget('Dead-letter queue depth', queues.map((queue) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue, { stat: 'Maximum' }]), 12, 6),
    ],
  };
}
