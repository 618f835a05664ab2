// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as schemas from '@pulumi/aws/schemas';
import * as pulumi from '@pulumi/pulumi';
import { ProblemList } from './errors';
import { policyDocument } from './internal/policy';
import { SUBSCRIPTION_DEFAULTS, ruleDeadLetterQueue } from './subscription';
import { DEFAULT_LOG_RETENTION_DAYS } from '../model/limits';

/** Who may put events on the bus: named accounts, or every account of one AWS Organization. */
export type BusPublishers = { readonly accountIds: readonly string[] } | { readonly organizationId: string };

export const EVENT_BUS_DEFAULTS = {
  archiveRetentionDays: 30,
  logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
  schemaDiscovery: true,
} as const;

export interface EventBusArgs {
  /** Bus name, 1–256 characters of letters, digits, `.`, `-`, `_`; not `default`. */
  readonly name: string;
  /** Accounts (or one organization) allowed to PutEvents; never `*`. */
  readonly publishers: BusPublishers;
  /** Days the archive keeps every event for replay (0 = forever). @default 30 */
  readonly archiveRetentionDays?: number;
  /** Retention of the central event log, in days: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, …, 3653). @default 14 */
  readonly logRetentionDays?: number;
  /** Run a schema discoverer on the bus. @default true */
  readonly schemaDiscovery?: boolean;
  /** Customer-managed KMS key for the bus's events. @default - AWS owned key */
  readonly kmsKeyArn?: pulumi.Input<string>;
}

const BUS_NAME = /^[A-Za-z0-9._-]{1,256}$/;
const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** Checks EventBus arguments; throws one error listing every problem. */
export function validateEventBusArgs(name: string, args: EventBusArgs): void {
  const problems = new ProblemList(`EventBus "${name}"`);
  if (!BUS_NAME.test(args.name) || args.name === 'default') problems.add('name', `must be 1–256 letters, digits, '.', '-' or '_' and not "default", got ${JSON.stringify(args.name)}`);
  if ('accountIds' in args.publishers) {
    if (args.publishers.accountIds.length === 0) problems.add('publishers.accountIds', 'must name at least one account');
    for (const id of args.publishers.accountIds) if (!ACCOUNT_ID.test(id)) problems.add('publishers.accountIds', `must be 12-digit account ids, got ${JSON.stringify(id)}`);
  } else if (!ORGANIZATION_ID.test(args.publishers.organizationId)) {
    problems.add('publishers.organizationId', `must look like o-xxxxxxxxxx, got ${JSON.stringify(args.publishers.organizationId)}`);
  }
  problems.range('archiveRetentionDays', args.archiveRetentionDays, 0, 36500);
  problems.logRetention('logRetentionDays', args.logRetentionDays);
  problems.throwIfAny();
}

/**
 * A custom event bus with the practices of the 2022 talk built in: an archive for replay, schema discovery,
 * a central log of every event, and a bus policy that admits only the named accounts or organization.
 *
 * @example
 * ```ts
 * const bus = new EventBus('orders', { name: 'eventflow-dev', publishers: { accountIds: ['111111111111'] } });
 * ```
 */
export class EventBus extends pulumi.ComponentResource {
  readonly bus: cloudwatch.EventBus;
  readonly eventBusName: pulumi.Output<string>;
  readonly eventBusArn: pulumi.Output<string>;
  readonly archiveName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly centralLogRuleName: pulumi.Output<string>;
  readonly centralLogDeadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: EventBusArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:EventBus', name, {}, opts);
    validateEventBusArgs(name, args);
    const parent = { parent: this };
    const retentionDays = args.archiveRetentionDays ?? EVENT_BUS_DEFAULTS.archiveRetentionDays;
    const logRetentionDays = args.logRetentionDays ?? EVENT_BUS_DEFAULTS.logRetentionDays;

    this.bus = new cloudwatch.EventBus(`${name}-bus`, { name: args.name, ...(args.kmsKeyArn ? { kmsKeyIdentifier: args.kmsKeyArn } : {}) }, parent);
    this.eventBusName = this.bus.name;
    this.eventBusArn = this.bus.arn;

    const archive = new cloudwatch.EventArchive(`${name}-archive`, { name: `${args.name}-archive`.slice(0, 48), eventSourceArn: this.bus.arn, retentionDays }, parent);
    this.archiveName = archive.name;

    if (args.schemaDiscovery ?? EVENT_BUS_DEFAULTS.schemaDiscovery) {
      new schemas.Discoverer(`${name}-discoverer`, { sourceArn: this.bus.arn, description: `Discovers schemas of ${args.name}` }, parent);
    }

    // The central log: every event on the bus, in one log group (EventBridge needs a resource policy to write it).
    const logGroup = new cloudwatch.LogGroup(`${name}-events`, { name: `/aws/events/${args.name}`, retentionInDays: logRetentionDays }, parent);
    this.logGroupName = logGroup.name;
    new cloudwatch.LogResourcePolicy(
      `${name}-events-policy`,
      {
        policyName: `${args.name}-central-log`,
        policyDocument: policyDocument([
          {
            Effect: 'Allow',
            Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: pulumi.interpolate`${logGroup.arn}:*`,
          },
        ]),
      },
      parent,
    );
    const catchAll = new cloudwatch.EventRule(
      `${name}-log-all`,
      { eventBusName: this.bus.name, description: 'Central log: every event on the bus', eventPattern: JSON.stringify({ account: [{ exists: true }] }) },
      parent,
    );
    // Like every target, the central log gets a dead-letter queue admitting only its rule, and a stated retry policy.
    const logDeadLetters = ruleDeadLetterQueue(`${name}-log-all-dlq`, `${args.name}-central-log-dlq`, [catchAll.arn], parent);
    this.centralLogDeadLetterQueueName = logDeadLetters.name;
    new cloudwatch.EventTarget(
      `${name}-log-all-target`,
      {
        rule: catchAll.name,
        eventBusName: this.bus.name,
        arn: logGroup.arn,
        deadLetterConfig: { arn: logDeadLetters.arn },
        retryPolicy: { maximumRetryAttempts: SUBSCRIPTION_DEFAULTS.maximumRetryAttempts, maximumEventAgeInSeconds: SUBSCRIPTION_DEFAULTS.maximumEventAgeInSeconds },
      },
      parent,
    );
    this.centralLogRuleName = catchAll.name;

    new cloudwatch.EventBusPolicy(`${name}-policy`, { eventBusName: this.bus.name, policy: busPolicy(this.bus.arn, args.publishers) }, parent);

    this.registerOutputs({ eventBusName: this.eventBusName, eventBusArn: this.eventBusArn, archiveName: this.archiveName, logGroupName: this.logGroupName });
  }
}

/** The bus policy: PutEvents only for the named accounts, or for principals of one organization (never a bare `*`). */
export function busPolicy(busArn: pulumi.Input<string>, publishers: BusPublishers): pulumi.Output<string> {
  if ('accountIds' in publishers) {
    return policyDocument([
      {
        Sid: 'AllowPutEventsFromAccounts',
        Effect: 'Allow',
        Principal: { AWS: publishers.accountIds.map((id) => `arn:aws:iam::${id}:root`) },
        Action: 'events:PutEvents',
        Resource: busArn,
      },
    ]);
  }
  return policyDocument([
    {
      Sid: 'AllowPutEventsFromOrganization',
      Effect: 'Allow',
      // With the aws:PrincipalOrgID condition, `*` admits only principals of that organization.
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': publishers.organizationId } },
    },
  ]);
}
