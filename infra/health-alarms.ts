/**
 * The alarms on the three healths (producer, broker, consumer), declared once: thresholds, periods and what missing
 * data means. A module of its own so the Observability component, its dashboard and the tests read the same values.
 */
import { API_DESTINATION_DEFAULTS } from '../model/limits';
import { PRODUCER_ALARM_THRESHOLDS } from '../model/metrics';

/** Every rule metric alarmed on any non-zero count: an event not delivered, or held back. */
export const RULE_ALARM_METRICS = ['FailedInvocations', 'InvocationsSentToDlq', 'InvocationsFailedToBeSentToDlq', 'ThrottledRules'] as const;

/** How one kind of alarm decides: against what, which side, over how long, and what no data means. */
export interface AlarmRule {
  /** The value the alarm compares with, in the metric's unit (count, percent, milliseconds, seconds). */
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  /** The period each data point covers. */
  readonly periodSeconds: number;
  /** Consecutive periods that must breach before the alarm fires. */
  readonly evaluationPeriods: number;
  /** What a period without data counts as. */
  readonly treatMissingData: 'notBreaching' | 'breaching' | 'ignore' | 'missing';
}

const onAnyInMinute = { threshold: 0, comparison: 'GreaterThanThreshold', periodSeconds: 60, evaluationPeriods: 1, treatMissingData: 'notBreaching' } as const satisfies AlarmRule;

/**
 * The alarms on the three healths of an event-driven system, declared once: the alarms, the dashboard's alarm lines
 * and the tests read them. Every alarm notifies its region's alarm topic on ALARM and on OK.
 *
 * Every one treats missing data as not breaching, for the reason given with it: each metric here is published only
 * while there is something to count, so no data means nothing happened, never that something failed.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring-events-best-practices.html
 */
export const HEALTH_ALARMS = {
  producer: {
    /**
     * PutEventsEntriesGivenUp (Sum) above {@link PRODUCER_ALARM_THRESHOLDS}: one given-up entry is an event lost to
     * its consumers. Published by a producer on every call that attempts anything: no data is no publishing.
     */
    givenUp: { ...onAnyInMinute, threshold: PRODUCER_ALARM_THRESHOLDS.givenUpEntries },
    /**
     * PutEventsEntriesFailed in percent of PutEventsEntriesAttempted above {@link PRODUCER_ALARM_THRESHOLDS}, over
     * five minutes: brief throttling is retried and expected, a sustained share is a bus or a quota in trouble. No
     * data is no publishing.
     */
    failedShare: { threshold: PRODUCER_ALARM_THRESHOLDS.failedEntriesPercent, comparison: 'GreaterThanThreshold', periodSeconds: 300, evaluationPeriods: 1, treatMissingData: 'notBreaching' },
  },
  broker: {
    /** Any of {@link RULE_ALARM_METRICS} in a minute. EventBridge sends these only when not zero: no data is none. */
    delivery: onAnyInMinute,
    /**
     * SuccessfulInvocationAttempts in percent of InvocationAttempts below 99 in two consecutive five-minute periods.
     * Retries are how EventBridge absorbs a target's bad minute, so one period is not enough; a target failing more
     * than one attempt in a hundred for ten minutes is undersized or failing, and retries are piling up toward the
     * DLQ (the AWS guidance reads a rising retry share as the first sign of an undersized target). The expression
     * reads a period without attempts as 100 %; with no data at all, nothing was attempted.
     */
    successRate: { threshold: 99, comparison: 'LessThanThreshold', periodSeconds: 300, evaluationPeriods: 2, treatMissingData: 'notBreaching' },
    /**
     * IngestiontoInvocationStartLatency p99 above 10 s in two consecutive five-minute periods. It is EventBridge's own
     * hold before the first attempt, well under a second when healthy; 10 s means the rule is held back (throttled
     * invocations, the API destination's rate limit with a backlog). It is a third of the 30 s average at which the
     * global endpoint's health check fails the region over, so the operator hears of a slow region first. Published
     * only for invoked rules: no data is no events.
     */
    startLatency: { threshold: 10_000, comparison: 'GreaterThanThreshold', periodSeconds: 300, evaluationPeriods: 2, treatMissingData: 'notBreaching' },
    /**
     * IngestionToInvocationSuccessLatency p99 above half the API destination's event age (30 s) in two consecutive
     * five-minute periods. The API destination has the tightest delivery budget of any rule (its event goes to the
     * DLQ after {@link API_DESTINATION_DEFAULTS}' maximum event age), so a p99 past half of it means one delivery in
     * a hundred spends half its budget retrying; Lambda and Step Functions targets accept in milliseconds, so 30 s is
     * far outside their normal too. Published once an event is delivered: no data is no deliveries.
     */
    successLatency: {
      threshold: (API_DESTINATION_DEFAULTS.maximumEventAgeInSeconds * 1000) / 2,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 300,
      evaluationPeriods: 2,
      treatMissingData: 'notBreaching',
    },
  },
  consumer: {
    /**
     * ApproximateNumberOfMessagesVisible (Maximum) above 0: every message in a DLQ or failure queue is an event not
     * handled. SQS stops publishing for a queue empty and untouched for six hours: no data is an empty queue.
     */
    queueDepth: onAnyInMinute,
    /**
     * ApproximateAgeOfOldestMessage (Maximum) above a day. The depth alarm fires on the first message and stays in
     * ALARM, so it does not notify again; this one does when a message has waited a day unredriven, with 13 of the
     * 14 days SQS keeps it left. No data is an empty, untouched queue, as for depth.
     */
    queueAge: { threshold: 86_400, comparison: 'GreaterThanThreshold', periodSeconds: 300, evaluationPeriods: 1, treatMissingData: 'notBreaching' },
    /** Lambda Errors (Sum) above 0. Lambda publishes only for a function invoked in the period: no data is no invocations. */
    functionErrors: onAnyInMinute,
    /**
     * Lambda Throttles (Sum) above 0: a function at its concurrency limit, whose API callers get 429 and whose
     * asynchronous events wait. No data is no invocations, as for errors.
     */
    functionThrottles: onAnyInMinute,
    /** Step Functions ExecutionsFailed and ExecutionsTimedOut (Sum) above 0. Published only for executions: no data is none. */
    sagaFailures: onAnyInMinute,
  },
} as const satisfies Record<'producer' | 'broker' | 'consumer', Record<string, AlarmRule>>;

/** The type of {@link HEALTH_ALARMS}. */
export type HealthAlarms = typeof HEALTH_ALARMS;
