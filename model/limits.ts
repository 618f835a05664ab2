/**
 * AWS's limits and the defaults this project states for them, in one module that loads nothing else: read by the
 * Pulumi components, the local runtime (bus, Lambda, EventBridge endpoint), the event library's publisher, the stage
 * configuration and the policy pack, so no limit or default is written twice.
 */

/**
 * PutEvents quotas as AWS enforces them on the request.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
 */
export const PUT_EVENTS_QUOTAS = {
  maxEntries: 10,
  maxRequestBytes: 256 * 1024,
  /** "PutEvents will only process nested JSON up to 1000 levels deep." */
  maxDetailDepth: 1000,
  /** DetailType is "free-form string, with a maximum of 128 characters". */
  maxDetailTypeLength: 128,
  /** TraceHeader: length 1 to 500. */
  maxTraceHeaderLength: 500,
  /** EventBusName: length 1 to 1600. */
  maxEventBusNameLength: 1600,
} as const;

/** Log retention, in days, wherever a component keeps logs and is not told otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = 14;

/**
 * The only retention periods CloudWatch Logs accepts, in days; any other value fails at deployment
 * (InvalidParameterException), not at preview, so it is checked before.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const CLOUDWATCH_LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Whether CloudWatch Logs accepts this retention period. */
export function isLogRetentionDays(value: unknown): boolean {
  return typeof value === 'number' && (CLOUDWATCH_LOG_RETENTION_DAYS as readonly number[]).includes(value);
}

/** The rule, as messages state it: `must be <LOG_RETENTION_RULE>, got 10`. */
export const LOG_RETENTION_RULE = `one of the retention periods CloudWatch Logs accepts (${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')})`;

/** AWS's defaults for a rule target, written out so every target states its policy. */
export const SUBSCRIPTION_DEFAULTS = {
  maximumRetryAttempts: 185,
  maximumEventAgeInSeconds: 86_400,
  /** DLQ messages are kept as long as SQS allows, to leave time for redrive. */
  deadLetterRetentionSeconds: 1_209_600,
} as const;

/** The talk's example for an API destination: a minute of retries, four attempts, then the DLQ. */
export const API_DESTINATION_DEFAULTS = { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 4 } as const;

/** Lambda's own handling of asynchronous invocations (EventBridge → Lambda): two retries, then the on-failure destination. */
export const LAMBDA_ASYNC_DEFAULTS = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 } as const;

/**
 * The wait before retry `attempt` (1 for the first retry) with exponential backoff and full jitter, as AWS
 * recommends: a random time in [0, min(maxMs, baseMs × 2^(attempt − 1))).
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export function fullJitterDelay(baseMs: number, attempt: number, maxMs = Number.POSITIVE_INFINITY, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}

/**
 * A global endpoint's id as PutEvents takes it (`EndpointId`): the endpoint URL's subdomain, two labels, at most 50
 * characters; `https://abcde.veo.endpoints.event.amazonaws.com` has the id `abcde.veo`.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html#API_PutEvents_RequestSyntax
 */
export const ENDPOINT_ID_PATTERN = /^[A-Za-z0-9-]+[.][A-Za-z0-9-]+$/;
export const ENDPOINT_ID_MAX_LENGTH = 50;

/** An AWS region id as it appears in ARNs and configuration (`eu-west-1`, `us-gov-west-1`), unanchored. */
export const REGION_ID = '[a-z]{2}(?:-gov)?-[a-z]+-\\d';
/** A whole string that is an AWS region id. */
export const REGION_PATTERN = new RegExp(`^${REGION_ID}$`);
