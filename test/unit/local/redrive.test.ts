import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LocalQueue } from '../../../local/bus/local-queue';
import { matchesPattern, validatePattern } from '../../../local/bus/pattern';
import { localSource, redrive, routeDeadLetter } from '../../../local/redrive';
import { loadOrderSystem } from '../../../model';
import { REDRIVE_DETAIL_TYPE, REDRIVE_SOURCE, redriveEntry, redriveEnvelopeOf, redrivePattern, redriveRuleName, ruleOfRedriveRule } from '../../../model/redrive';
import { thrownBy } from '../../helpers/thrown';

// Dead letters as AWS writes them: an EventBridge rule DLQ message is the event with RULE_ARN, TARGET_ARN,
// ERROR_CODE and ERROR_MESSAGE attributes (https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html);
// a Lambda on-failure record carries requestContext and requestPayload
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
const BUS = 'eventflow-dev';
const RULE = 'eventflow-dev-delivery-NotifyDeliveryProvider';
const RULE_ARN = `arn:aws:events:eu-west-1:123456789012:rule/${BUS}/${RULE}`;
const API_DESTINATION_ARN = 'arn:aws:events:eu-west-1:123456789012:api-destination/eventflow-dev-delivery-provider/6f1e0a8b-1c2d';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:eventflow-dev-notifications-SendEmail';
const EVENT = {
  version: '0',
  id: 'e-1',
  'detail-type': 'DeliveryStarted',
  source: 'eventflow.delivery',
  account: '123456789012',
  time: '2026-11-25T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: { metadata: { version: 1 }, data: { orderId: 'order-1' } },
};
const deadLetter = (body: unknown, attributes: Record<string, string>) => ({ body: JSON.stringify(body), attributes });
const attributesFor = (ruleArn: string, targetArn: string) => ({ RULE_ARN: ruleArn, TARGET_ARN: targetArn, ERROR_CODE: 'SDK_CLIENT_ERROR', ERROR_MESSAGE: 'Unable to invoke ApiDestination endpoint' });
const invocationRecord = (condition = 'RetriesExhausted') => ({
  version: '1.0',
  timestamp: '2026-11-25T10:00:05.000Z',
  requestContext: { requestId: 'r-1', functionArn: `${FUNCTION_ARN}:$LATEST`, condition, approximateInvokeCount: 3 },
  requestPayload: { ...EVENT, 'detail-type': 'PaymentMade' },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: { errorType: 'Error', errorMessage: 'boom', trace: [] },
});

