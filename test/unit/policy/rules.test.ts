import fc from 'fast-check';
import { UnknownValueError, unknownCheckingProxy } from '@pulumi/policy';
import { CLOUDWATCH_LOG_RETENTION_DAYS } from '../../../model/limits';
import { ConfigValidationError } from '../../../infra/errors';
import { readStackConfig, type SynthResult } from '../../../infra/synth/synthesize';
import {
  RESOURCE_RULES,
  STACK_RULES,
  UNKNOWN,
  admittedPrincipals,
  checkResource,
  plainProps,
  ruleContextFromConfig,
  secretOccurrences,
  type Props,
  type RuleContext,
  type StackResource,
} from '../../../policy/rules';
import { thrownBy } from '../../helpers/thrown';

const SECRET = 'rules-test-secret-4f1c9a';
const CONTEXT: RuleContext = {
  stage: 'dev',
  accountId: '111111111111',
  publishers: { accountIds: ['111111111111'] },
  secrets: [{ key: 'eventflow:deliveryProviderApiKey', value: SECRET }],
};
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

const ruleNamed = (name: string) => RESOURCE_RULES.find((rule) => rule.name === name)!;
const stackRuleNamed = (name: string) => STACK_RULES.find((rule) => rule.name === name)!;

interface Case {
  readonly type: string;
  readonly name: string;
  readonly props: Props;
  readonly context?: RuleContext;
}

