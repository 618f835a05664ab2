import { installMocks, ofType, settle, outputValue, type RecordedResource } from '../../helpers/pulumi-mocks';
import type * as Infra from '../../../infra';

const pattern = { source: ['eventflow.delivery'], 'detail-type': ['DeliveryStarted'] };

describe('components', () => {
  let resources: RecordedResource[];
  let infra: typeof Infra;
  let pulumi: typeof import('@pulumi/pulumi');
  let Provider: typeof import('@pulumi/aws/provider').Provider;

  beforeAll(async () => {
    ({ resources, pulumi } = await installMocks());
    infra = await import('../../../infra');
    ({ Provider } = await import('@pulumi/aws/provider'));
  });
  beforeEach(() => (resources.length = 0));

  describe('ApiDestination', () => {
    it('creates a connection with a secret key, a rate-limited destination, and a rule with the talk’s retry policy and a DLQ', async () => {
      const destination = new infra.ApiDestination('delivery', {
        eventBusName: 'bus',
        destinationName: 'delivery-provider',
        endpoint: 'https://delivery.example.com/v1',
        rateLimitPerSecond: 10,
        auth: { type: 'API_KEY', apiKeyName: 'x-api-key', apiKeyValue: pulumi.secret('s3cr3t') },
        pattern,
        ruleName: 'to-delivery-provider',
      });
      await outputValue(destination.apiDestinationArn);
      await settle();

      const connection = ofType(resources, 'aws:cloudwatch/eventConnection:EventConnection')[0]!;
      expect(connection.inputs).toMatchObject({ authorizationType: 'API_KEY', authParameters: { apiKey: { key: 'x-api-key', value: 's3cr3t' } } });
      expect(connection.secretInputs).toContain('authParameters');
      expect(ofType(resources, 'aws:cloudwatch/eventApiDestination:EventApiDestination')[0]!.inputs).toMatchObject({
        invocationEndpoint: 'https://delivery.example.com/v1',
        httpMethod: 'POST',
        invocationRateLimitPerSecond: 10,
      });
      const target = ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget')[0]!.inputs;
      expect(target).toMatchObject({ retryPolicy: { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 4 }, deadLetterConfig: expect.any(Object), roleArn: expect.any(String) });
      const role = JSON.parse(String(ofType(resources, 'aws:iam/rolePolicy:RolePolicy')[0]!.inputs.policy));
      expect(role.Statement[0]).toMatchObject({ Action: 'events:InvokeApiDestination' });
    });

    it('rejects plain http, and a rate limit outside 1–300', () => {
      expect(() =>
        infra.validateApiDestinationArgs('d', {
          eventBusName: 'b',
          destinationName: 'd',
          endpoint: 'http://x',
          rateLimitPerSecond: 0,
          auth: { type: 'API_KEY', apiKeyName: 'k', apiKeyValue: pulumi.output('v') },
          pattern,
          ruleName: 'r',
        }),
      ).toThrow(`ApiDestination "d": 'endpoint' must be an https:// URL, got "http://x"\nApiDestination "d": 'rateLimitPerSecond' must be an integer between 1 and 300, got 0`);
    });
  });

  describe('GlobalEndpoint', () => {
    it('rejects a secondary region equal to the primary', () => {
      expect(() => infra.validateGlobalEndpointArgs('g', { endpointName: 'e', primary: { region: 'eu-west-1', eventBusArn: 'arn' }, secondary: { region: 'eu-west-1', eventBusArn: 'arn2' } })).toThrow(
        `GlobalEndpoint "g": 'secondary.region' must differ from the primary region, got "eu-west-1"`,
      );
    });
  });

  describe('CrossAccountRoute', () => {
    it('targets the other account’s bus through a role that may only PutEvents on it', async () => {
      const provider = new Provider('payments', {});
      const route = new infra.CrossAccountRoute('payments', {
        sourceEventBusName: 'bus',
        sourceAccountId: '111111111111',
        ruleName: 'to-payments',
        pattern,
        target: { accountId: '222222222222', region: 'eu-west-1', eventBusName: 'payments' },
        targetProvider: provider,
      });
      await outputValue(route.ruleArn);
      await settle();

      const target = ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget')[0]!.inputs;
      expect(target.arn).toBe('arn:aws:events:eu-west-1:222222222222:event-bus/payments');
      const role = JSON.parse(String(ofType(resources, 'aws:iam/rolePolicy:RolePolicy')[0]!.inputs.policy));
      expect(role.Statement).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-west-1:222222222222:event-bus/payments' }]);
    });

    it('refuses a route within one account', () => {
      expect(() =>
        infra.validateCrossAccountRouteArgs('r', {
          sourceEventBusName: 'b',
          sourceAccountId: '111111111111',
          ruleName: 'r',
          pattern,
          target: { accountId: '111111111111', region: 'eu-west-1', eventBusName: 'b' },
          targetProvider: new Provider('x', {}),
        }),
      ).toThrow(`CrossAccountRoute "r": 'target.accountId' must differ from the source account: use a Subscription within one account`);
    });
  });

  describe('Observability', () => {
    it('alarms on each rule metric, DLQ depth, function errors and saga failures, all notifying one topic', async () => {
      const observability = new infra.Observability('obs', {
        prefix: 'p',
        region: 'eu-west-1',
        eventBusName: 'bus',
        ruleNames: { r: 'r1' },
        queueNames: { q: 'q1' },
        functionNames: { f: 'f1' },
        stateMachineArn: 'arn:sm',
      });
      await outputValue(observability.dashboardName);
      await settle();

      const alarms = ofType(resources, 'aws:cloudwatch/metricAlarm:MetricAlarm').map((a) => a.inputs as { metricName?: string; metricQueries?: Array<{ metric?: { metricName: string } }> });
      // The success-rate alarm is metric math: its metrics are in its queries, it names none itself.
      expect(
        alarms
          .map(
            (a) =>
              a.metricName ??
              a.metricQueries
                ?.map((q) => q.metric?.metricName)
                .filter(Boolean)
                .join('/'),
          )
          .sort(),
      ).toEqual(
        [
          'ApproximateAgeOfOldestMessage',
          'ApproximateNumberOfMessagesVisible',
          'Errors',
          'Throttles',
          'IngestionToInvocationSuccessLatency',
          'IngestiontoInvocationStartLatency',
          'InvocationAttempts/SuccessfulInvocationAttempts',
          'ExecutionsFailed',
          'ExecutionsTimedOut',
          'FailedInvocations',
          'InvocationsFailedToBeSentToDlq',
          'InvocationsSentToDlq',
          'ThrottledRules',
        ].sort(),
      );
      for (const alarm of alarms) expect(alarm).toMatchObject({ treatMissingData: 'notBreaching', alarmActions: [expect.stringContaining('p-alarms')] });
      const dashboard = JSON.parse(String(ofType(resources, 'aws:cloudwatch/dashboard:Dashboard')[0]!.inputs.dashboardBody)) as { widgets: Array<{ properties: { metrics: unknown[] } }> };
      const metrics = JSON.stringify(dashboard.widgets.map((w) => w.properties.metrics));
      for (const name of [
        'MatchedEvents',
        'InvocationAttempts',
        'SuccessfulInvocationAttempts',
        'RetryInvocationAttempts',
        'IngestiontoInvocationStartLatency',
        'IngestionToInvocationSuccessLatency',
        'ApproximateNumberOfMessagesVisible',
      ])
        expect(metrics).toContain(name);
    });
  });
});
