export { CONSUMER_DEFAULTS, createConsumer } from './consume';
export type { ConsumerContext, ConsumerOptions, DeliveredEvent, EventHandler } from './consume';
export { deriveIdempotencyKey, envelopesFor } from './envelope';
export type { Cause, EventData, EventEnvelope, EventMetadata, Fact, VersionedEnvelope } from './envelope';
export { EntryTooLargeError, EventValidationError, PublishFailedError, PublishRequestError } from './errors';
export type { FailedEntry, InvalidEvent } from './errors';
export { EventPublisher, PUBLISH_DEFAULTS, PUT_EVENTS_LIMITS, RETRYABLE_ERROR_CODES, entrySize } from './publish';
export type { PublishedEvent, PublisherOptions, RetryOptions } from './publish';
export { powertoolsFor } from './powertools';
