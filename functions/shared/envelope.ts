import { createHash, randomUUID } from 'node:crypto';
import type { EventCatalog, EventVersion } from '../../model/catalog';
import type { SchemaLocator } from '../../model/schema-location';
import type { DataOf, EventName, VersionOf } from './catalog-types';
import { PublishRequestError } from './errors';

/** `detail.metadata`: how to handle the event, as opposed to the fact itself. */
export interface EventMetadata {
  readonly correlationId: string;
  readonly idempotencyKey: string;
  readonly version: number;
  /** Where this version's schema can be fetched (see `schemaLocator`); the registry name where none is published. */
  readonly schema: string;
  readonly ttl: string | null;
  readonly nextVersion: { readonly version: number; readonly schema: string } | null;
}

/** The JSON object an event's data is. */
export type EventData = { readonly [field: string]: unknown };

/** An event as it travels: EventBridge's source and detail-type around `{ metadata, data }`. */
export interface EventEnvelope<TData extends EventData = EventData> {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: { readonly metadata: EventMetadata; readonly data: TData };
}

/** What a derived fact inherits from the event that caused it. */
export interface Cause {
  readonly correlationId: string;
  readonly idempotencyKey: string;
}

/**
 * One fact a producer states about event `N`; the publisher wraps it in one envelope per live version. Its data is
 * typed by the catalog's bindings (functions/shared/catalog-types.ts), so data that does not fit the event's schema
 * fails to type-check; the publisher still validates at run time what types cannot see.
 */
export interface FactOf<N extends EventName> {
  readonly detailType: N;
  /** The data, when one version of the event is live (which one is known only at run time, from the ttl). */
  readonly data?: DataOf<N, VersionOf<N>>;
  /** The data per version, required while a version is double-published (its ttl has not passed). */
  readonly dataByVersion?: { readonly [V in VersionOf<N>]?: DataOf<N, V> };
  /** The event this fact follows from: its correlation id is kept and the idempotency key derived from it. */
  readonly cause?: Cause;
  /** Correlation id of a first fact (no cause), e.g. the API request's; a new one otherwise. */
  readonly correlationId?: string;
  /** Overrides the idempotency key, e.g. with a key the client sent. */
  readonly idempotencyKey?: string;
}

/** A fact about one of the events `E`: the union of {@link FactOf} over them. */
export type FactAbout<E extends EventName> = { [N in E]: FactOf<N> }[E];

/** A fact about any event of the catalog. */
export type Fact = FactAbout<EventName>;

/** An envelope together with the catalog entry it follows. */
export interface VersionedEnvelope {
  readonly entry: EventVersion;
  readonly envelope: EventEnvelope;
}

/**
 * A derived fact's idempotency key is new (distinct from its cause's) but deterministic: when a consumer
 * is retried after publishing, it publishes the same key again, and downstream consumers drop the repeat.
 */
export function deriveIdempotencyKey(cause: Cause, detailType: string): string {
  return uuidFromText(`${cause.idempotencyKey}\u0000${detailType}`);
}

/** A UUID-shaped id that is the same for the same text (the first 128 bits of its SHA-256). */
export function uuidFromText(text: string): string {
  const digest = createHash('sha256').update(text).digest('hex');
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
}

/**
 * Wraps a fact in one envelope per version live at `now`. Both versions of a double-published fact
 * share the correlation id and the idempotency key: they are one fact, told twice. `locate` stamps
 * `metadata.schema` (each version's download URL); without it, the registry name.
 */
export function envelopesFor(catalog: EventCatalog, fact: Fact, now: Date, locate?: SchemaLocator): VersionedEnvelope[] {
  const versions = catalog.versionsOf(fact.detailType);
  if (versions.length === 0) {
    throw new PublishRequestError(`${fact.detailType} is not in the event catalog; known events: ${catalog.eventNames().join(', ')}`);
  }
  const live = catalog.liveVersions(fact.detailType, now);
  const dataFor = dataResolver(fact, live);
  const correlationId = fact.cause?.correlationId ?? fact.correlationId ?? randomUUID();
  const idempotencyKey = fact.idempotencyKey ?? (fact.cause ? deriveIdempotencyKey(fact.cause, fact.detailType) : randomUUID());
  return live.map((entry) => {
    const metadata: EventMetadata = { correlationId, idempotencyKey, ...catalog.versionMetadata(entry, locate) };
    return { entry, envelope: { source: entry.source, 'detail-type': entry.name, detail: { metadata, data: dataFor(entry.version) } } };
  });
}

function dataResolver(fact: Fact, live: readonly EventVersion[]): (version: number) => EventData {
  const liveNumbers = live.map((entry) => entry.version);
  if (fact.data !== undefined && fact.dataByVersion !== undefined) {
    throw new PublishRequestError(`${fact.detailType}: only one of 'data' or 'dataByVersion' may be set`);
  }
  if (fact.dataByVersion !== undefined) {
    // Indexed by the live version numbers the catalog gave, which the bindings' keys are.
    const byVersion = fact.dataByVersion as Readonly<Record<number, EventData | undefined>>;
    const missing = liveNumbers.filter((version) => byVersion[version] === undefined);
    if (missing.length > 0) {
      throw new PublishRequestError(`${fact.detailType}: 'dataByVersion' lacks live version(s) ${missing.map((v) => `v${v}`).join(', ')} (live now: ${liveNumbers.map((v) => `v${v}`).join(', ')})`);
    }
    // Versions past their ttl are dropped silently on purpose: that is what the ttl announced.
    return (version) => byVersion[version] as EventData;
  }
  if (fact.data === undefined) throw new PublishRequestError(`${fact.detailType}: 'data' is required`);
  if (liveNumbers.length > 1) {
    throw new PublishRequestError(`${fact.detailType} is double-published until ${live[0]?.ttl} (live: ${liveNumbers.map((v) => `v${v}`).join(', ')}): pass 'dataByVersion' with data for each`);
  }
  const data: EventData = fact.data;
  return () => data;
}
