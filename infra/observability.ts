// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as kms from '@pulumi/aws/kms';
import * as sns from '@pulumi/aws/sns';
import * as pulumi from '@pulumi/pulumi';
import { ProblemList } from './errors';
import { REGION_PATTERN } from '../model/limits';

/** What one region holds that must be watched, by the names CloudWatch's metric dimensions use. */
/**
 * Names to watch, keyed by a stable id of what they name (a subscription id, an action id, `central-log`): each
 * alarm's logical name comes from the id, never from a position, so adding or reordering resources replaces no
 * alarm.
 */
export type WatchedNames = Readonly<Record<string, pulumi.Input<string>>>;

export interface WatchedResources {
  /** The region's bus, which the rules below belong to (the `EventBusName` dimension of rule metrics). */
  readonly eventBusName: pulumi.Input<string>;
  /** Rule names to watch (FailedInvocations, InvocationsSentToDlq, InvocationsFailedToBeSentToDlq, ThrottledRules). */
  readonly ruleNames: WatchedNames;
  /** Queue names whose depth must stay zero (rule DLQs, async failure queues). */
  readonly queueNames: WatchedNames;
  /** Function names whose Errors must stay zero. */
  readonly functionNames: WatchedNames;
  /** The region's saga, alarmed on ExecutionsFailed and ExecutionsTimedOut. @default - no saga alarms */
  readonly stateMachineArn?: pulumi.Input<string>;
}

/** A region other than the component's own, with the provider its resources were made with. */
export interface WatchedRegion extends WatchedResources {
  /** The region, as `aws:region` spells it; it is part of every alarm name of the region. */
  readonly region: string;
  /**
   * A provider for that region, in the account of {@link ObservabilityArgs.accountId}. An alarm reads metrics of
   * its own region only and notifies a topic of its own region only, so the region's alarms, alarm topic and key
   * are made with this provider.
   */
  readonly provider: pulumi.ProviderResource;
}

export interface ObservabilityArgs extends WatchedResources {
  readonly prefix: string;
  /**
   * The region of the component's own provider, where the resources above live. It is part of their alarm names
   * (`<prefix>-<region>-…`), and the dashboard's first widgets read from it.
   */
  readonly region: string;
  /** Further regions to watch, each with its own alarms and alarm topic, all on the one dashboard. @default - none */
  readonly otherRegions?: ReadonlyArray<WatchedRegion>;
  /** Subscribed to every region's alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /**
   * The account the alarms live in. With it, each alarm topic is encrypted with a customer-managed KMS key whose
   * policy lets CloudWatch alarms publish. @default - the AWS-managed key `alias/aws/sns`, to which CloudWatch
   * alarms cannot publish (its key policy cannot grant them kms:GenerateDataKey): set it wherever alarms must arrive
   * @see https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
   */
  readonly accountId?: string;
}

