/**
 * eventflow's security rules, written once as pure functions of a resource's type token and properties (and,
 * where a rule needs it, the stage's configuration). The policy pack (`index.ts`) and the security walk of the
 * synthesized stacks (`test/unit/infra/security-walk.test.ts`) call the same functions, so what the walk proves
 * is what `pulumi preview --policy-pack policy` enforces.
 *
 * Messages follow the house template: `<type> "<name>": '<property>' must be <rule>, got <value>`. No message
 * ever quotes a secret's value.
 */
import { LOG_RETENTION_RULE, isLogRetentionDays } from '../model/limits';
import { SECRET_CONFIG_KEYS, parseStageConfig, resourcePrefix, stageSettings, type StageConfig } from '../infra/stage-config';

/** A property the engine cannot know during preview (computed by the provider); rules skip it rather than guess. */
export const UNKNOWN: unique symbol = Symbol.for('eventflow.policy.unknown');

export type Props = Readonly<Record<string, unknown>>;

/** What the rules know of the stage. Rules that need a field skip their check when it is absent. */
export interface RuleContext {
  /** The stage; its bus is `eventflow-<stage>` in every region. */
  readonly stage?: string;
  /** The account the stage deploys to; a route target's bus policy admits exactly this account. */
  readonly accountId?: string;
  /** Who may PutEvents on the stage's bus, as configured. */
  readonly publishers?: StageConfig['publishers'];
  /** Secret config values; each may appear only where AWS keeps it secret ({@link SECRET_SLOTS}). */
  readonly secrets?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

/** A check of one resource: the messages of every violation, none when it complies. */
export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  check(type: string, name: string, props: Props, context: RuleContext): string[];
}

export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly props: Props;
}

/** A check across the resources of a stack. */
export interface StackRule {
  readonly name: string;
  readonly description: string;
  check(resources: readonly StackResource[], context: RuleContext): string[];
}

/** Where AWS offers no narrower resource than `*`, and why. The walk asserts the stacks use exactly these. */
export interface WildcardResourceAllowance {
  readonly id: string;
  /** Resource types whose policy documents may use it. */
  readonly resourceTypes: readonly string[];
  /** The actions a `*` resource may carry (a statement qualifies when all its actions are listed), or `any` where `*` is the only resource AWS accepts whatever the action. */
  readonly actions: readonly string[] | 'any';
  readonly reason: string;
  readonly see: string;
}

export const WILDCARD_RESOURCE_ALLOWANCES: readonly WildcardResourceAllowance[] = [
  {
    id: 'xray-traces',
    resourceTypes: ['aws:iam/rolePolicy:RolePolicy'],
    actions: ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    reason: 'X-Ray defines no resource type for these actions, so IAM accepts only "*" (function and saga tracing)',
    see: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html',
  },
  {
    id: 'vended-log-delivery',
    resourceTypes: ['aws:iam/rolePolicy:RolePolicy'],
    actions: [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ],
    reason:
      'Step Functions writes execution logs through CloudWatch Logs vended log delivery, whose actions take no resource ARN; AWS documents "*". API Gateway\'s account CloudWatch role lists log groups (DescribeLogGroups) for the same reason; its writes are held to the region\'s log groups',
    see: 'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html',
  },
  {
    id: 'kms-key-policy',
    resourceTypes: ['aws:kms/key:Key'],
    // The actions themselves are held to exact names by iam-no-wildcard-actions, like everywhere else.
    actions: 'any',
    reason: 'in a key policy "*" means "this key" and no other value is possible (the alarm topic key)',
    see: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html',
  },
];

/** Where a secret may appear: properties AWS itself keeps secret. EventBridge stores connection credentials in Secrets Manager. */
export const SECRET_SLOTS: Readonly<Record<string, readonly string[]>> = {
  'aws:cloudwatch/eventConnection:EventConnection': ['authParameters.apiKey.value', 'authParameters.basic.password', 'authParameters.oauth.clientParameters.clientSecret'],
  'aws:secretsmanager/secretVersion:SecretVersion': ['secretString'],
};

