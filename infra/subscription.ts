// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as iam from '@pulumi/aws/iam';
import * as lambda from '@pulumi/aws/lambda';
import * as sqs from '@pulumi/aws/sqs';
import type * as types from '@pulumi/aws/types';
import * as pulumi from '@pulumi/pulumi';
import type { EventPattern } from '../model/patterns';
import { PROVIDER_IDEMPOTENCY_HEADER } from '../model/deployment';
import { LAMBDA_ASYNC_DEFAULTS, SUBSCRIPTION_DEFAULTS } from '../model/limits';
import { ProblemList } from './errors';
import { assumeRolePolicy, policyDocument } from './internal/policy';
import { MAX_RULE_NAME_LENGTH, REDRIVE_INPUT_PATH, REDRIVE_RULE_SUFFIX, redrivePattern, redriveRuleName } from '../model/redrive';

/** Where the rule delivers. Each kind gets exactly the permission it needs, scoped to this rule or target. */
export type SubscriptionTargetArgs =
  | { readonly kind: 'lambda'; readonly functionArn: pulumi.Input<string>; readonly functionName: pulumi.Input<string>; readonly functionRoleName?: pulumi.Input<string> }
  | { readonly kind: 'sqs'; readonly queueArn: pulumi.Input<string>; readonly queueUrl: pulumi.Input<string> }
  | { readonly kind: 'state-machine'; readonly stateMachineArn: pulumi.Input<string> }
  | { readonly kind: 'event-bus'; readonly eventBusArn: pulumi.Input<string> }
  | { readonly kind: 'api-destination'; readonly apiDestinationArn: pulumi.Input<string> };

/** EventBridge's retry policy for a target; AWS's own limits are enforced. */
export interface RetryPolicyArgs {
  /** 0–185. @default 185 */
  readonly maximumRetryAttempts?: number;
  /** 60–86,400 seconds. @default 86400 */
  readonly maximumEventAgeInSeconds?: number;
}

export { SUBSCRIPTION_DEFAULTS };

export interface SubscriptionArgs {
  readonly eventBusName: pulumi.Input<string>;
  /** Rule name, 1–64 characters of letters, digits, `.`, `-`, `_`. */
  readonly ruleName: string;
  readonly description?: string;
  /** The event pattern, derived from the application model (`Subscription.pattern`). */
  readonly pattern: EventPattern;
  readonly target: SubscriptionTargetArgs;
  /** @default SUBSCRIPTION_DEFAULTS */
  readonly retryPolicy?: RetryPolicyArgs;
  /** The target's dead-letter queue; opt out explicitly. @default - a new SQS queue, encrypted, admitting only this rule */
  readonly deadLetterQueue?: { readonly enabled: false };
  /** Reshapes the event before delivery. @default - the whole event */
  readonly inputTransformer?: { readonly inputPaths?: Record<string, string>; readonly inputTemplate: string };
  /**
   * For a Lambda target: where asynchronous invocations that fail after Lambda's own retries go (a rule DLQ only
   * covers delivery failures). Disable when the function already has one. @default - a new encrypted SQS queue
   */
  readonly asyncFailureQueue?: { readonly enabled: false };
  /**
   * For an API destination target: a second rule, `<ruleName>-redrive`, that reaches the same destination with
   * redrive envelopes addressed to this rule (model/redrive.ts), so a dead letter goes back to this target alone.
   * @default - on for API destinations
   */
  readonly redrive?: { readonly enabled: false };
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** Checks Subscription arguments; throws one error listing every problem. */
export function validateSubscriptionArgs(name: string, args: SubscriptionArgs): void {
  const problems = new ProblemList(`Subscription "${name}"`);
  if (!RULE_NAME.test(args.ruleName)) problems.add('ruleName', `must be 1–64 letters, digits, '.', '-' or '_', got ${JSON.stringify(args.ruleName)}`);
  problems.range('retryPolicy.maximumRetryAttempts', args.retryPolicy?.maximumRetryAttempts, 0, 185);
  problems.range('retryPolicy.maximumEventAgeInSeconds', args.retryPolicy?.maximumEventAgeInSeconds, 60, 86_400);
  if (Object.keys(args.pattern).length === 0) problems.add('pattern', 'must not be empty: an empty pattern matches nothing useful');
  const redriveLimit = MAX_RULE_NAME_LENGTH - REDRIVE_RULE_SUFFIX.length;
  if (args.target.kind === 'api-destination' && args.redrive?.enabled !== false && args.ruleName.length > redriveLimit) {
    problems.add('ruleName', `must be at most ${redriveLimit} characters for an API destination, to leave room for its redrive rule '${REDRIVE_RULE_SUFFIX}', got ${args.ruleName.length}`);
  }
  problems.throwIfAny();
}

/**
 * A rule and its target, safe by default: a dead-letter queue and an explicit retry policy on every target,
 * a queue policy that admits only this rule, permissions scoped to this rule's ARN, and a least-privilege
 * role for targets that need one.
 */
export class Subscription extends pulumi.ComponentResource {
  readonly ruleName: pulumi.Output<string>;
  readonly ruleArn: pulumi.Output<string>;
  readonly deadLetterQueueArn?: pulumi.Output<string>;
  readonly deadLetterQueueUrl?: pulumi.Output<string>;
  readonly deadLetterQueueName?: pulumi.Output<string>;
  /** The redrive rule of an API destination target (see {@link SubscriptionArgs.redrive}). */
  readonly redriveRuleName?: pulumi.Output<string>;
  asyncFailureQueueUrl?: pulumi.Output<string>;
  asyncFailureQueueName?: pulumi.Output<string>;

