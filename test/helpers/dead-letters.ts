/** A message as a local queue keeps it: its body, and the attributes EventBridge sets on a rule's dead letters. */
export interface DeadLetterMessage {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly sentAt?: string;
}

type Queue = { list(): readonly DeadLetterMessage[] };

/** What a test needs of the running system: its queues, however they are keyed. */
export interface WithDeadLetterQueues {
  /** The rule DLQ of each subscription, by subscription id. */
  readonly deadLetterQueues: ReadonlyMap<string, Queue>;
  /** Every queue by name (rule DLQs and Lambda on-failure destinations), when the system has such a map. */
  readonly queues?: ReadonlyMap<string, Queue>;
}

/** One dead letter: the event that could not be delivered or processed, and why. */
export interface DeadLetter {
  readonly event: unknown;
  readonly reason: string;
}

/**
 * The dead letters of one subscription, oldest first, from every queue that holds them: the rule's DLQ
 * (EventBridge's format: the event as the body, the reason in the ERROR_MESSAGE attribute) and, for a Lambda
 * target, the function's on-failure destination (Lambda's invocation record: `{ requestContext,
 * requestPayload: <event>, responsePayload: { errorType, errorMessage } }`). Tests read dead letters only
 * through this, so a change of format or of queue names is adapted here.
 * Throws when no queue belongs to the subscription, so a renamed queue cannot pass as an empty one.
 */
export function deadLetters(system: WithDeadLetterQueues, subscriptionId: string): DeadLetter[] {
  return queuesOf(system, subscriptionId)
    .flatMap((queue) => queue.list())
    .map((message, index) => ({ message, index }))
    .sort((a, b) => (a.message.sentAt ?? '').localeCompare(b.message.sentAt ?? '') || a.index - b.index)
    .map(({ message }) => {
      const body = JSON.parse(message.body) as unknown;
      if (isInvocationRecord(body)) return { event: body.requestPayload, reason: body.responsePayload?.errorMessage ?? body.requestContext.condition ?? '' };
      return { event: body, reason: message.attributes?.ERROR_MESSAGE ?? '' };
    });
}

/** The queues named after the subscription: its id in `deadLetterQueues`, its slug (`orders-StartOrderSaga-…`) in `queues`. */
function queuesOf(system: WithDeadLetterQueues, subscriptionId: string): Queue[] {
  const slug = subscriptionId.replace(/\./g, '-');
  const named = [...system.deadLetterQueues, ...(system.queues ?? [])].filter(([key]) => key === subscriptionId || key.startsWith(`${slug}-`) || key.startsWith(`${subscriptionId}-`));
  const found = [...new Set(named.map(([, queue]) => queue))];
  if (found.length === 0) throw new Error(`no dead-letter queue for ${subscriptionId} among [${[...system.deadLetterQueues.keys(), ...(system.queues?.keys() ?? [])].join(', ')}]`);
  return found;
}

interface InvocationRecord {
  readonly requestContext: { readonly condition?: string };
  readonly requestPayload: unknown;
  readonly responsePayload?: { readonly errorType?: string; readonly errorMessage?: string };
}

function isInvocationRecord(body: unknown): body is InvocationRecord {
  return typeof body === 'object' && body !== null && 'requestPayload' in body && 'requestContext' in body;
}