/** Shorter secrets are only matched whole: as substrings they would turn up in unrelated names. */
const MIN_SUBSTRING_SECRET = 8;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const strings = (value: unknown): string[] => list(value).filter((item): item is string => typeof item === 'string');
const show = (value: unknown): string => (value === UNKNOWN ? 'unknown' : value === undefined ? 'undefined' : JSON.stringify(value));
const at = (type: string, name: string, property: string, rule: string): string => `${type} "${name}": '${property}' ${rule}`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not a policy document (an ARN, a name): nothing to check
  }
}

/** One statement of a policy document held by a resource, with its property path. */
export interface FoundStatement {
  readonly path: string;
  readonly statement: Readonly<Record<string, unknown>>;
}

const POLICY_PROPERTIES = ['policy', 'policyDocument', 'assumeRolePolicy'];

/** Every statement of every policy document a resource holds (IAM, bus, queue, topic, log and key policies). */
export function policyStatements(props: Props): FoundStatement[] {
  const documents: Array<[string, unknown]> = POLICY_PROPERTIES.map((key) => [key, props[key]]);
  for (const [i, inline] of list(props.inlinePolicies).entries()) documents.push([`inlinePolicies[${i}].policy`, isRecord(inline) ? inline.policy : undefined]);
  return documents.flatMap(([path, document]) => {
    const parsed = typeof document === 'string' ? parseJson(document) : document;
    if (!isRecord(parsed) || parsed.Statement === undefined) return [];
    const many = Array.isArray(parsed.Statement);
    return list(parsed.Statement).flatMap((statement, i) => (isRecord(statement) ? [{ path: many ? `${path}.Statement[${i}]` : `${path}.Statement`, statement }] : []));
  });
}

const allows = (statement: Readonly<Record<string, unknown>>): boolean => statement.Effect !== 'Deny';

/** A `*` resource a resource grants, with the allowance that covers it (undefined when none does). */
export interface WildcardResourceUse {
  readonly path: string;
  readonly actions: readonly string[];
  readonly allowance?: WildcardResourceAllowance;
}

/** Every Allow statement of the resource whose Resource is `*`. */
export function wildcardResourceUses(type: string, props: Props): WildcardResourceUse[] {
  return policyStatements(props)
    .filter(({ statement }) => allows(statement) && strings(statement.Resource).includes('*'))
    .map(({ path, statement }) => {
      const actions = strings(statement.Action);
      const allowance = WILDCARD_RESOURCE_ALLOWANCES.find(
        (a) => a.resourceTypes.includes(type) && actions.length > 0 && (a.actions === 'any' || actions.every((action) => a.actions.includes(action))),
      );
      return { path, actions, ...(allowance ? { allowance } : {}) };
    });
}

/**
 * Who a bus policy admits to PutEvents: `account:<id>`, `org:<id>` (a `*` principal held to one organization by
 * aws:PrincipalOrgID), a principal ARN or `service:<name>` as written, and `*` for anyone at all.
 */
export function admittedPrincipals(policy: unknown): string[] {
  const admitted = new Set<string>();
  for (const { statement } of policyStatements({ policy })) {
    if (!allows(statement)) continue;
    const organizations = isRecord(statement.Condition) ? Object.values(statement.Condition).flatMap((operator) => (isRecord(operator) ? strings(operator['aws:PrincipalOrgID']) : [])) : [];
    const principal = statement.Principal;
    const aws = isRecord(principal) ? strings(principal.AWS) : strings(principal);
    for (const id of aws) {
      const account = /^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?::root)?$/.exec(id)?.[1];
      if (id === '*') for (const entry of organizations.length > 0 ? organizations.map((org) => `org:${org}`) : ['*']) admitted.add(entry);
      else admitted.add(account ? `account:${account}` : id);
    }
    if (isRecord(principal)) for (const service of strings(principal.Service)) admitted.add(`service:${service}`);
  }
  return [...admitted].sort();
}

/** The principals the configuration names: what the stage's bus policy must admit, exactly. */
export function configuredPrincipals(publishers: StageConfig['publishers']): string[] {
  return 'accountIds' in publishers ? publishers.accountIds.map((id) => `account:${id}`).sort() : [`org:${publishers.organizationId}`];
}

