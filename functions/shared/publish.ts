// Registers the SigV4a signer with the SDK: PutEvents to a global endpoint (EndpointId) is multi-region
// and must be signed with SigV4a, which the SDK only finds when this package has been loaded.
import '@aws-sdk/signature-v4a';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { EventCatalog } from '../../model/catalog';
import { loadCatalog } from '../../model';
import type { EventName } from './catalog-types';
import { envelopesFor, type Fact, type FactAbout, type VersionedEnvelope } from './envelope';
import { SDK_CLIENT_DEFAULTS } from './sdk';
import { currentTraceHeader } from './trace-context';
import { EntryTooLargeError, EventValidationError, PublishFailedError, PublishRequestError, type FailedEntry, type InvalidEvent } from './errors';
import { PUT_EVENTS_QUOTAS, fullJitterDelay } from '../../model/limits';
import { PublishTally, producerMetricsFromEnv } from './metrics';
import { tracedClient } from './powertools';
import { SCHEMA_BASE_URL_ENV, schemaLocator, type SchemaLocator } from '../../model/schema-location';

/** PutEvents quotas the publisher enforces before sending. */
export const PUT_EVENTS_LIMITS = {
  /** Entries per PutEvents request. */
  maxEntriesPerRequest: PUT_EVENTS_QUOTAS.maxEntries,
  /** Bytes per entry and per request, measured as EventBridge measures them. */
  maxBytes: PUT_EVENTS_QUOTAS.maxRequestBytes,
} as const;

/** Entry error codes worth another attempt; anything else (malformed detail, access denied…) fails at once. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set(['InternalFailure', 'InternalException', 'ThrottlingException', 'ServiceUnavailable', 'ServiceUnavailableException']);

export interface RetryOptions {
  /** Attempts per entry, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff before the n-th retry is drawn from [0, min(maxDelayMs, baseDelayMs × 2ⁿ)] (full jitter). @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
}

export const PUBLISH_DEFAULTS = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2000 } as const;

export interface PublisherOptions {
  /** Name or ARN of the event bus. */
  readonly eventBusName: string;
  /** Global endpoint id: events go to the endpoint, which routes them to the healthy region. @default - the regional bus */
  readonly endpointId?: string;
  /** @default - a client configured from the environment (AWS_ENDPOINT_URL_EVENTBRIDGE and the usual variables) */
  readonly client?: EventBridgeClient;
  /** @default - the committed catalog */
  readonly catalog?: EventCatalog;
  readonly retry?: RetryOptions;
  /**
   * The base URL each version's schema is published under; `metadata.schema` is the version's URL beneath it.
   * @default - EVENT_SCHEMA_BASE_URL, set by infra and the local runtime; without it, the schema registry name
   */
  readonly schemaBaseUrl?: string;
  /** X-Ray trace header passed on each entry. @default - the invocation's: `_X_AMZN_TRACE_ID`, which Lambda sets while tracing is active */
  readonly traceHeader?: () => string | undefined;
  /**
   * The events this producer may state, as its action declares them in the model (`emits`); a fact of any other
   * event is refused before anything is sent. The bindings check the data of a fact; this checks the producer.
   * @default - any event of the catalog
   */
  readonly emits?: readonly string[];
  /**
   * Where the producer reports its PutEvents calls (model PRODUCER_METRICS: entries attempted, failed per error code,
   * retries, entries given up), as EMF flushed at the end of each `publish`.
   * @default - {@link producerMetricsFromEnv}: POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME; none outside Lambda without a namespace
   */
  readonly metrics?: Metrics;
  /** @internal clock, sleep and randomness, replaced in tests */
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** An event that EventBridge accepted. */
export interface PublishedEvent {
  readonly eventId: string;
  readonly envelope: VersionedEnvelope['envelope'];
}