/** Checks Observability arguments (the regions: the rest are names a deployment makes); throws one error listing every problem. */
export function validateObservabilityArgs(name: string, args: Pick<ObservabilityArgs, 'region'> & { readonly otherRegions?: ReadonlyArray<Pick<WatchedRegion, 'region'>> }): void {
  const problems = new ProblemList(`Observability "${name}"`);
  const seen = new Set<string>();
  [args.region, ...(args.otherRegions ?? []).map((other) => other.region)].forEach((region, index) => {
    const property = index === 0 ? 'region' : `otherRegions[${index - 1}].region`;
    if (!REGION_PATTERN.test(region)) problems.add(property, `must be an AWS region such as eu-west-1, got ${JSON.stringify(region)}`);
    else if (seen.has(region)) problems.add(property, `must differ from 'region' and every other region, got ${JSON.stringify(region)}`);
    seen.add(region);
  });
  problems.throwIfAny();
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
 * Alarms on everything that means an event was not handled, in the region of what they watch, each region's
 * alarms notifying an SNS topic of that region; and one dashboard of the bus's delivery in every region: matched
 * events, invocation attempts and their success rate, ingestion-to-invocation latencies, DLQ depths. Alarm names
 * start `<prefix>-<region>-`, then the resource and what went wrong (`…-orders-CreateOrder-errors`).
 *
 * @example
 * ```ts
 * new Observability('observability', {
 *   prefix: 'eventflow-dev', region: 'eu-west-1', eventBusName: bus.eventBusName,
 *   ruleNames: primary.ruleNames, queueNames: primary.queueNames, functionNames: primary.functionNames,
 *   otherRegions: [{ region: 'eu-central-1', provider: secondaryProvider, eventBusName: replica.eventBusName, ruleNames: [], queueNames: [], functionNames: [] }],
 *   accountId: '111111111111',
 * });
 * ```
 */
export class Observability extends pulumi.ComponentResource {
  /** The alarm topic of the component's own region. */
  readonly alarmTopicArn: pulumi.Output<string>;
  /** Every region's alarm topic, by region. */
  readonly alarmTopicArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly dashboardName: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[] = [];

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:Observability', name, {}, opts);
    validateObservabilityArgs(name, args);
    const others = args.otherRegions ?? [];
    this.alarmTopicArn = this.watchRegion(name, args, args);
    const topics: Record<string, pulumi.Output<string>> = { [args.region]: this.alarmTopicArn };
    for (const other of others) topics[other.region] = this.watchRegion(name, args, other);
    this.alarmTopicArns = topics;

    // CloudWatch dashboards belong to the account, not to a region: one dashboard, a row of widgets per region.
    const panels = [args, ...others].map((watched) =>
      pulumi
        .all([pulumi.output(watched.eventBusName), pulumi.all(Object.values(watched.queueNames).map((queue) => pulumi.output(queue)))])
        .apply(([bus, queues]) => ({ region: watched.region, bus, queues })),
    );
    const dashboard = new cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: `${args.prefix}-events`, dashboardBody: pulumi.all(panels).apply((resolved) => JSON.stringify(dashboardBody(resolved))) },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ alarmTopicArn: this.alarmTopicArn, alarmTopicArns: this.alarmTopicArns, dashboardName: this.dashboardName });
  }

  /** One region's alarm topic (and its key) and alarms, made with the region's provider; returns the topic's ARN. */
  private watchRegion(name: string, args: ObservabilityArgs, watched: WatchedResources & { readonly region: string; readonly provider?: pulumi.ProviderResource }): pulumi.Output<string> {
    const { prefix } = args;
    const region = watched.region;
    const inRegion: pulumi.CustomResourceOptions = watched.provider ? { parent: this, provider: watched.provider } : { parent: this };
    // The component's own region keeps the child names it had before other regions were watched, so adding a region does
    // not replace its topic, key or confirmed e-mail subscription.
    const id = (role: string) => (region === args.region ? `${name}-${role}` : `${name}-${region}-${role}`);
    // CloudWatch alarms cannot publish to a topic under the AWS-managed key alias/aws/sns, so a customer key is made.
    const key = args.accountId
      ? new kms.Key(id('alarms-key'), { description: `Encrypts the ${prefix}-alarms topic`, enableKeyRotation: true, deletionWindowInDays: 30, policy: alarmTopicKeyPolicy(args.accountId) }, inRegion)
      : undefined;
    // Topic names are unique per region, so every region's topic has the same name.
    const topic = new sns.Topic(id('alarms'), { name: `${prefix}-alarms`, kmsMasterKeyId: key ? key.arn : 'alias/aws/sns' }, inRegion);
    if (args.alarmEmail) new sns.TopicSubscription(id('alarm-email'), { topic: topic.arn, protocol: 'email', endpoint: args.alarmEmail }, inRegion);

    const alarm = (
      alarmId: string,
      props: Omit<cloudwatch.MetricAlarmArgs, 'alarmActions' | 'okActions' | 'comparisonOperator' | 'threshold' | 'evaluationPeriods' | 'period'> & { threshold?: number },
    ) => {
      const created = new cloudwatch.MetricAlarm(
        id(alarmId),
        { comparisonOperator: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, period: 60, treatMissingData: 'notBreaching', alarmActions: [topic.arn], okActions: [topic.arn], ...props },
        inRegion,
      );
      this.alarmNames.push(created.name);
    };
    const named = (resourceName: pulumi.Input<string>, suffix: string) => alarmName(prefix, region, resourceName, suffix);

    for (const [key, ruleName] of Object.entries(watched.ruleNames)) {
      for (const metric of RULE_ALARM_METRICS) {
        alarm(`rule-${key}-${metric}`, {
          name: named(ruleName, metric),
          namespace: 'AWS/Events',
          metricName: metric,
          statistic: 'Sum',
          dimensions: { RuleName: ruleName, EventBusName: watched.eventBusName },
          alarmDescription: pulumi.interpolate`${metric} > 0 for rule ${ruleName} in ${region}`,
        });
      }
    }
    for (const [key, queueName] of Object.entries(watched.queueNames)) {
      alarm(`queue-${key}-depth`, {
        name: named(queueName, 'not-empty'),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        statistic: 'Maximum',
        dimensions: { QueueName: queueName },
        alarmDescription: pulumi.interpolate`Messages wait in ${queueName} in ${region}: inspect and redrive`,
      });
    }
    for (const [key, functionName] of Object.entries(watched.functionNames)) {
      alarm(`function-${key}-errors`, { name: named(functionName, 'errors'), namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', dimensions: { FunctionName: functionName } });
    }
    if (watched.stateMachineArn) {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        alarm(`saga-${metric}`, {
          name: `${prefix}-${region}-saga-${metric}`,
          namespace: 'AWS/States',
          metricName: metric,
          statistic: 'Sum',
          dimensions: { StateMachineArn: watched.stateMachineArn },
        });
      }
    }
    return topic.arn;
  }
}