/** Paths of the string values (at any depth) that contain the secret; paths as the mocks record them (`a.b[0]`). */
export function secretOccurrences(value: unknown, secret: string, path = ''): string[] {
  if (typeof value === 'string') return (secret.length >= MIN_SUBSTRING_SECRET ? value.includes(secret) : value === secret) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => secretOccurrences(item, secret, `${path}[${i}]`));
  if (isRecord(value)) return Object.entries(value).flatMap(([key, item]) => secretOccurrences(item, secret, path ? `${path}.${key}` : key));
  return [];
}

const positive = (value: unknown): boolean => value === UNKNOWN || (typeof value === 'number' && value > 0);

export const RESOURCE_RULES: readonly ResourceRule[] = [
  {
    name: 'iam-no-wildcard-actions',
    description: "Allow statements name every action: no '*', no 'service:*', no partial wildcard, no NotAction.",
    check(type, name, props) {
      const found = policyStatements(props).flatMap(({ path, statement }) => {
        if (!allows(statement)) return [];
        const wild = strings(statement.Action).filter((action) => action.includes('*'));
        return [
          ...(wild.length > 0 ? [at(type, name, `${path}.Action`, `must name actions exactly, without '*', got ${show(wild)}`)] : []),
          ...(statement.NotAction !== undefined ? [at(type, name, `${path}.NotAction`, `must not be used (it allows every action it does not list), got ${show(statement.NotAction)}`)] : []),
        ];
      });
      if (type === 'aws:lambda/permission:Permission' && typeof props.action === 'string' && props.action.includes('*'))
        found.push(at(type, name, 'action', `must name one action exactly, got ${show(props.action)}`));
      return found;
    },
  },
  {
    name: 'iam-wildcard-resource-allowlisted',
    description: "A '*' resource only for actions AWS offers no narrower resource for (WILDCARD_RESOURCE_ALLOWANCES); no NotResource.",
    check(type, name, props) {
      const unlisted = wildcardResourceUses(type, props)
        .filter((use) => !use.allowance)
        .map((use) => at(type, name, `${use.path}.Resource`, `must name the resources it grants ('*' only for the actions listed in WILDCARD_RESOURCE_ALLOWANCES), got "*" for ${show(use.actions)}`));
      const notResource = policyStatements(props)
        .filter(({ statement }) => allows(statement) && statement.NotResource !== undefined)
        .map(({ path, statement }) => at(type, name, `${path}.NotResource`, `must not be used (it grants every resource it does not list), got ${show(statement.NotResource)}`));
      return [...unlisted, ...notResource];
    },
  },
  {
    name: 'no-unconditioned-wildcard-principal',
    description: "A resource policy admitting '*' must narrow it with a Condition (such as aws:PrincipalOrgID or aws:SourceArn).",
    check(type, name, props) {
      return policyStatements(props)
        .filter(({ statement }) => allows(statement) && statement.Condition === undefined)
        .filter(({ statement }) => (isRecord(statement.Principal) ? strings(statement.Principal.AWS) : strings(statement.Principal)).includes('*'))
        .map(({ path, statement }) => at(type, name, `${path}.Principal`, `must name principals, or narrow '*' with a Condition, got ${show(statement.Principal)}`));
    },
  },
  {
    // CloudWatch Logs encrypts every log group at rest whether or not a KMS key is named, so log groups need no
    // key here; a customer key only adds key-policy control, and would need logs.<region>.amazonaws.com in its policy.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    name: 'encryption-at-rest',
    description: 'SQS queues use SSE-SQS or a KMS key; SNS topics name a KMS key. (Log groups are always encrypted by CloudWatch Logs.)',
    check(type, name, props) {
      const named = (value: unknown) => value === UNKNOWN || (typeof value === 'string' && value !== '');
      if (type === 'aws:sqs/queue:Queue' && props.sqsManagedSseEnabled !== true && props.sqsManagedSseEnabled !== UNKNOWN && !named(props.kmsMasterKeyId)) {
        return [at(type, name, 'sqsManagedSseEnabled', `must be true (or 'kmsMasterKeyId' set), got ${show(props.sqsManagedSseEnabled)}`)];
      }
      if (type === 'aws:sns/topic:Topic' && !named(props.kmsMasterKeyId)) return [at(type, name, 'kmsMasterKeyId', `must name a KMS key, got ${show(props.kmsMasterKeyId)}`)];
      return [];
    },
  },
  {
    name: 'log-retention',
    description: 'Every log group states a retention CloudWatch Logs accepts (PutRetentionPolicy), so logs neither pile up forever nor fail at deployment.',
    check(type, name, props) {
      const days = props.retentionInDays;
      if (type !== 'aws:cloudwatch/logGroup:LogGroup' || days === UNKNOWN || isLogRetentionDays(days)) return [];
      return [at(type, name, 'retentionInDays', `must be ${LOG_RETENTION_RULE}, got ${show(days)}${days === undefined ? ' (kept forever)' : ''}`)];
    },
  },
  {
    name: 'api-throttling',
    description: 'Every REST API stage throttles its methods (method settings with rate and burst above 0).',
    check(type, name, props) {
      if (type !== 'aws:apigateway/methodSettings:MethodSettings') return [];
      const settings = isRecord(props.settings) ? props.settings : {};
      return (['throttlingRateLimit', 'throttlingBurstLimit'] as const)
        .filter((key) => !positive(settings[key]))
        .map((key) => at(type, name, `settings.${key}`, `must be a number above 0, got ${show(settings[key])}`));
    },
  },
  {
    // The 2024 talk's enforcement at the edge: a bad body is refused by API Gateway before any function runs.
    name: 'api-validates-bodies',
    description: 'Every REST API method that takes a body (POST, PUT, PATCH) names a request validator and a request model.',
    check(type, name, props) {
      if (type !== 'aws:apigateway/method:Method' || !['POST', 'PUT', 'PATCH'].includes(String(props.httpMethod))) return [];
      const problems: string[] = [];
      if (props.requestValidatorId === undefined) problems.push(at(type, name, 'requestValidatorId', 'must name a request validator, got undefined'));
      if (!isRecord(props.requestModels) || Object.keys(props.requestModels).length === 0)
        problems.push(at(type, name, 'requestModels', `must map a content type to a model, got ${show(props.requestModels)}`));
      return problems;
    },
  },
  {
    name: 'secrets-not-in-plain-text',
    description: 'A secret of the stack configuration appears only in a property AWS keeps secret (SECRET_SLOTS).',
    check(type, name, props, context) {
      const slots = SECRET_SLOTS[type] ?? [];
      return (context.secrets ?? []).flatMap(({ key, value }) =>
        secretOccurrences(props, value)
          .filter((path) => !slots.includes(path))
          .map((path) => at(type, name, path, `must not contain the value of secret '${key}' (only ${Object.keys(SECRET_SLOTS).join(', ')} credentials may), got it in plain text`)),
      );
    },
  },
  {
    name: 'bus-policy-principals',
    description: "The stage's bus policy admits exactly the configured accounts or organization; any other bus policy (a route target) admits exactly the stage's account.",
    check(type, name, props, context) {
      if (type !== 'aws:cloudwatch/eventBusPolicy:EventBusPolicy' || props.policy === UNKNOWN) return [];
      const admitted = admittedPrincipals(props.policy);
      const bus = props.eventBusName ?? 'default';
      const expected =
        bus === UNKNOWN || context.stage === undefined
          ? undefined
          : bus === resourcePrefix(context.stage)
            ? context.publishers && configuredPrincipals(context.publishers)
            : context.accountId && [`account:${context.accountId}`];
      if (expected ? admitted.join() === expected.join() : !admitted.includes('*')) return [];
      return [at(type, name, 'policy', `must admit exactly ${expected ? expected.join(', ') : 'named principals, never *'}, got ${admitted.join(', ') || 'nobody'}`)];
    },
  },
];