/** For each resource rule: a resource that breaks it, and the exact messages it must produce. */
const BROKEN: Readonly<Record<string, Case & { readonly messages: readonly string[] }>> = {
  'iam-no-wildcard-actions': {
    type: 'aws:iam/rolePolicy:RolePolicy',
    name: 'fn-policy',
    props: { policy: policy({ Effect: 'Allow', Action: ['s3:*', 'sqs:SendMessage'], Resource: 'arn:aws:s3:::b' }, { Effect: 'Allow', NotAction: 'iam:CreateUser', Resource: 'arn:aws:s3:::b' }) },
    messages: [
      `aws:iam/rolePolicy:RolePolicy "fn-policy": 'policy.Statement[0].Action' must name actions exactly, without '*', got ["s3:*"]`,
      `aws:iam/rolePolicy:RolePolicy "fn-policy": 'policy.Statement[1].NotAction' must not be used (it allows every action it does not list), got "iam:CreateUser"`,
    ],
  },
  'iam-wildcard-resource-allowlisted': {
    type: 'aws:iam/rolePolicy:RolePolicy',
    name: 'fn-policy',
    props: { policy: policy({ Sid: 'Traces', Effect: 'Allow', Action: [...XRAY, 'dynamodb:GetItem'], Resource: '*' }) },
    messages: [
      `aws:iam/rolePolicy:RolePolicy "fn-policy": 'policy.Statement[0].Resource' must name the resources it grants ('*' only for the actions listed in WILDCARD_RESOURCE_ALLOWANCES), got "*" for ["xray:PutTraceSegments","xray:PutTelemetryRecords","dynamodb:GetItem"]`,
    ],
  },
  'no-unconditioned-wildcard-principal': {
    type: 'aws:sqs/queuePolicy:QueuePolicy',
    name: 'dlq-policy',
    props: { policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111111111111:q' }) },
    messages: [`aws:sqs/queuePolicy:QueuePolicy "dlq-policy": 'policy.Statement[0].Principal' must name principals, or narrow '*' with a Condition, got {"AWS":"*"}`],
  },
  'encryption-at-rest': {
    type: 'aws:sqs/queue:Queue',
    name: 'dlq',
    props: { name: 'dlq', messageRetentionSeconds: 1_209_600 },
    messages: [`aws:sqs/queue:Queue "dlq": 'sqsManagedSseEnabled' must be true (or 'kmsMasterKeyId' set), got undefined`],
  },
  'log-retention': {
    type: 'aws:cloudwatch/logGroup:LogGroup',
    name: 'fn-logs',
    props: { name: '/aws/lambda/fn', retentionInDays: 10 },
    messages: [`aws:cloudwatch/logGroup:LogGroup "fn-logs": 'retentionInDays' must be one of the retention periods CloudWatch Logs accepts (${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')}), got 10`],
  },
  'api-throttling': {
    type: 'aws:apigateway/methodSettings:MethodSettings',
    name: 'api-method-settings',
    props: { methodPath: '*/*', settings: { throttlingRateLimit: 0 } },
    messages: [
      `aws:apigateway/methodSettings:MethodSettings "api-method-settings": 'settings.throttlingRateLimit' must be a number above 0, got 0`,
      `aws:apigateway/methodSettings:MethodSettings "api-method-settings": 'settings.throttlingBurstLimit' must be a number above 0, got undefined`,
    ],
  },
  'api-validates-bodies': {
    type: 'aws:apigateway/method:Method',
    name: 'api-method-POST-orders',
    props: { httpMethod: 'POST', authorization: 'NONE' },
    messages: [
      `aws:apigateway/method:Method "api-method-POST-orders": 'requestValidatorId' must name a request validator, got undefined`,
      `aws:apigateway/method:Method "api-method-POST-orders": 'requestModels' must map a content type to a model, got undefined`,
    ],
  },
  'secrets-not-in-plain-text': {
    type: 'aws:lambda/function:Function',
    name: 'fn',
    props: { environment: { variables: { DELIVERY_AUTH: `Bearer ${SECRET}` } } },
    context: CONTEXT,
    messages: [
      `aws:lambda/function:Function "fn": 'environment.variables.DELIVERY_AUTH' must not contain the value of secret 'eventflow:deliveryProviderApiKey' (only aws:cloudwatch/eventConnection:EventConnection, aws:secretsmanager/secretVersion:SecretVersion credentials may), got it in plain text`,
    ],
  },
  'bus-policy-principals': {
    type: 'aws:cloudwatch/eventBusPolicy:EventBusPolicy',
    name: 'bus-policy',
    props: {
      eventBusName: 'eventflow-dev',
      policy: policy({
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111111111111:root', '999999999999'] },
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/eventflow-dev',
      }),
    },
    context: CONTEXT,
    messages: [`aws:cloudwatch/eventBusPolicy:EventBusPolicy "bus-policy": 'policy' must admit exactly account:111111111111, got account:111111111111, account:999999999999`],
  },
};

describe('policy rules', () => {
  describe('each resource rule catches a crafted violation', () => {
    it('has a crafted violation for every rule', () => {
      expect(Object.keys(BROKEN).sort()).toEqual(RESOURCE_RULES.map((rule) => rule.name).sort());
    });

    it.each(Object.entries(BROKEN))('%s', (name, broken) => {
      // Act
      const messages = ruleNamed(name).check(broken.type, broken.name, broken.props, broken.context ?? {});

      // Assert
      expect(messages).toEqual(broken.messages);
    });
  });

  describe('the cases each rule lets through, and the ones it still catches', () => {
    const check = (type: string, props: Props, context: RuleContext = CONTEXT) => checkResource(type, 'r', props, context);

    it('lets a Deny name any action, and flags a wildcard Lambda permission', () => {
      expect(check('aws:iam/rolePolicy:RolePolicy', { policy: policy({ Effect: 'Deny', Action: '*', Resource: '*' }) })).toEqual([]);
      expect(check('aws:lambda/permission:Permission', { action: 'lambda:*', principal: 'events.amazonaws.com' })).toEqual([
        `aws:lambda/permission:Permission "r": 'action' must name one action exactly, got "lambda:*"`,
      ]);
    });

    it('allows a * resource only to the allowance’s actions and resource types, and never NotResource', () => {
      expect(check('aws:iam/rolePolicy:RolePolicy', { policy: policy({ Effect: 'Allow', Action: XRAY, Resource: '*' }) })).toEqual([]);
      expect(
        check('aws:kms/key:Key', { policy: policy({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' }) }),
      ).toEqual([]);
      expect(
        check('aws:sqs/queuePolicy:QueuePolicy', { policy: policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: XRAY, Resource: '*', Condition: {} }) }),
      ).toHaveLength(1);
      expect(check('aws:iam/role:Role', { inlinePolicies: [{ name: 'p', policy: policy({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::private/*' }) }] })).toEqual([
        `aws:iam/role:Role "r": 'inlinePolicies[0].policy.Statement[0].NotResource' must not be used (it grants every resource it does not list), got "arn:aws:s3:::private/*"`,
      ]);
    });

    it('accepts a * principal held to one organization', () => {
      const orgPolicy = policy({
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/eventflow-dev',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
      });

      expect(check('aws:cloudwatch/eventBusPolicy:EventBusPolicy', { eventBusName: 'eventflow-dev', policy: orgPolicy }, { ...CONTEXT, publishers: { organizationId: 'o-abcdefghij' } })).toEqual([]);
      expect(check('aws:cloudwatch/eventBusPolicy:EventBusPolicy', { eventBusName: 'eventflow-dev', policy: orgPolicy })).toEqual([
        `aws:cloudwatch/eventBusPolicy:EventBusPolicy "r": 'policy' must admit exactly account:111111111111, got org:o-abcdefghij`,
      ]);
    });

    it('holds a route target’s bus policy to the stage’s own account, and any bus policy without context to named principals', () => {
      const admits = (principal: unknown) =>
        policy({ Effect: 'Allow', Principal: principal, Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-west-1:222222222222:event-bus/eventflow-dev-payments' });

      expect(check('aws:cloudwatch/eventBusPolicy:EventBusPolicy', { eventBusName: 'eventflow-dev-payments', policy: admits({ AWS: 'arn:aws:iam::111111111111:root' }) })).toEqual([]);
      expect(check('aws:cloudwatch/eventBusPolicy:EventBusPolicy', { eventBusName: 'eventflow-dev-payments', policy: admits({ AWS: 'arn:aws:iam::333333333333:root' }) })).toHaveLength(1);
      expect(ruleNamed('bus-policy-principals').check('aws:cloudwatch/eventBusPolicy:EventBusPolicy', 'p', { eventBusName: 'x', policy: admits('*') }, {})).toEqual([
        `aws:cloudwatch/eventBusPolicy:EventBusPolicy "p": 'policy' must admit exactly named principals, never *, got *`,
      ]);
    });

    it('takes SSE-SQS or a KMS key for queues, requires a key for topics, and asks nothing of log groups but retention', () => {
      expect(check('aws:sqs/queue:Queue', { sqsManagedSseEnabled: true })).toEqual([]);
      expect(check('aws:sqs/queue:Queue', { kmsMasterKeyId: 'alias/aws/sqs' })).toEqual([]);
      expect(check('aws:sns/topic:Topic', { name: 't' })).toEqual([`aws:sns/topic:Topic "r": 'kmsMasterKeyId' must name a KMS key, got undefined`]);
      expect(check('aws:cloudwatch/logGroup:LogGroup', { retentionInDays: 14 })).toEqual([]);
      expect(check('aws:cloudwatch/logGroup:LogGroup', {})).toEqual([
        `aws:cloudwatch/logGroup:LogGroup "r": 'retentionInDays' must be one of the retention periods CloudWatch Logs accepts (${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')}), got undefined (kept forever)`,
      ]);
    });

    it('accepts a log retention exactly when PutRetentionPolicy does', () => {
      fc.assert(
        fc.property(fc.integer({ min: -10, max: 4000 }), (days) => {
          const accepted = check('aws:cloudwatch/logGroup:LogGroup', { retentionInDays: days }).length === 0;
          return accepted === (CLOUDWATCH_LOG_RETENTION_DAYS as readonly number[]).includes(days);
        }),
      );
    });

    it('lets a secret sit in a connection’s credential, anywhere else not, and never quotes it', () => {
      expect(check('aws:cloudwatch/eventConnection:EventConnection', { authParameters: { apiKey: { key: 'x-api-key', value: SECRET } } })).toEqual([]);
      const leaked = check('aws:cloudwatch/eventConnection:EventConnection', { description: `key ${SECRET}`, authParameters: { basic: { username: 'u', password: SECRET } } });

      expect(leaked).toHaveLength(1);
      expect(leaked[0]).toContain(`'description'`);
      expect(leaked.join()).not.toContain(SECRET);
    });

    it('skips what preview cannot know instead of reporting it', () => {
      expect(check('aws:cloudwatch/logGroup:LogGroup', { retentionInDays: UNKNOWN })).toEqual([]);
      expect(check('aws:cloudwatch/eventBusPolicy:EventBusPolicy', { eventBusName: 'eventflow-dev', policy: UNKNOWN })).toEqual([]);
      expect(check('aws:apigateway/methodSettings:MethodSettings', { settings: { throttlingRateLimit: UNKNOWN, throttlingBurstLimit: UNKNOWN } })).toEqual([]);
    });
  });

  describe('the stack rules', () => {
    const topic = (kmsMasterKeyId: string): StackResource => ({ type: 'aws:sns/topic:Topic', name: 'alarms', props: { name: 'eventflow-dev-alarms', kmsMasterKeyId } });
    const alarm: StackResource = { type: 'aws:cloudwatch/metricAlarm:MetricAlarm', name: 'errors', props: { alarmActions: ['arn:aws:sns:eu-west-1:111111111111:eventflow-dev-alarms'] } };

    it('catches CloudWatch alarms publishing to a topic under alias/aws/sns', () => {
      const rule = stackRuleNamed('service-published-topics-customer-key');

      expect(rule.check([topic('alias/aws/sns'), alarm], CONTEXT)).toEqual([
        `aws:sns/topic:Topic "alarms": 'kmsMasterKeyId' must be a customer-managed key CloudWatch and EventBridge may use, got "alias/aws/sns"`,
      ]);
      expect(rule.check([topic('alias/aws/sns')], CONTEXT)).toEqual([]);
      expect(rule.check([topic('arn:aws:kms:eu-west-1:111111111111:key/k'), alarm], CONTEXT)).toEqual([]);
    });

    it('catches a copy of the stage bus without a bus policy', () => {
      const bus: StackResource = { type: 'aws:cloudwatch/eventBus:EventBus', name: 'bus', props: { name: 'eventflow-dev' } };
      const busPolicy: StackResource = { type: 'aws:cloudwatch/eventBusPolicy:EventBusPolicy', name: 'bus-policy', props: { eventBusName: 'eventflow-dev' } };

      expect(stackRuleNamed('stage-bus-has-policy').check([bus, { ...bus, name: 'replica-bus' }, busPolicy], CONTEXT)).toEqual([
        `aws:cloudwatch/eventBus:EventBus "bus": 'policy' must exist: 2 buses named eventflow-dev, 1 bus policies`,
        `aws:cloudwatch/eventBus:EventBus "replica-bus": 'policy' must exist: 2 buses named eventflow-dev, 1 bus policies`,
      ]);
    });
  });

  describe('helpers', () => {
    it('reads who a bus policy admits', () => {
      expect(
        admittedPrincipals(
          policy({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::222222222222:root', '111111111111'], Service: 'events.amazonaws.com' }, Action: 'events:PutEvents', Resource: 'b' }),
        ),
      ).toEqual(['account:111111111111', 'account:222222222222', 'service:events.amazonaws.com']);
    });

    it('finds a secret at any depth, with the path the mocks record', () => {
      expect(secretOccurrences({ a: [{ b: `x${SECRET}` }], c: 'no' }, SECRET)).toEqual(['a[0].b']);
      expect(secretOccurrences({ name: 'key-service' }, 'key')).toEqual([]);
    });

    it('copies the policy SDK’s properties, marking what preview cannot know', () => {
      const unknownString = '04da6b54-80e4-46f7-96ec-b56ff0331ba9'; // Pulumi's wire value for "unknown during preview"
      const props = unknownCheckingProxy({ name: 'q', policy: unknownString, tags: [unknownString, 'a'] });

      expect(plainProps(props, (error) => error instanceof UnknownValueError)).toEqual({ name: 'q', policy: UNKNOWN, tags: [UNKNOWN, 'a'] });
    });

    it('builds the context from a stack configuration, and fails on one the program would reject', () => {
      const config = readStackConfig('dev');

      expect(ruleContextFromConfig(config)).toMatchObject({
        stage: 'dev',
        accountId: '111111111111',
        publishers: { accountIds: ['111111111111'] },
        // Every authorization type's secret: a stage's file may hold one left over from another type.
        secrets: [{ key: 'eventflow:deliveryProviderApiKey' }, { key: 'eventflow:deliveryProviderPassword' }, { key: 'eventflow:deliveryProviderClientSecret' }],
      });
      expect(ruleContextFromConfig({ 'eventflow:deliveryProviderApiKey': 's' })).toEqual({ secrets: [{ key: 'eventflow:deliveryProviderApiKey', value: 's' }] });
      expect(thrownBy(() => ruleContextFromConfig({ ...config, 'eventflow:logRetentionDays': '10' }), ConfigValidationError).message).toContain(
        `'eventflow:logRetentionDays' must be one of the retention periods`,
      );
    });
  });

  describe('on the synthesized dev stack', () => {
    let result: SynthResult;
    let context: RuleContext;
    beforeAll(async () => {
      const { synthesize } = await import('../../../infra/synth/synthesize');
      result = await synthesize('dev', {}, { stackTraces: false });
      context = ruleContextFromConfig(readStackConfig('dev'));
    }, 60_000);

    it.each(RESOURCE_RULES.map((rule) => rule.name))('%s finds nothing', (name) => {
      expect(result.resources.flatMap((r) => ruleNamed(name).check(r.type, r.name, r.inputs, context))).toEqual([]);
    });

    it.each(STACK_RULES.map((rule) => rule.name))('%s finds nothing', (name) => {
      expect(
        stackRuleNamed(name).check(
          result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
          context,
        ),
      ).toEqual([]);
    });
  });
});
