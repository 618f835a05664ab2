// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as kms from '@pulumi/aws/kms';
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
  /**
   * The account the alarms live in. With it, the alarm topic is encrypted with a customer-managed KMS key whose
   * policy lets CloudWatch alarms publish. @default - the AWS-managed key `alias/aws/sns`, to which CloudWatch
   * alarms cannot publish (its key policy cannot grant them kms:GenerateDataKey): set it wherever alarms must arrive
   * @see https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
   */
  readonly accountId?: string;
}

/**
 * What the account may do with the alarm topic's key, action by action rather than `kms:*`: administer it (IAM
 * policies in the account decide who), and encrypt and decrypt through SNS.
 */
const ALARM_KEY_ACCOUNT_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GenerateDataKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** What CloudWatch alarms need to publish to a topic encrypted with the key. */
const ALARM_KEY_CLOUDWATCH_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/**
 * The alarm topic key's policy. In a key policy `Resource: "*"` means "this key": a key policy can name no other.
 * The account statement keeps the key manageable (KMS refuses a policy that would lock its caller out).
 */
function alarmTopicKeyPolicy(accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersAndUsesThroughIam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: ALARM_KEY_ACCOUNT_ACTIONS, Resource: '*' },
      { Sid: 'CloudWatchAlarmsPublish', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ALARM_KEY_CLOUDWATCH_ACTIONS, Resource: '*' },
    ],
  });
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
    // CloudWatch alarms cannot publish to a topic under the AWS-managed key alias/aws/sns, so a customer key is made.
    const key = args.accountId
      ? new kms.Key(`${name}-alarms-key`, { description: `Encrypts the ${args.prefix}-alarms topic`, enableKeyRotation: true, deletionWindowInDays: 30, policy: alarmTopicKeyPolicy(args.accountId) }, parent)
      : undefined;
    const topic = new sns.Topic(`${name}-alarms`, { name: `${args.prefix}-alarms`, kmsMasterKeyId: key ? key.arn : 'alias/aws/sns' }, parent);
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
