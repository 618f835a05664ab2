/**
 * AWS limits that the components validate and the policy pack (`policy/`) checks, in a module that loads no
 * Pulumi code, so the pack can share them without the provider.
 */

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