const AWS_MANAGED_SNS_KEY = /(^|:)alias\/aws\/sns$/;

export const STACK_RULES: readonly StackRule[] = [
  {
    // CloudWatch alarms and EventBridge cannot use alias/aws/sns: its key policy, which AWS owns, grants them nothing.
    // https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
    name: 'service-published-topics-customer-key',
    description: 'An SNS topic that CloudWatch alarms or EventBridge rules publish to is encrypted with a customer-managed key, not alias/aws/sns.',
    check(resources) {
      const publishers = resources.flatMap((r) =>
        r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm'
          ? [...strings(r.props.alarmActions), ...strings(r.props.okActions), ...strings(r.props.insufficientDataActions)]
          : r.type === 'aws:cloudwatch/eventTarget:EventTarget'
            ? strings(r.props.arn)
            : [],
      );
      return resources
        .filter((r) => r.type === 'aws:sns/topic:Topic' && typeof r.props.kmsMasterKeyId === 'string' && AWS_MANAGED_SNS_KEY.test(r.props.kmsMasterKeyId))
        .filter((topic) => publishers.some((arn) => arn === topic.props.arn || (typeof topic.props.name === 'string' && arn.startsWith('arn:aws') && arn.endsWith(`:${topic.props.name}`))))
        .map((topic) => at(topic.type, topic.name, 'kmsMasterKeyId', `must be a customer-managed key CloudWatch and EventBridge may use, got ${show(topic.props.kmsMasterKeyId)}`));
    },
  },
  {
    name: 'stage-bus-has-policy',
    description: "Every copy of the stage's bus (primary and replica) has a bus policy, so its publishers are stated rather than left to defaults.",
    check(resources, context) {
      if (context.stage === undefined) return [];
      const busName = resourcePrefix(context.stage);
      const buses = resources.filter((r) => r.type === 'aws:cloudwatch/eventBus:EventBus' && r.props.name === busName);
      const policies = resources.filter((r) => r.type === 'aws:cloudwatch/eventBusPolicy:EventBusPolicy' && r.props.eventBusName === busName);
      return buses.length > policies.length ? buses.map((bus) => at(bus.type, bus.name, 'policy', `must exist: ${buses.length} buses named ${busName}, ${policies.length} bus policies`)) : [];
    },
  },
];

