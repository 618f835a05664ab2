import { installMocks, ofType, settle, outputValue, type RecordedResource } from '../../helpers/pulumi-mocks';
import type * as infra from '../../../infra/subscription';

const pattern = { source: ['eventflow.payment'], 'detail-type': ['PaymentMade'] };

describe('Subscription', () => {
  let resources: RecordedResource[];
  let mod: typeof infra;

  beforeAll(async () => {
    ({ resources } = await installMocks());
    mod = await import('../../../infra/subscription');
  });
  beforeEach(() => (resources.length = 0));

  async function build(args: Partial<infra.SubscriptionArgs> & Pick<infra.SubscriptionArgs, 'target'>) {
    const subscription = new mod.Subscription('send-email', { eventBusName: 'bus', ruleName: 'dev-notifications-SendEmail', pattern, ...args });
    await outputValue(subscription.ruleArn);
    await settle();
    return subscription;
  }

  it('gives a Lambda target an encrypted DLQ admitting only its rule, the default retry policy, a scoped permission and an async failure queue', async () => {
    await build({ target: { kind: 'lambda', functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:f', functionName: 'f', functionRoleName: 'f-role' } });

    const target = ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget')[0]!.inputs;
    expect(target).toMatchObject({ retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 }, deadLetterConfig: { arn: expect.stringContaining('dlq') } });
    expect(JSON.parse(ofType(resources, 'aws:cloudwatch/eventRule:EventRule')[0]!.inputs.eventPattern as string)).toEqual(pattern);
    const queues = ofType(resources, 'aws:sqs/queue:Queue');
    expect(queues.map((q) => q.inputs)).toEqual([expect.objectContaining({ sqsManagedSseEnabled: true }), expect.objectContaining({ sqsManagedSseEnabled: true })]);
    const dlqPolicy = JSON.parse(ofType(resources, 'aws:sqs/queuePolicy:QueuePolicy')[0]!.inputs.policy as string);
    expect(dlqPolicy.Statement[0].Condition).toEqual({ ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/bus/dev-notifications-SendEmail' } });
    expect(ofType(resources, 'aws:lambda/permission:Permission')[0]!.inputs).toMatchObject({
      principal: 'events.amazonaws.com',
      sourceArn: 'arn:aws:events:eu-west-1:111111111111:rule/bus/dev-notifications-SendEmail',
    });
    expect(ofType(resources, 'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig')[0]!.inputs).toMatchObject({
      destinationConfig: { onFailure: { destination: expect.stringContaining('async-failures') } },
    });
  });

  it('gives a state machine target a role allowed StartExecution on that machine only', async () => {
    await build({ target: { kind: 'state-machine', stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:saga' } });

    const policy = JSON.parse(ofType(resources, 'aws:iam/rolePolicy:RolePolicy')[0]!.inputs.policy as string);
    expect(policy.Statement).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: 'arn:aws:states:eu-west-1:111111111111:stateMachine:saga' }]);
    expect(ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget')[0]!.inputs.roleArn).toBeDefined();
  });

  it('honours an overridden retry policy and an explicit DLQ opt-out', async () => {
    await build({
      target: { kind: 'sqs', queueArn: 'arn:aws:sqs:eu-west-1:111111111111:q', queueUrl: 'https://q' },
      retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 60 },
      deadLetterQueue: { enabled: false },
    });

    const target = ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget')[0]!.inputs;
    expect(target.retryPolicy).toEqual({ maximumRetryAttempts: 4, maximumEventAgeInSeconds: 60 });
    expect(target.deadLetterConfig).toBeUndefined();
  });

  it('rejects a retry policy outside AWS’s ranges', () => {
    expect(() =>
      mod.validateSubscriptionArgs('s', {
        eventBusName: 'b',
        ruleName: 'r',
        pattern,
        target: { kind: 'sqs', queueArn: 'a', queueUrl: 'u' },
        retryPolicy: { maximumRetryAttempts: 200, maximumEventAgeInSeconds: 30 },
      }),
    ).toThrow(
      `Subscription "s": 'retryPolicy.maximumRetryAttempts' must be an integer between 0 and 185, got 200\nSubscription "s": 'retryPolicy.maximumEventAgeInSeconds' must be an integer between 60 and 86400, got 30`,
    );
  });

  describe('redrive of an API destination', () => {
    const destination = { kind: 'api-destination' as const, apiDestinationArn: 'arn:aws:events:eu-west-1:111111111111:api-destination/dev-delivery-provider/abcd1234' };

    it('adds a redrive rule matching only envelopes addressed to this rule, reaching the same destination with the original event', async () => {
      // Act
      await build({ ruleName: 'dev-delivery-NotifyDeliveryProvider', target: destination });

      // Assert
      const rules = ofType(resources, 'aws:cloudwatch/eventRule:EventRule').map((rule) => rule.inputs);
      expect(rules.map((rule) => rule.name)).toEqual(['dev-delivery-NotifyDeliveryProvider', 'dev-delivery-NotifyDeliveryProvider-redrive']);
      expect(JSON.parse(rules[1]!.eventPattern as string)).toEqual({ source: ['eventflow.redrive'], 'detail-type': ['DeadLetterRedriven'], detail: { rule: ['dev-delivery-NotifyDeliveryProvider'] } });
      const [target, redriveTarget] = ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget').map((resource) => resource.inputs);
      expect(redriveTarget).toMatchObject({
        rule: 'dev-delivery-NotifyDeliveryProvider-redrive',
        arn: destination.apiDestinationArn,
        inputPath: '$.detail.event',
        roleArn: target!.roleArn,
        deadLetterConfig: target!.deadLetterConfig,
        retryPolicy: target!.retryPolicy,
      });
      const dlqPolicy = JSON.parse(ofType(resources, 'aws:sqs/queuePolicy:QueuePolicy')[0]!.inputs.policy as string);
      expect(dlqPolicy.Statement[0].Condition.ArnEquals['aws:SourceArn']).toHaveLength(2);
    });

    it('leaves room in the rule name for its redrive rule', () => {
      const ruleName = 'r'.repeat(60);

      expect(() => mod.validateSubscriptionArgs('s', { eventBusName: 'b', ruleName, pattern, target: destination })).toThrow(
        `Subscription "s": 'ruleName' must be at most 56 characters for an API destination, to leave room for its redrive rule '-redrive', got 60`,
      );
      expect(() => mod.validateSubscriptionArgs('s', { eventBusName: 'b', ruleName, pattern, target: destination, redrive: { enabled: false } })).not.toThrow();
    });
  });
});
