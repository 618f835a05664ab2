/**
 * Defaults shared by the Pulumi components and the local runtime, in a module that loads no Pulumi code,
 * so the local runtime applies the same retry policies without paying for the provider's import.
 */

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