describe('routeDeadLetter', () => {
  it('sends an API destination’s dead letter to its rule’s redrive rule, on the bus named in RULE_ARN', () => {
    const route = routeDeadLetter(deadLetter(EVENT, attributesFor(RULE_ARN, API_DESTINATION_ARN)));

    expect(route).toEqual({ kind: 'api-destination', apiDestinationArn: API_DESTINATION_ARN, eventBusName: BUS, ruleName: RULE, event: EVENT, detailType: 'DeliveryStarted' });
  });

  it('reads a rule of the default bus (rule/<name>)', () => {
    const route = routeDeadLetter(deadLetter(EVENT, attributesFor(`arn:aws:events:eu-west-1:123456789012:rule/${RULE}`, API_DESTINATION_ARN)));

    expect(route).toMatchObject({ kind: 'api-destination', eventBusName: 'default', ruleName: RULE });
  });

  it('unwraps the dead letter of a redrive rule to the original event and rule', () => {
    const envelope = { ...EVENT, source: REDRIVE_SOURCE, 'detail-type': REDRIVE_DETAIL_TYPE, detail: { rule: RULE, event: EVENT } };
    const redriveRuleArn = `arn:aws:events:eu-west-1:123456789012:rule/${BUS}/${redriveRuleName(RULE)}`;

    const fromEnvelope = routeDeadLetter(deadLetter(envelope, attributesFor(redriveRuleArn, API_DESTINATION_ARN)));
    // Should EventBridge dead-letter the event after InputPath, the redrive rule's name still leads back.
    const fromUnwrapped = routeDeadLetter(deadLetter(EVENT, attributesFor(redriveRuleArn, API_DESTINATION_ARN)));

    expect(fromEnvelope).toMatchObject({ kind: 'api-destination', ruleName: RULE, event: EVENT, detailType: 'DeliveryStarted' });
    expect(fromUnwrapped).toMatchObject({ kind: 'api-destination', ruleName: RULE, event: EVENT });
  });

  it('sends a Lambda target’s rule dead letter to the function, with the event', () => {
    const route = routeDeadLetter(deadLetter(EVENT, attributesFor(`arn:aws:events:eu-west-1:123456789012:rule/${BUS}/send-email`, FUNCTION_ARN)));

    expect(route).toEqual({ kind: 'lambda', functionArn: FUNCTION_ARN, event: EVENT, from: 'rule-dlq', detailType: 'DeliveryStarted' });
  });

  it('sends a Lambda on-failure record to its function, with the request payload', () => {
    const record = invocationRecord();

    const route = routeDeadLetter(deadLetter(record, {}));

    expect(route).toEqual({ kind: 'lambda', functionArn: `${FUNCTION_ARN}:$LATEST`, event: record.requestPayload, from: 'on-failure', detailType: 'PaymentMade' });
  });

  it.each([
    ['a body that is not JSON', { body: 'not json', attributes: {} }, 'the body is not JSON'],
    ['a JSON body that is not an object', { body: '[1]', attributes: {} }, 'the body is not a JSON object'],
    ['an event without RULE_ARN and TARGET_ARN', deadLetter(EVENT, {}), 'no RULE_ARN and TARGET_ARN attributes'],
    [
      'a target that is neither a function nor an API destination',
      deadLetter(EVENT, attributesFor(RULE_ARN, 'arn:aws:sqs:eu-west-1:123456789012:orders')),
      'neither a Lambda function nor an API destination',
    ],
    ['a record of a successful invocation', deadLetter(invocationRecord('Success'), {}), 'nothing failed'],
  ])('keeps %s: unroutable, with the reason', (_, message, reason) => {
    const route = routeDeadLetter(message);

    expect(route.kind).toBe('unroutable');
    expect(route.kind === 'unroutable' && route.reason).toContain(reason);
  });
});

describe('the redrive envelope (model/redrive)', () => {
  const app = loadOrderSystem();

  it('is matched by its rule’s redrive rule only: no other redrive rule and no subscription of the model', () => {
    const entry = redriveEntry(BUS, RULE, EVENT);
    const envelope = { ...EVENT, source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) as Record<string, unknown> };

    expect(validatePattern(redrivePattern(RULE))).toEqual([]);
    expect(matchesPattern(redrivePattern(RULE), envelope)).toBe(true);
    expect(matchesPattern(redrivePattern('eventflow-dev-notifications-SendEmail'), envelope)).toBe(false);
    expect(app.subscriptions.filter((subscription) => matchesPattern(subscription.pattern, envelope)).map((s) => s.id)).toEqual([]);
    expect(redriveEnvelopeOf(envelope)).toEqual({ rule: RULE, event: EVENT });
    expect(redriveEnvelopeOf(EVENT)).toBeUndefined();
  });

  it('names the redrive rule after its rule, and refuses a rule name with no room for the suffix', () => {
    const longest = 'r'.repeat(56);

    expect(redriveRuleName(RULE)).toBe(`${RULE}-redrive`);
    expect(ruleOfRedriveRule(redriveRuleName(longest))).toBe(longest);
    expect(ruleOfRedriveRule(RULE)).toBeUndefined();
    expect(thrownBy(() => redriveRuleName('r'.repeat(57))).message).toBe(`Redrive rule of "${'r'.repeat(57)}": 'ruleName' must be between 1 and 56 characters to leave room for '-redrive', got 57`);
  });
});

