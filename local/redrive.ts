import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { redriveEntry, redriveEnvelopeOf, ruleOfRedriveRule } from '../model/redrive';
import type { LocalQueue } from './bus/local-queue';
import { LocalRuntimeError, RedriveRefusedError } from './errors';

/** A message read from a dead-letter queue or an on-failure destination. */
export interface DeadLetter {
  /** The receipt handle of this receive: what deletes or releases the message. */
  readonly id: string;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A queue as redrive reads it: messages taken out of sight while handled, deleted once their target took them. */
export interface DeadLetterSource {
  readonly name: string;
  /** The next messages, hidden from other readers while they are handled; empty once none is visible. */
  receive(): Promise<DeadLetter[]>;
  delete(message: DeadLetter): Promise<void>;
  /** Makes a message visible again at once. */
  release(message: DeadLetter): Promise<void>;
}

/** Where a dead letter goes back to: the one target that failed it, or nowhere (kept and reported). */
export type RedriveRoute =
  | {
      readonly kind: 'lambda';
      readonly functionArn: string;
      readonly event: unknown;
      /** A rule DLQ's dead letter (EventBridge could not hand the event to Lambda) or an on-failure record (the function failed it). */
      readonly from: 'rule-dlq' | 'on-failure';
      readonly detailType: string;
    }
  | {
      readonly kind: 'api-destination';
      readonly apiDestinationArn: string;
      readonly eventBusName: string;
      /** The subscription's rule, whose redrive rule takes the envelope. */
      readonly ruleName: string;
      readonly event: Readonly<Record<string, unknown>>;
      readonly detailType: string;
    }
  | { readonly kind: 'unroutable'; readonly reason: string; readonly detailType: string };

/** One message's fate. */
export interface RedriveOutcome {
  readonly id: string;
  readonly detailType: string;
  /** The target the message went (or would go) back to, or `?`. */
  readonly target: string;
  /** `failed`: the target refused it again; `unroutable`: no target can be told from it. Both are kept. */
  readonly result: 'redriven' | 'failed' | 'unroutable';
  readonly reason?: string;
}

/** The clients a redrive reaches the targets with. */
export interface RedriveTargets {
  /** Puts the redrive envelopes of API destination targets. @default - a client configured from the environment */
  readonly eventBridge?: EventBridgeClient;
  /** @deprecated the EventBridge client under the name the bus-wide redrive gave it; use `eventBridge`. */
  readonly client?: EventBridgeClient;
  /** Invokes Lambda targets asynchronously. @default - a client configured from the environment */
  readonly lambda?: LambdaClient;
  /** The bus that holds the redrive rules. @default - the bus named in each dead letter's RULE_ARN */
  readonly eventBusName?: string;
}

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
const API_DESTINATION_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:api-destination\/.+$/;
// A rule on a custom bus is `rule/<bus>/<rule>`; on the default bus `rule/<rule>`.
const RULE_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:rule\/(?:([^/]+)\/)?([^/]+)$/;

/**
 * Reads a message as what it is and says where it goes back to. A Lambda invocation record (on-failure
 * destination: `requestContext.functionArn`, `requestPayload`) goes to that function. An EventBridge dead
 * letter (the event as body; RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE as attributes) goes to its
 * TARGET_ARN: a function directly, an API destination through its rule's redrive rule; a dead letter of a
 * redrive rule is unwrapped to the original event and rule. Anything else is unroutable.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
export function routeDeadLetter(message: { readonly body: string; readonly attributes: Readonly<Record<string, string>> }): RedriveRoute {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return { kind: 'unroutable', reason: 'the body is not JSON', detailType: '?' };
  }
  if (!isRecord(body)) return { kind: 'unroutable', reason: 'the body is not a JSON object', detailType: '?' };

  const context = body.requestContext;
  if (body.version === '1.0' && isRecord(context) && typeof context.functionArn === 'string' && 'requestPayload' in body) {
    const detailType = detailTypeOf(body.requestPayload);
    if (context.condition === 'Success') return { kind: 'unroutable', reason: 'a record of a successful invocation: nothing failed', detailType };
    if (!LAMBDA_ARN.test(context.functionArn)) return { kind: 'unroutable', reason: `requestContext.functionArn ${context.functionArn} is not a function ARN`, detailType };
    return { kind: 'lambda', functionArn: context.functionArn, event: body.requestPayload, from: 'on-failure', detailType };
  }

  const ruleArn = message.attributes.RULE_ARN;
  const targetArn = message.attributes.TARGET_ARN;
  if (!ruleArn || !targetArn) {
    return { kind: 'unroutable', reason: 'neither a Lambda invocation record nor an EventBridge dead letter (no RULE_ARN and TARGET_ARN attributes)', detailType: detailTypeOf(body) };
  }
  const envelope = redriveEnvelopeOf(body);
  const event = envelope?.event ?? body;
  const detailType = detailTypeOf(event);
  if (LAMBDA_ARN.test(targetArn)) return { kind: 'lambda', functionArn: targetArn, event, from: 'rule-dlq', detailType };
  if (!API_DESTINATION_ARN.test(targetArn)) return { kind: 'unroutable', reason: `target ${targetArn} is neither a Lambda function nor an API destination`, detailType };
  const rule = RULE_ARN.exec(ruleArn);
  if (!rule) return { kind: 'unroutable', reason: `RULE_ARN ${ruleArn} is not a rule ARN`, detailType };
  const [, eventBusName = 'default', ruleName = ''] = rule;
  // The redrive rule's own dead letter names the redrive rule; the envelope (or the name) leads back to the subscription's rule.
  return { kind: 'api-destination', apiDestinationArn: targetArn, eventBusName, ruleName: envelope?.rule ?? ruleOfRedriveRule(ruleName) ?? ruleName, event, detailType };
}

/**
 * Sends every message of `source` back to the one target that failed it (see {@link routeDeadLetter}), never
 * through the whole bus: a Lambda target is invoked asynchronously with the original event; an API destination
 * receives it through its redrive rule (model/redrive.ts). A message is deleted only once its target accepted
 * it again (Lambda answered 202, EventBridge gave the envelope an event id); a failed or unroutable message is
 * kept, and made visible again when the run ends. A target that fails again while the run goes on sends a new
 * dead letter of the same event; the run keeps it for the next run instead of chasing it forever.
 */
export async function redrive(source: DeadLetterSource, targets: RedriveTargets = {}): Promise<RedriveOutcome[]> {
  const eventBridge = targets.eventBridge ?? targets.client ?? new EventBridgeClient({});
  let lambda = targets.lambda;
  const outcomes: RedriveOutcome[] = [];
  const kept: DeadLetter[] = [];
  const seen = new Set<string>();
  const redriven = new Set<string>();
  for (;;) {
    const batch = await source.receive();
    // Kept messages stay hidden until the run ends, so an empty batch (or one of repeats) means all were seen.
    const fresh = batch.filter((message) => !seen.has(message.messageId));
    kept.push(...batch.filter((message) => seen.has(message.messageId)));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.messageId);
      const route = routeDeadLetter(message);
      const target = describeTarget(route);
      if (route.kind === 'unroutable') {
        outcomes.push({ id: message.messageId, detailType: route.detailType, target, result: 'unroutable', reason: route.reason });
        kept.push(message);
        continue;
      }
      const key = deliveryKey(route);
      if (redriven.has(key)) {
        outcomes.push({
          id: message.messageId,
          detailType: route.detailType,
          target,
          result: 'failed',
          reason: 'this run already sent the same event to this target (it failed again, or the queue held it twice); kept for the next run',
        });
        kept.push(message);
        continue;
      }
      redriven.add(key);
      try {
        if (route.kind === 'lambda') {
          lambda ??= new LambdaClient({});
          const response = await lambda.send(new InvokeCommand({ FunctionName: route.functionArn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(route.event)) }));
          if (response.StatusCode !== 202) throw new RedriveRefusedError(`Lambda answered ${response.StatusCode ?? 'no status'} instead of 202`);
        } else {
          const response = await eventBridge.send(new PutEventsCommand({ Entries: [redriveEntry(targets.eventBusName ?? route.eventBusName, route.ruleName, route.event)] }));
          const entry = response.Entries?.[0];
          if (!entry?.EventId) throw new RedriveRefusedError(`${entry?.ErrorCode ?? 'no result'}: ${entry?.ErrorMessage ?? ''}`);
        }
      } catch (error) {
        outcomes.push({ id: message.messageId, detailType: route.detailType, target, result: 'failed', reason: `${(error as Error).name}: ${(error as Error).message}` });
        kept.push(message);
        continue;
      }
      try {
        await source.delete(message);
        outcomes.push({ id: message.messageId, detailType: route.detailType, target, result: 'redriven' });
      } catch (error) {
        outcomes.push({ id: message.messageId, detailType: route.detailType, target, result: 'redriven', reason: `not deleted (${(error as Error).message}): a later redrive sends it again` });
      }
    }
  }
  await releaseAll(source, kept, outcomes);
  return outcomes;
}

