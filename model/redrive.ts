/**
 * Redrive of one target: how a dead-lettered event goes back to the one API destination that failed it.
 *
 * A rule's dead-letter queue holds events its target refused. Putting such an event back on the bus would
 * re-run every rule that matches it: the central log, the cross-account route and every other consumer would
 * get a fact they already handled, and the archive would hold it twice. So a redrive addresses the failed
 * target alone. For a Lambda target that is simple: invoke the function asynchronously with the event.
 * An API destination has no such door: EventBridge reaches it only from a rule. Calling the provider's URL
 * directly would bypass the connection (its credentials live in Secrets Manager, where EventBridge reads
 * them, and redrive tooling should not hold them), the destination's invocation rate limit, and the rule's
 * retry policy and DLQ, the very things that make a delivery safe.
 *
 * Hence a redrive rule per API destination subscription, beside its rule: it matches only a redrive
 * envelope addressed to that subscription's rule by name (source {@link REDRIVE_SOURCE}, detail-type
 * {@link REDRIVE_DETAIL_TYPE}, detail `{ rule, event }`), and its target is the same API destination with
 * InputPath {@link REDRIVE_INPUT_PATH}, so the provider receives the original event unchanged, through the same
 * connection, rate limit, retry policy and DLQ. The envelope is an operational message, not a domain fact:
 * no subscription of the model matches its source, so no consumer runs again; the central log records the
 * redrive as what it is. The envelope is a new event with its own time, so the retry policy's maximum event
 * age counts from the redrive, not from the original failure. Its detail is at most the original event plus
 * the rule name, so an event close to PutEvents' 256 KB limit may not fit: the redrive then fails and the
 * dead letter stays where it is. If the redrive delivery fails again, the rule DLQ receives the envelope,
 * which a later redrive unwraps ({@link redriveEnvelopeOf}).
 *
 * Constants and pure functions only: infra derives the rule from them, the local runtime the same rule on its
 * bus, and the redrive tool the envelope.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html
 */
import { EventflowError } from './errors';
import type { EventPattern } from './patterns';

/** The source of every redrive envelope; no domain event uses it. */
export const REDRIVE_SOURCE = 'eventflow.redrive';

/** The detail-type of a redrive envelope: what happened is that an operator redrove a dead letter. */
export const REDRIVE_DETAIL_TYPE = 'DeadLetterRedriven';

/** The redrive rule's InputPath: the target receives the original event, not the envelope. */
export const REDRIVE_INPUT_PATH = '$.detail.event';

/** Appended to a rule's name to name its redrive rule. */
export const REDRIVE_RULE_SUFFIX = '-redrive';

/** EventBridge's longest rule name. */
export const MAX_RULE_NAME_LENGTH = 64;

/** The detail of a redrive envelope. */
export interface RedriveDetail {
  /** Name of the rule whose target failed the event (the last segment of the dead letter's RULE_ARN). */
  readonly rule: string;
  /** The event exactly as the target should receive it. */
  readonly event: Readonly<Record<string, unknown>>;
}

/** A PutEvents entry (as the SDK's PutEventsRequestEntry takes it) carrying a redrive envelope. */
export interface RedriveEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

/**
 * The name of a rule's redrive rule; throws when it would pass EventBridge's 64 characters (rule names of up
 * to 56 characters have room for the suffix), since a cut name could not be mapped back to its rule.
 */
export function redriveRuleName(ruleName: string): string {
  const limit = MAX_RULE_NAME_LENGTH - REDRIVE_RULE_SUFFIX.length;
  if (ruleName.length === 0 || ruleName.length > limit) {
    throw new EventflowError(`Redrive rule of "${ruleName}": 'ruleName' must be between 1 and ${limit} characters to leave room for '${REDRIVE_RULE_SUFFIX}', got ${ruleName.length}`);
  }
  return `${ruleName}${REDRIVE_RULE_SUFFIX}`;
}

/** The rule a redrive rule serves, or undefined when the name is not a redrive rule's. */
export function ruleOfRedriveRule(redriveRule: string): string | undefined {
  return redriveRule.endsWith(REDRIVE_RULE_SUFFIX) && redriveRule.length > REDRIVE_RULE_SUFFIX.length ? redriveRule.slice(0, -REDRIVE_RULE_SUFFIX.length) : undefined;
}

/** The redrive rule's pattern: envelopes addressed to `ruleName`, and nothing else. */
export function redrivePattern(ruleName: string): EventPattern {
  return { source: [REDRIVE_SOURCE], 'detail-type': [REDRIVE_DETAIL_TYPE], detail: { rule: [ruleName] } };
}

/** The PutEvents entry that sends `event` back to the target of rule `ruleName` on bus `eventBusName`. */
export function redriveEntry(eventBusName: string, ruleName: string, event: Readonly<Record<string, unknown>>): RedriveEntry {
  const detail: RedriveDetail = { rule: ruleName, event };
  return { EventBusName: eventBusName, Source: REDRIVE_SOURCE, DetailType: REDRIVE_DETAIL_TYPE, Detail: JSON.stringify(detail) };
}

/** The envelope's detail when `event` is a redrive envelope, else undefined. */
export function redriveEnvelopeOf(event: unknown): RedriveDetail | undefined {
  if (!isRecord(event) || event.source !== REDRIVE_SOURCE || event['detail-type'] !== REDRIVE_DETAIL_TYPE) return undefined;
  const detail = event.detail;
  if (!isRecord(detail) || typeof detail.rule !== 'string' || !isRecord(detail.event)) return undefined;
  return { rule: detail.rule, event: detail.event };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