  constructor(name: string, args: SubscriptionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:Subscription', name, {}, opts);
    validateSubscriptionArgs(name, args);
    const parent = { parent: this };

    const rule = new cloudwatch.EventRule(
      `${name}-rule`,
      { name: args.ruleName, eventBusName: args.eventBusName, description: args.description ?? `eventflow subscription ${args.ruleName}`, eventPattern: JSON.stringify(args.pattern) },
      parent,
    );
    this.ruleName = rule.name;
    this.ruleArn = rule.arn;
    // An API destination can be reached only from a rule: its redrive rule is the door a redrive uses.
    const redriveRule =
      args.target.kind === 'api-destination' && args.redrive?.enabled !== false
        ? new cloudwatch.EventRule(
            `${name}-redrive-rule`,
            {
              name: redriveRuleName(args.ruleName),
              eventBusName: args.eventBusName,
              description: `Redrives dead letters of ${args.ruleName} to its target alone`,
              eventPattern: JSON.stringify(redrivePattern(args.ruleName)),
            },
            parent,
          )
        : undefined;
    if (redriveRule) this.redriveRuleName = redriveRule.name;

    let deadLetterConfig: types.input.cloudwatch.EventTargetDeadLetterConfig | undefined;
    if (args.deadLetterQueue?.enabled !== false) {
      const queue = ruleDeadLetterQueue(`${name}-dlq`, `${args.ruleName}-dlq`, redriveRule ? [rule.arn, redriveRule.arn] : [rule.arn], parent);
      deadLetterConfig = { arn: queue.arn };
      this.deadLetterQueueArn = queue.arn;
      this.deadLetterQueueUrl = queue.url;
      this.deadLetterQueueName = queue.name;
    }

    const roleArn = this.targetRole(name, args.target, rule, parent);
    this.grantInvoke(name, args, rule, parent);

    const delivery = {
      eventBusName: args.eventBusName,
      arn: targetArn(args.target),
      ...(roleArn ? { roleArn } : {}),
      ...(deadLetterConfig ? { deadLetterConfig } : {}),
      retryPolicy: {
        maximumRetryAttempts: args.retryPolicy?.maximumRetryAttempts ?? SUBSCRIPTION_DEFAULTS.maximumRetryAttempts,
        maximumEventAgeInSeconds: args.retryPolicy?.maximumEventAgeInSeconds ?? SUBSCRIPTION_DEFAULTS.maximumEventAgeInSeconds,
      },
    };
    // An API destination sends each event's idempotency key as a header (a JSONPath header value, read from the
    // matched event), so the provider can tell a redelivery from a new fact.
    const header = (path: string) => (args.target.kind === 'api-destination' ? { httpTarget: { headerParameters: { [PROVIDER_IDEMPOTENCY_HEADER.name]: path } } } : {});
    new cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        ...delivery,
        ...header(PROVIDER_IDEMPOTENCY_HEADER.path),
        ...(args.inputTransformer ? { inputTransformer: { inputPaths: args.inputTransformer.inputPaths ?? {}, inputTemplate: args.inputTransformer.inputTemplate } } : {}),
      },
      parent,
    );
    // The same destination, role, retry policy and DLQ; InputPath hands it the original event, not the envelope.
    // The redrive rule matches the redrive envelope, so the key sits under the original event it carries.
    if (redriveRule) {
      const keyInEnvelope = PROVIDER_IDEMPOTENCY_HEADER.path.replace(/^\$/, REDRIVE_INPUT_PATH);
      new cloudwatch.EventTarget(`${name}-redrive-target`, { rule: redriveRule.name, ...delivery, inputPath: REDRIVE_INPUT_PATH, ...header(keyInEnvelope) }, parent);
    }