/** Every message of `source` with the target it would go back to, leaving the queue as it was. */
export async function listDeadLetters(source: DeadLetterSource): Promise<Array<{ readonly message: DeadLetter; readonly route: RedriveRoute; readonly target: string }>> {
  const listed: Array<{ message: DeadLetter; route: RedriveRoute; target: string }> = [];
  const seen = new Set<string>();
  for (;;) {
    const fresh = (await source.receive()).filter((message) => !seen.has(message.messageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.messageId);
      const route = routeDeadLetter(message);
      listed.push({ message, route, target: describeTarget(route) });
    }
  }
  await releaseAll(
    source,
    listed.map((entry) => entry.message),
    [],
  );
  return listed;
}

/** A local queue, read in process with the same receive, delete and visibility semantics as through SQS. */
export function localSource(queue: LocalQueue, visibilitySeconds = 300): DeadLetterSource {
  return {
    name: queue.name,
    receive: async () =>
      queue.receive(10, visibilitySeconds).map(({ message, receiptHandle }) => ({ id: receiptHandle, messageId: message.messageId, body: message.body, attributes: message.attributes })),
    delete: async (message) => {
      if (queue.deleteByReceiptHandle(message.id) === 'invalid') throw new LocalRuntimeError(`receipt handle of ${message.messageId} is not valid for ${queue.name}`);
    },
    release: async (message) => void queue.changeVisibility(message.id, 0),
  };
}

