import type { EventName, LatestDataOf } from './catalog-types';
import type { Fact, FactAbout } from './envelope';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { loadCatalog } from '../../model';
import type { EventCatalog } from '../../model/catalog';
import type { Cause, EventData } from './envelope';
import { prepareEntries } from './publish';
import { currentTraceHeader } from './trace-context';
import { SCHEMA_BASE_URL_ENV, schemaLocator } from '../../model/schema-location';
import { SDK_CLIENT_DEFAULTS } from './sdk';
import { resolvePowertools, traced, type TracerLike } from './powertools';
import { SagaInputError } from './errors';

export { SagaInputError, TransientStepError } from './errors';

/** The order as the saga carries it (OrderCreated's data). */
export interface SagaOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly productId: string;
  readonly quantity: number;
}

/** An earlier step's output in the saga's state: the fact it stated, its data in the newest version. */
export interface StepOutput<N extends EventName> {
  readonly outcome: N;
  readonly data: LatestDataOf<N>;
}

/**
 * Where each forward step's output sits in the saga's state (the ASL's `ResultPath`, `$.<name>`), and the step
 * whose positive outcome later steps read there. A test holds the ASL to it.
 */
export const SAGA_STEP_OUTPUTS = {
  reservation: 'inventory.ReserveItem',
  item: 'inventory.DescribeItem',
  customer: 'customer.DescribeCustomer',
  estimate: 'delivery.EstimateDelivery',
  payment: 'payment.MakePayment',
} as const;

/** The earlier steps' outputs a task may read, by name; present only once the saga ran that step (and it succeeded). */
export interface SagaState {
  readonly reservation?: StepOutput<'ItemReserved'>;
  readonly item?: StepOutput<'ItemDescribed'>;
  readonly customer?: StepOutput<'CustomerDescribed'>;
  readonly estimate?: StepOutput<'DeliveryEstimated'>;
  readonly payment?: StepOutput<'PaymentMade'>;
}

/** What every saga task receives: the saga's state so far plus its own step key. */
export interface SagaTaskInput extends SagaState {
  readonly order: SagaOrder;
  /** The event that started the saga; every fact keeps its correlation id. */
  readonly cause: Cause;
  /** `<saga key>:<state name>`: unique per order and step, identical across retries of that step. */
  readonly stepKey: string;
}

/**
 * The earlier steps' outputs a task needs, each required: a task the saga runs before them is a defect of the
 * definition, refused with the missing names rather than read as undefined.
 */
export function priorSteps<K extends keyof SagaState>(input: SagaTaskInput, ...names: K[]): { readonly [P in K]-?: NonNullable<SagaState[P]> } {
  const missing = names.filter((name) => input[name] === undefined);
  if (missing.length > 0) throw new SagaInputError(`the saga's state lacks ${missing.join(', ')}: this step runs before the steps it reads`);
  return Object.fromEntries(names.map((name) => [name, input[name]])) as { readonly [P in K]-?: NonNullable<SagaState[P]> };
}

/**
 * One fact a task states: its data, or its data per version while an old version is double-published
 * (see {@link Fact.dataByVersion}).
 */
/** The fact a step states: any catalog event with its data typed by the bindings (the task adds the cause). */
export type StepFact = Fact;

/** What a task decided: one fact to announce, or nothing to announce (a compensation with nothing to undo). */
export type StepResult = { readonly fact: StepFact } | { readonly nothing: string };

/** What a step whose action may state the events `E` returns: one of its facts, or nothing to do. */
export type StepResultFor<E extends EventName> = { readonly fact: FactAbout<E> } | { readonly nothing: string };

/** A PutEvents entry as the `events:putEvents` integration takes it (Detail as an object). */
export interface SagaEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: EventData;
  /**
   * The task's X-Ray trace header, so the events the saga publishes for it continue the order's trace: Step
   * Functions' context object has no trace header for the ASL to read, so the task, which Lambda runs in the
   * execution's trace, hands it over with the entry.
   */
  readonly TraceHeader?: string;
}

/** The task's output, which the state machine stores at the step's ResultPath and publishes from. */
export interface SagaTaskOutput {
  /** The fact's detail-type, or the reason nothing was announced; Choice states branch on it. */
  readonly outcome: string;
  /** The fact's data in its newest version: what later states read, whatever versions are published. */
  readonly data: EventData | null;
  readonly entries: readonly SagaEntry[];
}