/**
 * Publishes facts to EventBridge as catalog-conformant envelopes.
 *
 * @example
 * ```ts
 * const publisher = new EventPublisher({ eventBusName: process.env.EVENT_BUS_NAME! });
 * await publisher.publish({ detailType: 'PaymentMade', data: payment, cause: event.detail.metadata });
 * ```
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
/** A publisher; `E` narrows the events it may state (see `publisherFor`), for the type-checker as `emits` does at run time. */
export class EventPublisher<E extends EventName = EventName> {
  private readonly client: EventBridgeClient;
  private readonly catalog: EventCatalog;
  private readonly retry: Required<RetryOptions>;
  private readonly metrics: Metrics | undefined;
  private readonly locate: SchemaLocator;

  constructor(private readonly options: PublisherOptions) {
    this.client = options.client ?? tracedClient(new EventBridgeClient({ ...SDK_CLIENT_DEFAULTS }));
    this.catalog = options.catalog ?? loadCatalog();
    this.retry = { ...PUBLISH_DEFAULTS, ...options.retry };
    this.metrics = options.metrics ?? producerMetricsFromEnv();
    this.locate = schemaLocator(options.schemaBaseUrl ?? process.env[SCHEMA_BASE_URL_ENV]);
  }

  /**
   * Validates every fact, then sends them. Nothing is sent unless every event is valid and fits;
   * throws {@link PublishFailedError} naming each entry still rejected after retries.
   */
  async publish(facts: FactAbout<E> | readonly FactAbout<E>[]): Promise<PublishedEvent[]> {
    // A fact about one of E is a fact about an event of the catalog.
    const all = (Array.isArray(facts) ? facts : [facts]) as readonly Fact[];
    const emits = this.options.emits;
    const undeclared = emits ? all.filter((fact) => !emits.includes(fact.detailType)).map((fact) => fact.detailType) : [];
    if (undeclared.length > 0)
      throw new PublishRequestError(`this producer may state only ${emits?.join(', ') || 'nothing'} (its action's emits in the model), not ${[...new Set(undeclared)].join(', ')}`);
    const pending = prepareEntries(this.catalog, all, {
      eventBusName: this.options.eventBusName,
      now: (this.options.now ?? (() => new Date()))(),
      traceHeader: (this.options.traceHeader ?? currentTraceHeader)(),
      locate: this.locate,
    });
    const published: PublishedEvent[] = [];
    const failed: FailedEntry[] = [];
    const tally = new PublishTally();
    try {
      for (const chunk of chunkEntries(pending)) {
        const outcome = await this.sendWithRetries(chunk, tally);
        published.push(...outcome.published);
        failed.push(...outcome.failed);
      }
    } finally {
      // Flushed here, not by a handler wrapper: a handler's wrapper knows nothing of its publisher, and a failed
      // publish is the call whose metrics matter most.
      if (this.metrics) tally.publishTo(this.metrics);
    }
    if (failed.length > 0) throw new PublishFailedError(failed, published.length);
    return published;
  }

