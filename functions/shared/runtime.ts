import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOrderSystem } from '../../model';
import { IDEMPOTENCY_TABLE } from '../../model/tables';
import { createConsumer, type ConsumerContext, type DeliveredEvent, type EventHandler } from './consume';
import type { EventData } from './envelope';
import { eventBusFromEnv, requiredEnv, tableName } from './env';
import { EventPublisher } from './publish';
import { producerMetricsFromEnv } from './metrics';
import { SDK_CLIENT_DEFAULTS } from './sdk';
import { tracedClient } from './powertools';
import { createSagaTask, type SagaTaskInput, type SagaTaskOutput, type StepResult, type StepResultFor } from './saga-task';
import type { EmitsOf, OrderSystemActionId } from '../../model/order-system';
import type { EventName } from './catalog-types';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { EventflowError } from '../../model/errors';

let dynamo: { client: DynamoDBClient; documents: DynamoDBDocumentClient } | undefined;

/**
 * The DynamoDB clients of a process, configured from the environment (AWS_ENDPOINT_URL_DYNAMODB locally):
 * `client` with the shared SDK defaults (idempotency records go through it), and `documents` on a client of
 * its own, because the document client refuses a base client that caches its middleware.
 */
export function sharedDynamo(): { client: DynamoDBClient; documents: DynamoDBDocumentClient } {
  if (!dynamo) {
    dynamo = {
      client: tracedClient(new DynamoDBClient({ ...SDK_CLIENT_DEFAULTS })),
      // The document client sends through its base client's middleware stack, so capturing the base traces both.
      documents: DynamoDBDocumentClient.from(tracedClient(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } }),
    };
  }
  return dynamo;
}

type TypedTaskFactory<A extends OrderSystemActionId> = (
  handler: (input: SagaTaskInput, logger: Logger) => Promise<StepResultFor<EmitsOf<A> & EventName>>,
  options?: { readonly readOnly?: boolean },
) => (input: unknown, context?: Context) => Promise<SagaTaskOutput>;

/**
 * A saga task of the model's action `actionId`, configured from the environment (EVENT_BUS_NAME and the
 * idempotency table), as infra and the local runtime set it.
 * - `sagaTaskFromEnv('inventory.ReserveItem')(handler)`: the handler is typed by the model and the catalog. It may
 *   state only the facts its action declares (`emits`), each with its schema's data, or the type-check fails. Two
 *   calls, so the action is settled before the handler is checked; in one call TypeScript types the handler first.
 * - `sagaTaskFromEnv(actionId, handler, options)`, the earlier form, still works: the same rule holds at run time
 *   (an undeclared fact is refused), but the type-check sees only that the fact is some catalog event.
 */
export function sagaTaskFromEnv<A extends OrderSystemActionId>(actionId: A): TypedTaskFactory<A>;
export function sagaTaskFromEnv(
  actionId: string,
  handler: (input: SagaTaskInput, logger: Logger) => Promise<StepResult>,
  options?: { readonly readOnly?: boolean },
): (input: unknown, context?: Context) => Promise<SagaTaskOutput>;
export function sagaTaskFromEnv(
  actionId: string,
  handler?: (input: SagaTaskInput, logger: Logger) => Promise<StepResult>,
  options?: { readonly readOnly?: boolean },
): TypedTaskFactory<OrderSystemActionId> | ((input: unknown, context?: Context) => Promise<SagaTaskOutput>) {
  const action = loadOrderSystem().action(actionId);
  if (action.trigger.kind !== 'saga-step') throw new EventflowError(`${actionId} is not a saga step in the model`);
  const build = (run: (input: SagaTaskInput, logger: Logger) => Promise<StepResult>, settings: { readonly readOnly?: boolean } = {}) =>
    createSagaTask({
      name: actionId,
      handler: run,
      eventBusName: requiredEnv('EVENT_BUS_NAME'),
      emits: action.emits,
      idempotency: settings.readOnly ? 'read-only' : { tableName: tableName(IDEMPOTENCY_TABLE), client: sharedDynamo().client },
    });
  if (handler) return build(handler, options);
  // Every fact about the action's events is a fact about an event of the catalog.
  const factory: TypedTaskFactory<OrderSystemActionId> = (typed, settings) => build(typed as (input: SagaTaskInput, logger: Logger) => Promise<StepResult>, settings);
  return factory;
}

/**
 * The publisher of the model's action `actionId`, configured from the environment (its bus, and the global
 * endpoint when the stage has one): it may state only the events the action declares in the model. It reports its
 * PutEvents metrics under the action's service, which the local runtime, running every function in one process,
 * cannot tell it through POWERTOOLS_SERVICE_NAME.
 */
export function publisherFor<A extends OrderSystemActionId>(actionId: A): EventPublisher<EmitsOf<A> & EventName> {
  const action = loadOrderSystem().action(actionId);
  return new EventPublisher<EmitsOf<A> & EventName>({ ...eventBusFromEnv(), emits: action.emits, metrics: producerMetricsFromEnv(action.service) });
}

/** A consumer of the model's subscription `actionId`: it accepts exactly the event versions the model says it consumes. */
export function consumerFromEnv<TData extends EventData, TResult>(actionId: string, handler: (event: DeliveredEvent<TData>, context: ConsumerContext) => Promise<TResult>): EventHandler<TResult> {
  const action = loadOrderSystem().action(actionId);
  if (action.trigger.kind !== 'subscription') throw new EventflowError(`${actionId} is not a subscription in the model`);
  return createConsumer({
    name: actionId,
    accepts: action.inputs,
    handler,
    idempotency: { tableName: tableName(IDEMPOTENCY_TABLE), client: sharedDynamo().client },
  });
}

/**
 * Awaits a conditional write: true when it was applied, false when its condition did not hold (stock too low,
 * item already there, status already moved on). Any other failure is thrown.
 */
export async function applied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * Why DynamoDB cancelled one item of a transaction: its condition did not hold, another request was changing it at
 * the same time, or nothing (another item cancelled the transaction).
 */
export type CancellationCode = 'ConditionalCheckFailed' | 'TransactionConflict' | 'None';

/** How a TransactWriteItems request ended: committed, or cancelled with one code per item, in request order. */
export type TransactionOutcome = { readonly committed: true } | { readonly committed: false; readonly reasons: readonly CancellationCode[] };

const DECIDABLE_CANCELLATIONS: ReadonlySet<string> = new Set<CancellationCode>(['ConditionalCheckFailed', 'TransactionConflict', 'None']);

/**
 * Awaits a TransactWriteItems request, as {@link applied} awaits a conditional write: committed, or cancelled
 * because a condition did not hold or a concurrent request touched one of its items, which the caller answers by
 * reading the items again and deciding anew. A cancellation for any other reason (throttling, validation, an item
 * too large) is thrown with the rest, so it is retried or reported, never mistaken for an outcome.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
export async function committed(transaction: Promise<unknown>): Promise<TransactionOutcome> {
  try {
    await transaction;
    return { committed: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException) && (error as { name?: string } | null)?.name !== 'TransactionCanceledException') throw error;
    const codes = ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    if (codes.length === 0 || !codes.every((code) => DECIDABLE_CANCELLATIONS.has(code))) throw error;
    return { committed: false, reasons: codes as CancellationCode[] };
  }
}