export interface SagaTaskOptions {
  /** The model's action id, e.g. `inventory.ReserveItem`; prefixes idempotency records. */
  readonly name: string;
  readonly handler: (input: SagaTaskInput, logger: Logger) => Promise<StepResult>;
  /**
   * Where idempotency records live, or `'read-only'` for a task that changes nothing (a record
   * would cost two writes to protect nothing: running it twice already gives the same answer).
   */
  readonly idempotency: { readonly tableName: string; readonly client?: DynamoDBClient } | 'read-only';
  readonly eventBusName: string;
  /**
   * The facts the step may state, as its action declares them in the model; a result stating another is a
   * defect, refused (not retried). @default - any event of the catalog
   */
  readonly emits?: readonly string[];
  /** @default - the committed catalog */
  readonly catalog?: EventCatalog;
  readonly logger?: Logger;
  readonly tracer?: TracerLike;
  /** The base URL the schemas are published under (`metadata.schema`). @default - EVENT_SCHEMA_BASE_URL; without it, registry names */
  readonly schemaBaseUrl?: string;
}

/**
 * Wraps a saga task: checks its input, runs it once per step key, and turns its fact into validated
 * PutEvents entries (the producer's promise) that the state machine publishes with `events:putEvents`.
 */
export function createSagaTask(options: SagaTaskOptions): (input: unknown, context?: Context) => Promise<SagaTaskOutput> {
  const catalog = options.catalog ?? loadCatalog();
  const { logger, tracer } = resolvePowertools(options.name, options);
  const locate = schemaLocator(options.schemaBaseUrl ?? process.env[SCHEMA_BASE_URL_ENV]);

  const run = async (input: SagaTaskInput): Promise<SagaTaskOutput> => {
    const result = await options.handler(input, logger);
    if ('nothing' in result) return { outcome: result.nothing, data: null, entries: [] };
    const fact = result.fact;
    if (options.emits && !options.emits.includes(fact.detailType)) {
      throw new SagaInputError(`${options.name} stated ${fact.detailType}, which its action does not emit in the model (emits: ${options.emits.join(', ')})`);
    }
    const prepared = prepareEntries(catalog, [{ ...fact, cause: { correlationId: input.cause.correlationId, idempotencyKey: input.stepKey } }], {
      eventBusName: options.eventBusName,
      now: new Date(),
      locate,
      traceHeader: currentTraceHeader(),
    });
    const entries = prepared.map(({ request, versioned }) => ({
      EventBusName: options.eventBusName,
      Source: request.Source as string,
      DetailType: request.DetailType as string,
      Detail: versioned.envelope.detail as unknown as EventData,
      ...(request.TraceHeader ? { TraceHeader: request.TraceHeader } : {}),
    }));
    const newest = prepared[prepared.length - 1]?.versioned.envelope.detail.data ?? null;
    return { outcome: fact.detailType, data: newest, entries };
  };

  const runOnce =
    options.idempotency === 'read-only'
      ? run
      : makeIdempotent((input: SagaTaskInput, _context?: Context) => run(input), {
          persistenceStore: new DynamoDBPersistenceLayer({
            tableName: options.idempotency.tableName,
            awsSdkV3Client: options.idempotency.client ?? tracer.captureAWSv3Client(new DynamoDBClient({ ...SDK_CLIENT_DEFAULTS })),
          }),
          config: new IdempotencyConfig({ eventKeyJmesPath: 'stepKey', throwOnNoIdempotencyKey: true, expiresAfterSeconds: 7 * 24 * 60 * 60 }),
          keyPrefix: options.name,
        });

  return async (raw, context) => {
    const input = checkInput(raw, options.name);
    logger.appendKeys({ correlationId: input.cause.correlationId, orderId: input.order.orderId, stepKey: input.stepKey });
    try {
      // With the Lambda context, Powertools bounds the in-progress record by the invocation's remaining time.
      return await traced(tracer, options.name, { correlationId: input.cause.correlationId, orderId: input.order.orderId }, () => runOnce(input, context));
    } finally {
      logger.removeKeys(['correlationId', 'orderId', 'stepKey']);
    }
  };
}

function checkInput(raw: unknown, task: string): SagaTaskInput {
  const input = raw as Partial<SagaTaskInput> | null;
  const problems: string[] = [];
  if (typeof input?.stepKey !== 'string' || input.stepKey.length === 0) problems.push('stepKey must be a non-empty string');
  if (typeof input?.cause?.correlationId !== 'string' || typeof input.cause.idempotencyKey !== 'string') problems.push('cause must hold correlationId and idempotencyKey');
  if (typeof input?.order?.orderId !== 'string') problems.push('order.orderId must be a string');
  if (problems.length > 0) throw new SagaInputError(`${task} was not called by the order saga: ${problems.join('; ')}`);
  return input as SagaTaskInput;
}
