import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { EventCatalog, EventVersion } from '../../model/catalog';
import { loadCatalog } from '../../model';
import { compileSchema, type SchemaCheck, type Violation } from '../../model/schema-validation';
import type { EventData, EventEnvelope } from './envelope';
import { EventValidationError } from './errors';
import { resolvePowertools, traced, type TracerLike } from './powertools';
import { SDK_CLIENT_DEFAULTS } from './sdk';

/** An event as EventBridge delivers it to a target: the envelope plus EventBridge's own fields. */
export type DeliveredEvent<TData extends EventData = EventData> = EventEnvelope<TData> & {
  readonly id?: string;
  readonly time?: string;
  readonly account?: string;
  readonly region?: string;
};

/** What a handler gets besides the event. */
export interface ConsumerContext {
  readonly logger: Logger;
  readonly lambdaContext: Context;
}

export const CONSUMER_DEFAULTS = {
  /** How long an idempotency record protects against a repeat: EventBridge retries for up to 24 h. */
  expiresAfterSeconds: 24 * 60 * 60,
} as const;

/**
 * Violations an EventValidationError names before it only counts the rest. A 256 KB event can break its schema
 * thousands of times over (each unknown metadata member is one), and the message travels in the failure record
 * to a queue whose messages have a size limit of their own.
 */
export const MAX_VIOLATIONS_NAMED = 20;

export interface ConsumerOptions<TData extends EventData, TResult> {
  /** Unique consumer name (the model's action id, e.g. `notifications.SendEmail`); prefixes idempotency keys. */
  readonly name: string;
  /** The event versions this consumer understands; anything else is rejected. @default - any catalog event */
  readonly accepts?: readonly EventVersion[];
  readonly handler: (event: DeliveredEvent<TData>, context: ConsumerContext) => Promise<TResult>;
  readonly idempotency: {
    /** DynamoDB table holding idempotency records (see IDEMPOTENCY_TABLE). */
    readonly tableName: string;
    /** @default - a client configured from the environment (AWS_ENDPOINT_URL_DYNAMODB and the usual variables) */
    readonly client?: DynamoDBClient;
    /** @default 86400 */
    readonly expiresAfterSeconds?: number;
  };
  /** @default - the committed catalog */
  readonly catalog?: EventCatalog;
  /** @default - Powertools logger and tracer named after the service part of `name` */
  readonly logger?: Logger;
  readonly tracer?: TracerLike;
}

/** A Lambda handler for EventBridge events. */
export type EventHandler<TResult> = (event: unknown, context: Context) => Promise<TResult>;

/**
 * Wraps a handler so that it runs only on contract-conformant events, once per idempotency key,
 * traced and logged with the event's correlation id.
 *
 * @example
 * ```ts
 * export const handler = createConsumer({
 *   name: 'notifications.SendEmail',
 *   idempotency: { tableName: process.env.IDEMPOTENCY_TABLE_NAME! },
 *   handler: async (event, { logger }) => { logger.info('sending'); return sendEmail(event.detail.data); },
 * });
 * ```
 */
export function createConsumer<TData extends EventData, TResult>(options: ConsumerOptions<TData, TResult>): EventHandler<TResult> {
  const catalog = options.catalog ?? loadCatalog();
  const checkEnvelope = compileSchema(catalog.envelopeSchema);
  const { logger, tracer } = resolvePowertools(options.name, options);
  const accepted = options.accepts ? new Set(options.accepts) : undefined;

  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.idempotency.tableName,
    awsSdkV3Client: options.idempotency.client ?? tracer.captureAWSv3Client(new DynamoDBClient({ ...SDK_CLIENT_DEFAULTS })),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'detail.metadata.idempotencyKey',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.idempotency.expiresAfterSeconds ?? CONSUMER_DEFAULTS.expiresAfterSeconds,
  });
  const runOnce = makeIdempotent((event: DeliveredEvent<TData>, lambdaContext: Context): Promise<TResult> => options.handler(event, { logger, lambdaContext }), {
    persistenceStore,
    config,
    keyPrefix: options.name,
  });

  return async (raw, lambdaContext) => {
    const event = validateDelivered<TData>(raw, catalog, checkEnvelope, accepted, options.name);
    const { correlationId, idempotencyKey, version } = event.detail.metadata;
    logger.appendKeys({ correlationId, idempotencyKey, detailType: event['detail-type'], version });
    try {
      return await traced(tracer, options.name, { correlationId, detailType: event['detail-type'] }, () => runOnce(event, lambdaContext));
    } catch (error) {
      logger.error('handler failed', error as Error);
      throw error;
    } finally {
      logger.removeKeys(['correlationId', 'idempotencyKey', 'detailType', 'version']);
    }
  };
}

function validateDelivered<TData extends EventData>(
  raw: unknown,
  catalog: EventCatalog,
  checkEnvelope: SchemaCheck,
  accepted: ReadonlySet<EventVersion> | undefined,
  consumer: string,
): DeliveredEvent<TData> {
  const envelopeViolations = checkEnvelope(raw);
  const candidate = raw as Partial<DeliveredEvent> | null;
  const detailType = typeof candidate?.['detail-type'] === 'string' ? candidate['detail-type'] : '(no detail-type)';
  if (envelopeViolations.length > 0) throw new EventValidationError([{ detailType, version: null, violations: named(envelopeViolations) }]);
  const event = raw as DeliveredEvent<TData>;
  const version = event.detail.metadata.version;
  const entry = catalog.find(detailType, version);
  if (!entry) {
    const known = catalog.versionsOf(detailType).map((v) => `v${v.version}`);
    const problem = known.length > 0 ? `the catalog has ${known.join(', ')}` : 'the event is not in the catalog';
    throw new EventValidationError([{ detailType, version, violations: [{ path: '$.detail.metadata.version', message: `has no schema: ${problem}` }] }]);
  }
  if (accepted && !accepted.has(entry)) {
    throw new EventValidationError([
      { detailType, version, violations: [{ path: '$["detail-type"]', message: `is not consumed by ${consumer}, which accepts ${[...accepted].map((e) => `${e.name} v${e.version}`).join(', ')}` }] },
    ]);
  }
  const violations = catalog.checkFor(entry)(event);
  if (violations.length > 0) throw new EventValidationError([{ detailType, version, violations: named(violations) }]);
  return event;
}

function named(violations: readonly Violation[]): readonly Violation[] {
  if (violations.length <= MAX_VIOLATIONS_NAMED) return violations;
  return [...violations.slice(0, MAX_VIOLATIONS_NAMED), { path: '$', message: `and ${violations.length - MAX_VIOLATIONS_NAMED} more violations, not listed` }];
}