/**
 * `<prefix>-<region>-<resource>-<suffix>`. The resource's own name drops the stage prefix it already carries, so
 * the alarms of one resource read alike in every region and the region stands where an operator looks first.
 */
function alarmName(prefix: string, region: string, resourceName: pulumi.Input<string>, suffix: string): pulumi.Output<string> {
  return pulumi.output(resourceName).apply((resource) => `${prefix}-${region}-${resource.startsWith(`${prefix}-`) ? resource.slice(prefix.length + 1) : resource}-${suffix}`);
}

interface DashboardPanel {
  readonly region: string;
  readonly bus: string;
  readonly queues: readonly string[];
}

function dashboardBody(panels: readonly DashboardPanel[]): object {
  return {
    widgets: panels.flatMap(({ region, bus, queues }, row) => {
      const events = (metric: string, stat = 'Sum', id?: string) => ['AWS/Events', metric, 'EventBusName', bus, { stat, ...(id ? { id } : {}) }];
      const widget = (title: string, metrics: unknown[], x: number, y: number) => ({
        type: 'metric',
        x,
        y: y + row * 12,
        width: 12,
        height: 6,
        properties: { title: `${title} (${region})`, region, metrics, period: 60, view: 'timeSeries' },
      });
      return [
        widget('Matched events', [events('MatchedEvents')], 0, 0),
        widget(
          'Invocation attempts and success rate',
          [
            events('InvocationAttempts', 'Sum', 'attempts'),
            events('SuccessfulInvocationAttempts', 'Sum', 'successes'),
            [{ expression: '100 * successes / attempts', label: 'Success rate (%)', id: 'rate' }],
          ],
          12,
          0,
        ),
        widget('Ingestion to invocation latency (ms)', [events('IngestionToInvocationStartLatency', 'p99'), events('IngestionToInvocationCompleteLatency', 'p99')], 0, 6),
        widget(
          'Dead-letter queue depth',
          queues.map((queue) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue, { stat: 'Maximum' }]),
          12,
          6,
        ),
      ];
    }),
  };
}