  private async sendWithRetries(chunk: readonly PendingEntry[], tally: PublishTally): Promise<{ published: PublishedEvent[]; failed: FailedEntry[] }> {
    const published: PublishedEvent[] = [];
    const failed: FailedEntry[] = [];
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        tally.retries++;
        await this.backoff(attempt - 1);
      }
      tally.attempted += pending.length;
      const { results, callError } = await this.send(pending);
      const retry: PendingEntry[] = [];
      pending.forEach((item, index) => {
        const result = results[index];
        if (result?.EventId && !result.ErrorCode) {
          published.push({ eventId: result.EventId, envelope: item.versioned.envelope });
          return;
        }
        const errorCode = result?.ErrorCode ?? 'MissingResultEntry';
        tally.failed(callError ?? errorCode);
        if (RETRYABLE_ERROR_CODES.has(errorCode) && attempt < this.retry.maxAttempts) {
          retry.push(item);
          return;
        }
        tally.givenUp++;
        const { envelope, entry } = item.versioned;
        failed.push({
          detailType: entry.name,
          version: entry.version,
          idempotencyKey: envelope.detail.metadata.idempotencyKey,
          errorCode,
          errorMessage: result?.ErrorMessage ?? 'PutEvents returned no result for this entry',
          attempts: attempt,
        });
      });
      pending = retry;
    }
    return { published, failed };
  }

  /**
   * One PutEvents call; a request-level failure counts as a failure of every entry in it. `callError` is the thrown
   * error's own name, which the metrics report: the entries' code may say only `InternalFailure`, to be retried.
   */
  private async send(pending: readonly PendingEntry[]): Promise<{ results: PutEventsResultEntry[]; callError?: string }> {
    try {
      const response = await this.client.send(new PutEventsCommand({ Entries: pending.map((item) => item.request), ...(this.options.endpointId ? { EndpointId: this.options.endpointId } : {}) }));
      return { results: response.Entries ?? [] };
    } catch (error) {
      const sdkError = error as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
      const transient = sdkError.$retryable !== undefined || (sdkError.$metadata?.httpStatusCode ?? 0) >= 500;
      const errorCode = transient && !RETRYABLE_ERROR_CODES.has(sdkError.name ?? '') ? 'InternalFailure' : (sdkError.name ?? 'UnknownError');
      return { results: pending.map(() => ({ ErrorCode: errorCode, ErrorMessage: sdkError.message ?? String(error) })), callError: sdkError.name || 'UnknownError' };
    }
  }

  private async backoff(retryNumber: number): Promise<void> {
    const delay = fullJitterDelay(this.retry.baseDelayMs, retryNumber + 1, this.retry.maxDelayMs, this.options.random ?? Math.random);
    await (this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(delay);
  }
}

/** A validated envelope, ready to send as a PutEvents entry. */
export interface PendingEntry {
  readonly versioned: VersionedEnvelope;
  readonly request: PutEventsRequestEntry;
  readonly size: number;
}

/**
 * The producer's promise, kept before anything leaves: wraps facts in envelopes (one per live version),
 * validates each against its version's schema and measures each entry. Throws {@link EventValidationError}
 * listing every invalid event, or {@link EntryTooLargeError}. Shared by the publisher and the saga's tasks,
 * whose entries Step Functions sends.
 */
export function prepareEntries(
  catalog: EventCatalog,
  facts: readonly Fact[],
  options: { readonly eventBusName: string; readonly now: Date; readonly traceHeader?: string | undefined; readonly locate?: SchemaLocator },
): PendingEntry[] {
  const envelopes = facts.flatMap((fact) => envelopesFor(catalog, fact, options.now, options.locate));
  const invalid: InvalidEvent[] = [];
  for (const { entry, envelope } of envelopes) {
    const violations = catalog.checkFor(entry)(envelope);
    if (violations.length > 0) invalid.push({ detailType: entry.name, version: entry.version, violations });
  }
  if (invalid.length > 0) throw new EventValidationError(invalid);
  return envelopes.map((versioned) => {
    const { entry, envelope } = versioned;
    const request: PutEventsRequestEntry = {
      EventBusName: options.eventBusName,
      Source: envelope.source,
      DetailType: envelope['detail-type'],
      Detail: JSON.stringify(envelope.detail),
      ...(options.traceHeader ? { TraceHeader: options.traceHeader } : {}),
    };
    const size = entrySize(request);
    if (size > PUT_EVENTS_LIMITS.maxBytes) throw new EntryTooLargeError(entry.name, entry.version, size, PUT_EVENTS_LIMITS.maxBytes);
    return { versioned, request, size };
  });
}

/**
 * The size EventBridge charges an entry against the 256 KB limit: 14 bytes for Time when set, plus the
 * UTF-8 bytes of Source, DetailType, Detail and each Resource. Written out because no library computes it.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (entry.Time ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0);
}

/** Packs entries in order into requests of at most 10 entries and 256 KB. */
function chunkEntries(entries: readonly PendingEntry[]): PendingEntry[][] {
  const chunks: PendingEntry[][] = [];
  let current: PendingEntry[] = [];
  let currentSize = 0;
  for (const entry of entries) {
    if (current.length === PUT_EVENTS_LIMITS.maxEntriesPerRequest || currentSize + entry.size > PUT_EVENTS_LIMITS.maxBytes) {
      chunks.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(entry);
    currentSize += entry.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
