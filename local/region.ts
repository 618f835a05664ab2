import { join } from 'node:path';
import { actionSlug } from '../model/application';
import { PROVIDER_IDEMPOTENCY_HEADER, type DeploymentPlan, type ResourceNames } from '../model/deployment';
import { REDRIVE_INPUT_PATH, redrivePattern, redriveRuleName } from '../model/redrive';
import { API_DESTINATION_DEFAULTS, SUBSCRIPTION_DEFAULTS } from '../model/limits';
import type { BusEvent, LocalEventBus, LocalTarget } from './bus/local-event-bus';
import { LocalQueue } from './bus/local-queue';
import type { DeliverySink } from './delivery-sink';
import type { LambdaService } from './lambda-service';

/** The API key the local delivery provider's connection sends, as a deployed connection would. */
const DELIVERY_API_KEY = 'local-delivery-key';

/** The names of a subscription's local queues, as infra names them without the stage prefix (SQS names allow no dots). */
export function localQueueNames(subscriptionId: string): { readonly deadLetter: string; readonly onFailure: string } {
  return { deadLetter: `${actionSlug(subscriptionId)}-dlq`, onFailure: `${actionSlug(subscriptionId)}-async-failures` };
}

/** Where a local queue keeps its messages. */
export function deadLetterFile(dataDir: string, queueName: string): string {
  return join(dataDir, 'dlq', `${queueName}.json`);
}

export interface RegionWiringOptions {
  readonly plan: DeploymentPlan;
  /** The names of the region the wiring stands in (its function names and ARNs). */
  readonly names: ResourceNames;
  readonly bus: LocalEventBus;
  readonly lambda: LambdaService;
  /** Where the region's queues keep their messages; none keeps them in memory. */
  readonly dataDir?: string;
  /** The function that runs an action, as Lambda invokes it (shared by every region on this machine). */
  readonly invoke: (actionId: string) => (event: unknown) => Promise<unknown>;
  readonly deliverySink: DeliverySink;
}

export interface RegionWiring {
  /** The rule DLQ of each subscription, by subscription id. */
  readonly deadLetterQueues: ReadonlyMap<string, LocalQueue>;
  /** Every queue of the region by queue name: rule DLQs and the on-failure destination of each Lambda subscription. */
  readonly queues: ReadonlyMap<string, LocalQueue>;
}

/**
 * One region's share of the deployment plan, as infra deploys it per region: a function per action on the
 * region's Lambda (with its on-failure queue), and a rule per subscription on the region's bus with its DLQ
 * and retry policy (an API destination gets a second rule for redrives).
 */
export function wireRegion(options: RegionWiringOptions): RegionWiring {
  const { plan, names, bus, lambda, invoke } = options;
  const queues = new Map<string, LocalQueue>();
  const queue = (name: string) => {
    const created = new LocalQueue(name, options.dataDir === undefined ? undefined : deadLetterFile(options.dataDir, name));
    queues.set(name, created);
    return created;
  };
  const deadLetterQueues = new Map<string, LocalQueue>();
  const onFailureQueues = new Map<string, LocalQueue>();
  for (const subscription of plan.subscriptions) {
    const queueNames = localQueueNames(subscription.id);
    deadLetterQueues.set(subscription.id, queue(queueNames.deadLetter));
    if (subscription.target !== 'api-destination') onFailureQueues.set(subscription.id, queue(queueNames.onFailure));
  }
  for (const { id } of plan.functions) {
    const onFailure = onFailureQueues.get(id);
    lambda.register({ name: names.functionName(id), handler: invoke(id), ...(onFailure ? { onFailure } : {}) });
  }
  for (const subscription of plan.subscriptions) {
    const deadLetters = deadLetterQueues.get(subscription.id) as LocalQueue;
    if (subscription.target === 'api-destination') {
      const destination = apiDestination(names, subscription.id, deadLetters, options.deliverySink);
      bus.addRule(subscription.id, subscription.pattern, destination.target);
      // The same destination, reached only by redrive envelopes addressed to this rule (model/redrive.ts).
      bus.addRule(redriveRuleName(subscription.id), redrivePattern(subscription.id), destination.redriveTarget);
    } else {
      // EventBridge hands the event to Lambda asynchronously: delivered once Lambda accepted it; Lambda retries.
      const functionArn = lambda.getFunction(names.functionName(subscription.id)).arn;
      bus.addRule(subscription.id, subscription.pattern, {
        id: functionArn,
        retryPolicy: SUBSCRIPTION_DEFAULTS,
        deadLetterQueue: deadLetters,
        invoke: async (event) => void lambda.invokeAsync(functionArn, event),
      });
    }
  }
  return { deadLetterQueues, queues };
}

/**
 * An API destination subscription's target as the local bus calls it, with the policy its deployed counterpart
 * has, and the same destination as its redrive rule's target, which unwraps the envelope as InputPath does.
 * Each request carries the event's idempotency key, as the deployed target's header parameter sends it, so the
 * provider can answer a repeated delivery (a retry, a replay, the other region) without acting twice.
 */
function apiDestination(names: ResourceNames, id: string, deadLetters: LocalQueue, deliverySink: DeliverySink): { target: LocalTarget; redriveTarget: LocalTarget } {
  const { region, accountId } = names.placement;
  const arn = `arn:aws:events:${region}:${accountId}:api-destination/${names.apiDestinationName(id)}/local`;
  const send = async (body: unknown) => {
    // An API destination sends the event as the body, with the connection's key, and waits at most 5 s.
    const key = idempotencyKeyOf(body);
    const response = await fetch(deliverySink.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DELIVERY_API_KEY, ...(key ? { [PROVIDER_IDEMPOTENCY_HEADER.name.toLowerCase()]: key } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (response.ok) return;
    // EventBridge retries an API destination's 401, 407, 409, 429 and 5xx answers; any other 4xx goes to the DLQ
    // at once (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html).
    const retryable = response.status >= 500 || [401, 407, 409, 429].includes(response.status);
    throw Object.assign(new Error(`delivery provider answered ${response.status}: ${(await response.text()).slice(0, 1000)}`), { name: `HTTP${response.status}`, retryable });
  };
  const policy = { id: arn, retryPolicy: API_DESTINATION_DEFAULTS, deadLetterQueue: deadLetters };
  return { target: { ...policy, invoke: send }, redriveTarget: { ...policy, invoke: (event: BusEvent) => send(valueAt(event, REDRIVE_INPUT_PATH)) } };
}

function idempotencyKeyOf(body: unknown): string | undefined {
  const key = valueAt(body, PROVIDER_IDEMPOTENCY_HEADER.path);
  return typeof key === 'string' ? key : undefined;
}

/** What a JSONPath of dotted names (`$.detail.event`), as InputPath takes it, selects in a value. */
function valueAt(value: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter((key) => key !== '')
    .reduce<unknown>((current, key) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined), value);
}