describe('redrive', () => {
  /** Fake clients that record what they were asked and answer as told. */
  function clients(answers: { lambdaStatus?: number; putEventsError?: string } = {}) {
    const invoked: Array<{ FunctionName?: string; InvocationType?: string; event: unknown }> = [];
    const put: Array<Record<string, unknown>> = [];
    const lambda = {
      send: async (command: { input: { FunctionName?: string; InvocationType?: string; Payload?: Uint8Array } }) => {
        invoked.push({
          FunctionName: command.input.FunctionName,
          InvocationType: command.input.InvocationType,
          event: JSON.parse(Buffer.from(command.input.Payload ?? []).toString('utf8')) as unknown,
        });
        return { StatusCode: answers.lambdaStatus ?? 202 };
      },
    } as unknown as LambdaClient;
    const eventBridge = {
      send: async (command: { input: { Entries: Array<Record<string, unknown>> } }) => {
        put.push(...command.input.Entries);
        return { Entries: [answers.putEventsError ? { ErrorCode: answers.putEventsError, ErrorMessage: 'no' } : { EventId: 'envelope-1' }] };
      },
    } as unknown as EventBridgeClient;
    return { invoked, put, lambda, eventBridge };
  }

  it('invokes a Lambda target asynchronously, puts an API destination’s envelope, and deletes only what was accepted', async () => {
    const queue = new LocalQueue('mixed');
    queue.send(JSON.stringify(EVENT), attributesFor(RULE_ARN, API_DESTINATION_ARN));
    queue.send(JSON.stringify(invocationRecord()), {});
    queue.send('not json', {});
    const fake = clients();

    const outcomes = await redrive(localSource(queue), { eventBridge: fake.eventBridge, lambda: fake.lambda });

    expect(outcomes.map((o) => [o.result, o.detailType])).toEqual([
      ['redriven', 'DeliveryStarted'],
      ['redriven', 'PaymentMade'],
      ['unroutable', '?'],
    ]);
    expect(fake.put).toEqual([{ EventBusName: BUS, Source: REDRIVE_SOURCE, DetailType: REDRIVE_DETAIL_TYPE, Detail: JSON.stringify({ rule: RULE, event: EVENT }) }]);
    expect(fake.invoked).toEqual([{ FunctionName: `${FUNCTION_ARN}:$LATEST`, InvocationType: 'Event', event: invocationRecord().requestPayload }]);
    // Only the unroutable message is left, and visible again for the next run.
    expect(queue.list().map((m) => m.body)).toEqual(['not json']);
    expect(queue.counts()).toMatchObject({ visible: 1, inFlight: 0 });
  });

  it('sends an event once per run: a target failing again during the run leaves a dead letter for the next run', async () => {
    const queue = new LocalQueue('failing-again');
    const redriveRuleArn = `arn:aws:events:eu-west-1:123456789012:rule/${BUS}/${redriveRuleName(RULE)}`;
    queue.send(JSON.stringify(EVENT), attributesFor(RULE_ARN, API_DESTINATION_ARN));
    const fake = clients();
    // The provider is still down: every envelope the bus accepts comes back as a new dead letter at once.
    const eventBridge = {
      send: async (command: { input: { Entries: Array<{ Detail: string }> } }) => {
        const envelope = { ...EVENT, source: REDRIVE_SOURCE, 'detail-type': REDRIVE_DETAIL_TYPE, detail: JSON.parse(command.input.Entries[0]?.Detail ?? '{}') as unknown };
        queue.send(JSON.stringify(envelope), attributesFor(redriveRuleArn, API_DESTINATION_ARN));
        return { Entries: [{ EventId: 'envelope' }] };
      },
    } as unknown as EventBridgeClient;

    const outcomes = await redrive(localSource(queue), { eventBridge, lambda: fake.lambda });

    expect(outcomes.map((o) => o.result)).toEqual(['redriven', 'failed']);
    expect(outcomes[1]?.reason).toContain('kept for the next run');
    expect(queue.list().map((m) => redriveEnvelopeOf(JSON.parse(m.body))?.rule)).toEqual([RULE]);
  });

  it('keeps a message its target refused again, with the reason', async () => {
    const queue = new LocalQueue('refused');
    queue.send(JSON.stringify(EVENT), attributesFor(RULE_ARN, API_DESTINATION_ARN));
    queue.send(JSON.stringify(invocationRecord()), {});
    const fake = clients({ lambdaStatus: 200, putEventsError: 'ResourceNotFoundException' });

    const outcomes = await redrive(localSource(queue), { eventBridge: fake.eventBridge, lambda: fake.lambda, eventBusName: 'no-such-bus' });

    expect(outcomes.map((o) => [o.result, o.reason])).toEqual([
      ['failed', 'RedriveRefusedError: ResourceNotFoundException: no'],
      ['failed', 'RedriveRefusedError: Lambda answered 200 instead of 202'],
    ]);
    expect(fake.put[0]?.EventBusName).toBe('no-such-bus');
    expect(queue.depth).toBe(2);
  });
});