/**
 * An SQS queue by URL (AWS, or the local runtime's SQS endpoint): messages received ten at a time with long
 * polling, hidden for `visibilitySeconds` while their target is tried.
 */
export function sqsSource(queueUrl: string, client = new SQSClient({}), options: { readonly visibilitySeconds?: number; readonly waitSeconds?: number } = {}): DeadLetterSource {
  return {
    name: queueUrl,
    receive: async () => {
      const batch = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: options.visibilitySeconds ?? 300,
          WaitTimeSeconds: options.waitSeconds ?? 1,
          MessageAttributeNames: ['All'],
        }),
      );
      return (batch.Messages ?? []).map((message) => ({
        id: message.ReceiptHandle ?? '',
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        attributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue ?? ''])),
      }));
    },
    delete: async (message) => void (await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.id }))),
    release: async (message) => void (await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.id, VisibilityTimeout: 0 }))),
  };
}

/** A route's target in words, for reports. */
export function describeTarget(route: RedriveRoute): string {
  if (route.kind === 'lambda') return route.functionArn;
  if (route.kind === 'api-destination') return `${route.apiDestinationArn} (rule ${route.ruleName} on ${route.eventBusName})`;
  return '?';
}

/** The same event for the same target: a redrive run sends it once. */
function deliveryKey(route: Exclude<RedriveRoute, { kind: 'unroutable' }>): string {
  const target = route.kind === 'lambda' ? route.functionArn.replace(/:\$LATEST$/, '') : `${route.eventBusName}/${route.ruleName}`;
  return createHash('sha256')
    .update(`${target}\n${JSON.stringify(route.event)}`)
    .digest('hex');
}

async function releaseAll(source: DeadLetterSource, messages: readonly DeadLetter[], outcomes: RedriveOutcome[]): Promise<void> {
  for (const message of messages) {
    try {
      await source.release(message);
    } catch (error) {
      // Harmless for the message (it reappears when its visibility timeout ends), but worth saying.
      const index = outcomes.findIndex((outcome) => outcome.id === message.messageId);
      const outcome = outcomes[index];
      if (outcome) outcomes[index] = { ...outcome, reason: `${outcome.reason ?? ''}; stays hidden until its visibility timeout ends (${(error as Error).message})` };
      else throw error;
    }
  }
}

function detailTypeOf(event: unknown): string {
  return isRecord(event) && typeof event['detail-type'] === 'string' ? event['detail-type'] : '?';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