/**
 * A plain copy of the engine's properties, {@link UNKNOWN} where reading a value throws an error `isUnknown` accepts
 * (the policy SDK throws on values unknown during preview), so one computed ARN does not stop every other check.
 */
export function plainProps(value: unknown, isUnknown: (error: unknown) => boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const read = (key: string | number): unknown => {
    try {
      return plainProps((value as Record<string | number, unknown>)[key], isUnknown);
    } catch (error) {
      if (isUnknown(error)) return UNKNOWN;
      throw error;
    }
  };
  // Index by index: Array.prototype.map would read each element itself, outside `read`'s catch.
  return Array.isArray(value) ? Array.from({ length: value.length }, (_, index) => read(index)) : Object.fromEntries(Object.keys(value).map((key) => [key, read(key)]));
}

/** Runs every resource rule; the messages of all violations. */
export function checkResource(type: string, name: string, props: Props, context: RuleContext): string[] {
  return RESOURCE_RULES.flatMap((rule) => rule.check(type, name, props, context));
}

/** Runs every rule, resource and stack, over a stack's resources. */
export function checkStack(resources: readonly StackResource[], context: RuleContext): string[] {
  return [...resources.flatMap((r) => checkResource(r.type, r.name, r.props, context)), ...STACK_RULES.flatMap((rule) => rule.check(resources, context))];
}

/**
 * The rules' context from a stack's flat configuration (`eventflow:stage` → …, as Pulumi hands it to a program or a
 * policy pack). Without `eventflow:stage` the stage-specific checks are skipped; a present but invalid stage
 * configuration throws ConfigValidationError, as the program itself would.
 */
export function ruleContextFromConfig(all: Readonly<Record<string, string>>, file = 'stack configuration'): RuleContext {
  const secrets = SECRET_CONFIG_KEYS.flatMap((key) => (typeof all[key] === 'string' && all[key] !== '' ? [{ key, value: all[key] }] : []));
  if (all['eventflow:stage'] === undefined) return { secrets };
  const config = parseStageConfig(stageSettings(all), all['aws:region'], file);
  return { stage: config.stage, accountId: config.accountId, publishers: config.publishers, secrets };
}
