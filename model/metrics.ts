/**
 * The metrics a producer reports about its own PutEvents calls, declared once: the event library emits them
 * (Powertools Metrics, CloudWatch embedded metric format), the alarms and dashboard read them, and the local
 * runtime shows them. EventBridge's own metrics start at ingestion, so an entry it refused (throttled, too large,
 * an internal failure) is visible only to the producer that sent it.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/
 */
export const PRODUCER_METRICS = {
  /** Entries handed to PutEvents, every attempt counted (a retried entry counts again). */
  attempted: 'PutEventsEntriesAttempted',
  /** Entries PutEvents refused or that failed with the whole call; also emitted per `ErrorCode`. */
  failed: 'PutEventsEntriesFailed',
  /** Calls made again for the entries a previous call failed. */
  retries: 'PutEventsRetries',
  /** Entries still failed when the retries ran out: the producer gave up and its caller was told. */
  givenUp: 'PutEventsEntriesGivenUp',
} as const;

export type ProducerMetricName = (typeof PRODUCER_METRICS)[keyof typeof PRODUCER_METRICS];

/**
 * The dimensions: Powertools' default `service` dimension (the producing service, `orders`), and `ErrorCode` on
 * the per-code copy of {@link PRODUCER_METRICS.failed} (`ThrottlingException`, `InternalFailure`, …). Alarms read
 * the `service` series; the per-code series tell an operator which failure it is.
 */
export const PRODUCER_METRIC_DIMENSIONS = { service: 'service', errorCode: 'ErrorCode' } as const;

/** The CloudWatch namespace of one stage's custom metrics: its resource prefix (`eventflow-dev`), so stages never mix. */
export function metricsNamespace(prefix: string): string {
  return prefix;
}

/**
 * Where the producer alarms sit: any entry given up is an event lost to its consumers (the caller was told, but the
 * fact is missing downstream), so one is enough; failed entries that a retry delivered alarm only above this share
 * of the attempts, as brief throttling is expected and retried.
 */
export const PRODUCER_ALARM_THRESHOLDS = { givenUpEntries: 0, failedEntriesPercent: 5 } as const;