    this.registerOutputs({
      ruleName: this.ruleName,
      ruleArn: this.ruleArn,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      asyncFailureQueueUrl: this.asyncFailureQueueUrl,
    });
  }

  /** Resource-based permissions: Lambda may be invoked by this rule only; an SQS target admits this rule only. */
  private grantInvoke(name: string, args: SubscriptionArgs, rule: cloudwatch.EventRule, parent: pulumi.CustomResourceOptions): void {
    const target = args.target;
    if (target.kind === 'lambda') {
      new lambda.Permission(`${name}-invoke`, { action: 'lambda:InvokeFunction', function: target.functionName, principal: 'events.amazonaws.com', sourceArn: rule.arn }, parent);
      if (args.asyncFailureQueue?.enabled !== false) {
        const failures = encryptedQueue(`${name}-async-failures`, `${args.ruleName}-async-failures`, parent);
        this.asyncFailureQueueUrl = failures.url;
        this.asyncFailureQueueName = failures.name;
        new lambda.FunctionEventInvokeConfig(
          `${name}-async`,
          { functionName: target.functionName, maximumRetryAttempts: LAMBDA_ASYNC_DEFAULTS.maximumRetryAttempts, destinationConfig: { onFailure: { destination: failures.arn } } },
          parent,
        );
        if (target.functionRoleName) {
          new iam.RolePolicy(
            `${name}-async-failures-send`,
            { role: target.functionRoleName, policy: policyDocument([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: failures.arn }]) },
            parent,
          );
        }
      }
    } else if (target.kind === 'sqs') {
      new sqs.QueuePolicy(
        `${name}-target-policy`,
        {
          queueUrl: target.queueUrl,
          policy: policyDocument([
            { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: target.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': rule.arn } } },
          ]),
        },
        parent,
      );
    }
  }

  /** A role EventBridge assumes for targets invoked with IAM (state machine, bus, API destination), allowed one action on one ARN. */
  private targetRole(name: string, target: SubscriptionTargetArgs, rule: cloudwatch.EventRule, parent: pulumi.CustomResourceOptions): pulumi.Output<string> | undefined {
    const grant =
      target.kind === 'state-machine'
        ? { action: 'states:StartExecution', resource: target.stateMachineArn }
        : target.kind === 'event-bus'
          ? { action: 'events:PutEvents', resource: target.eventBusArn }
          : target.kind === 'api-destination'
            ? { action: 'events:InvokeApiDestination', resource: target.apiDestinationArn }
            : undefined;
    if (!grant) return undefined;
    const role = new iam.Role(`${name}-target-role`, { assumeRolePolicy: assumeRolePolicy('events.amazonaws.com'), description: pulumi.interpolate`Lets rule ${rule.name} reach its target` }, parent);
    new iam.RolePolicy(`${name}-target-role-policy`, { role: role.name, policy: policyDocument([{ Effect: 'Allow', Action: grant.action, Resource: grant.resource }]) }, parent);
    return role.arn;
  }
}

function targetArn(target: SubscriptionTargetArgs): pulumi.Input<string> {
  switch (target.kind) {
    case 'lambda':
      return target.functionArn;
    case 'sqs':
      return target.queueArn;
    case 'state-machine':
      return target.stateMachineArn;
    case 'event-bus':
      return target.eventBusArn;
    case 'api-destination':
      return target.apiDestinationArn;
  }
}

/** An SQS queue encrypted with SQS-managed keys that keeps messages for the longest time SQS allows. */
export function encryptedQueue(resourceName: string, queueName: string, opts: pulumi.CustomResourceOptions): sqs.Queue {
  return new sqs.Queue(resourceName, { name: queueName.slice(0, 80), sqsManagedSseEnabled: true, messageRetentionSeconds: SUBSCRIPTION_DEFAULTS.deadLetterRetentionSeconds }, opts);
}

/** A rule's dead-letter queue: encrypted, long retention, and a queue policy that admits those rules only (`aws:SourceArn`). */
export function ruleDeadLetterQueue(resourceName: string, queueName: string, ruleArns: ReadonlyArray<pulumi.Input<string>>, opts: pulumi.CustomResourceOptions): sqs.Queue {
  const queue = encryptedQueue(resourceName, queueName, opts);
  new sqs.QueuePolicy(
    `${resourceName}-policy`,
    {
      queueUrl: queue.url,
      policy: policyDocument([
        {
          Sid: 'OnlyThisRule',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': ruleArns.length === 1 ? ruleArns[0] : ruleArns } },
        },
      ]),
    },
    opts,
  );
  return queue;
}
