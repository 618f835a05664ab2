// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as kms from '@pulumi/aws/kms';
import * as sns from '@pulumi/aws/sns';
import * as pulumi from '@pulumi/pulumi';
import { ProblemList } from './errors';
import { type AlarmRule, HEALTH_ALARMS, RULE_ALARM_METRICS } from './health-alarms';
import { type DashboardPanel, RULE_METRICS, failedShareExpression, healthDashboard, successRateExpression } from './internal/health-metrics';
import { REGION_PATTERN } from '../model/limits';
import { PRODUCER_METRICS, PRODUCER_METRIC_DIMENSIONS } from '../model/metrics';

// Re-exported: the package's index exports the rule metrics from here.
export { HEALTH_ALARMS, RULE_ALARM_METRICS };
export type { AlarmRule, HealthAlarms } from './health-alarms';

/**
 * Names to watch, keyed by a stable id of what they name (a subscription id, an action id, `central-log`): each
 * alarm's logical name comes from the id, never from a position, so adding or reordering resources replaces no
 * alarm.
 */
export type WatchedNames = Readonly<Record<string, pulumi.Input<string>>>;

/** What one region holds that must be watched, by the names CloudWatch's metric dimensions use. */
export interface WatchedResources {
  /** The region's bus, which the rules below belong to (the `EventBusName` dimension of rule metrics). */
  readonly eventBusName: pulumi.Input<string>;
  /** Rule names to watch: delivery failures and throttling ({@link RULE_ALARM_METRICS}), success rate, latencies. */
  readonly ruleNames: WatchedNames;
  /** Queue names that must stay empty (rule DLQs, async failure queues): depth and age of the oldest message. */
  readonly queueNames: WatchedNames;
  /** Function names whose Errors and Throttles must stay zero. */
  readonly functionNames: WatchedNames;
  /** The region's saga, alarmed on ExecutionsFailed and ExecutionsTimedOut. @default - no saga alarms */
  readonly stateMachineArn?: pulumi.Input<string>;
  /**
   * Services whose functions in this region publish (the Powertools `service` dimension of the producer metrics in
   * {@link ObservabilityArgs.metricsNamespace}), each alarmed on entries given up and on its failed share. Plain
   * strings: each names an alarm. @default - no producer alarms
   */
  readonly producerServices?: readonly string[];
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
  /**
   * The CloudWatch namespace the producers report their PutEvents metrics in (the stage's, the same in every region).
   * Required when any region has `producerServices`. @default - none
   */
  readonly metricsNamespace?: string;
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

type RegionsToValidate = Pick<ObservabilityArgs, 'region' | 'metricsNamespace' | 'producerServices'> & {
  readonly otherRegions?: ReadonlyArray<Pick<WatchedRegion, 'region' | 'producerServices'>>;
};

/**
 * Checks Observability arguments (the regions and the producers: the rest are names a deployment makes); throws one
 * error listing every problem.
 */
export function validateObservabilityArgs(name: string, args: RegionsToValidate): void {
  const problems = new ProblemList(`Observability "${name}"`);
  const seen = new Set<string>();
  const regions = [args, ...(args.otherRegions ?? [])];
  regions.forEach((watched, index) => {
    const at = index === 0 ? '' : `otherRegions[${index - 1}].`;
    if (!REGION_PATTERN.test(watched.region)) problems.add(`${at}region`, `must be an AWS region such as eu-west-1, got ${JSON.stringify(watched.region)}`);
    else if (seen.has(watched.region)) problems.add(`${at}region`, `must differ from 'region' and every other region, got ${JSON.stringify(watched.region)}`);
    seen.add(watched.region);
    // Each service names two alarms of the region: twice would be the same alarm twice.
    const services = watched.producerServices ?? [];
    const repeated = services.filter((service, i) => services.indexOf(service) !== i);
    if (repeated.length > 0) problems.add(`${at}producerServices`, `must name each service once, got ${JSON.stringify(repeated[0])} twice`);
  });
  if (!args.metricsNamespace && regions.some((watched) => (watched.producerServices ?? []).length > 0)) {
    problems.add('metricsNamespace', `must be set when a region has 'producerServices', got ${JSON.stringify(args.metricsNamespace)}`);
  }
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

/** What an alarm reads and says: a metric with its statistic, or metric math, with its name and description. */
type AlarmSource = Pick<
  cloudwatch.MetricAlarmArgs,
  'name' | 'alarmDescription' | 'namespace' | 'metricName' | 'statistic' | 'extendedStatistic' | 'dimensions' | 'metricQueries' | 'evaluateLowSampleCountPercentiles'
>;

/** A metric math query over `metrics` (each a Sum), returning only the expression, the alarm's value. */
function metricMath(
  rule: AlarmRule,
  expression: string,
  label: string,
  metrics: Record<string, { namespace: pulumi.Input<string>; metricName: string; dimensions: Record<string, pulumi.Input<string>> }>,
) {
  return [
    ...Object.entries(metrics).map(([id, metric]) => ({ id, returnData: false, metric: { ...metric, stat: 'Sum', period: rule.periodSeconds } })),
    { id: 'result', expression, label, returnData: true },
  ];
}

/**
 * Alarms on the three healths of an event-driven system ({@link HEALTH_ALARMS}), in every watched region, each
 * region's alarms notifying an SNS topic of that region: the producer (PutEvents entries given up, failed share),
 * the broker (per rule: failed and dead-lettered invocations, throttling, success rate, ingestion-to-invocation
 * latencies) and the consumer (DLQ depth and age, function errors and throttles, saga failures). One dashboard draws
 * every region's three healths, each graph with an alarm showing its threshold. Alarm names start
 * `<prefix>-<region>-`, then the resource and what went wrong (`…-orders-CreateOrder-errors`).
 *
 * @example
 * ```ts
 * new Observability('observability', {
 *   prefix: 'eventflow-dev', region: 'eu-west-1', eventBusName: bus.eventBusName, metricsNamespace: names.metricsNamespace,
 *   ruleNames: primary.ruleNames, queueNames: primary.queueNames, functionNames: primary.functionNames, producerServices: plan.producerServices,
 *   otherRegions: [{ region: 'eu-central-1', provider: secondaryProvider, eventBusName: replica.eventBusName, ruleNames: {}, queueNames: {}, functionNames: {} }],
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

    // CloudWatch dashboards belong to the account, not to a region: one dashboard, a group of rows per region.
    const names = (watched: WatchedNames) => pulumi.all(Object.values(watched).map((value) => pulumi.output(value)));
    const panels = [args, ...others].map((watched) =>
      pulumi.all([pulumi.output(watched.eventBusName), names(watched.ruleNames), names(watched.queueNames), names(watched.functionNames), pulumi.output(watched.stateMachineArn)]).apply(
        ([bus, rules, queues, functions, stateMachineArn]): DashboardPanel => ({
          region: watched.region,
          bus,
          rules,
          queues,
          functions,
          ...(stateMachineArn ? { stateMachineArn } : {}),
          services: watched.producerServices ?? [],
        }),
      ),
    );
    const dashboard = new cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${args.prefix}-events`,
        dashboardBody: pulumi
          .all(panels)
          .apply((resolved) =>
            JSON.stringify(healthDashboard({ prefix: args.prefix, alarms: HEALTH_ALARMS, panels: resolved, ...(args.metricsNamespace ? { metricsNamespace: args.metricsNamespace } : {}) })),
          ),
      },
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

    // Logical names come from the watched resource's id and the alarm's role, so existing alarms keep theirs.
    const alarm = (alarmId: string, rule: AlarmRule, source: AlarmSource) => {
      const created = new cloudwatch.MetricAlarm(
        id(alarmId),
        {
          comparisonOperator: rule.comparison,
          threshold: rule.threshold,
          evaluationPeriods: rule.evaluationPeriods,
          // A metric math alarm states its period in each query instead.
          ...(source.metricQueries ? {} : { period: rule.periodSeconds }),
          treatMissingData: rule.treatMissingData,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          ...source,
        },
        inRegion,
      );
      this.alarmNames.push(created.name);
    };
    const named = (resourceName: pulumi.Input<string>, suffix: string) => alarmName(prefix, region, resourceName, suffix);
    const { producer, broker, consumer } = HEALTH_ALARMS;

    if (args.metricsNamespace) {
      const namespace = args.metricsNamespace;
      for (const service of watched.producerServices ?? []) {
        const dimensions = { [PRODUCER_METRIC_DIMENSIONS.service]: service };
        alarm(`producer-${service}-given-up`, producer.givenUp, {
          name: named(`producer-${service}`, 'given-up'),
          namespace,
          metricName: PRODUCER_METRICS.givenUp,
          statistic: 'Sum',
          dimensions,
          alarmDescription: `${service} gave up on PutEvents entries in ${region}: events lost to their consumers (the callers were told)`,
        });
        alarm(`producer-${service}-failed-share`, producer.failedShare, {
          name: named(`producer-${service}`, 'failed-share'),
          metricQueries: metricMath(producer.failedShare, failedShareExpression('failed', 'attempted'), 'Failed entries (% of attempted)', {
            failed: { namespace, metricName: PRODUCER_METRICS.failed, dimensions },
            attempted: { namespace, metricName: PRODUCER_METRICS.attempted, dimensions },
          }),
          alarmDescription: `Over ${producer.failedShare.threshold} % of ${service}'s PutEvents entries failed in ${region} (see the ErrorCode series)`,
        });
      }
    }

    for (const [key, ruleName] of Object.entries(watched.ruleNames)) {
      // A rule on a custom bus is measured by EventBusName and RuleName together:
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
      const dimensions = { EventBusName: watched.eventBusName, RuleName: ruleName };
      for (const metric of RULE_ALARM_METRICS) {
        alarm(`rule-${key}-${metric}`, broker.delivery, {
          name: named(ruleName, metric),
          namespace: 'AWS/Events',
          metricName: metric,
          statistic: 'Sum',
          dimensions,
          alarmDescription: pulumi.interpolate`${metric} > 0 for rule ${ruleName} in ${region}`,
        });
      }
      alarm(`rule-${key}-success-rate`, broker.successRate, {
        name: named(ruleName, 'success-rate'),
        metricQueries: metricMath(broker.successRate, successRateExpression('attempts', 'successes'), 'Successful invocation attempts (%)', {
          attempts: { namespace: 'AWS/Events', metricName: RULE_METRICS.attempts, dimensions },
          successes: { namespace: 'AWS/Events', metricName: RULE_METRICS.successes, dimensions },
        }),
        alarmDescription: pulumi.interpolate`Under ${broker.successRate.threshold} % of invocation attempts of rule ${ruleName} in ${region} succeed: its target fails or throttles, and retries pile up`,
      });
      for (const [role, metric, rule] of [
        ['start-latency', RULE_METRICS.startLatency, broker.startLatency],
        ['success-latency', RULE_METRICS.successLatency, broker.successLatency],
      ] as const) {
        alarm(`rule-${key}-${role}`, rule, {
          name: named(ruleName, role),
          namespace: 'AWS/Events',
          metricName: metric,
          extendedStatistic: 'p99',
          // A p99 needs many samples to be significant ('ignore' would skip quiet periods altogether); two breaching
          // periods in a row keep one slow event from firing it.
          evaluateLowSampleCountPercentiles: 'evaluate',
          dimensions,
          alarmDescription: pulumi.interpolate`${metric} p99 > ${rule.threshold} ms for rule ${ruleName} in ${region}`,
        });
      }
    }
    for (const [key, queueName] of Object.entries(watched.queueNames)) {
      alarm(`queue-${key}-depth`, consumer.queueDepth, {
        name: named(queueName, 'not-empty'),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        statistic: 'Maximum',
        dimensions: { QueueName: queueName },
        alarmDescription: pulumi.interpolate`Messages wait in ${queueName} in ${region}: inspect and redrive`,
      });
      alarm(`queue-${key}-age`, consumer.queueAge, {
        name: named(queueName, 'oldest-message-age'),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateAgeOfOldestMessage',
        statistic: 'Maximum',
        dimensions: { QueueName: queueName },
        alarmDescription: pulumi.interpolate`A message has waited over ${consumer.queueAge.threshold} s in ${queueName} in ${region}: redrive it before SQS deletes it`,
      });
    }
    for (const [key, functionName] of Object.entries(watched.functionNames)) {
      const dimensions = { FunctionName: functionName };
      alarm(`function-${key}-errors`, consumer.functionErrors, { name: named(functionName, 'errors'), namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', dimensions });
      alarm(`function-${key}-throttles`, consumer.functionThrottles, { name: named(functionName, 'throttles'), namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum', dimensions });
    }
    if (watched.stateMachineArn) {
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        alarm(`saga-${metric}`, consumer.sagaFailures, {
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
