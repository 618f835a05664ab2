import { EventflowError } from '../../model/errors';
import { describeViolations, type Violation } from '../../model/schema-validation';

/** One event that breaks its contract: which event, which version, and every violation. */
export interface InvalidEvent {
  readonly detailType: string;
  readonly version: number | null;
  readonly violations: readonly Violation[];
}

/**
 * An event breaks its schema. Producers throw it before anything is sent; consumers throw it on receipt.
 * Never retryable: the same bytes fail the same way, so it must reach a DLQ with this message as its reason.
 */
export class EventValidationError extends EventflowError {
  readonly retryable = false;

  constructor(readonly invalid: readonly InvalidEvent[]) {
    super(invalid.map((event) => `${event.detailType}${event.version === null ? '' : ` v${event.version}`} is invalid: ${describeViolations(event.violations)}`).join('\n'));
  }
}

/** A producer asked for something the catalog cannot publish (unknown event, missing data for a live version). */
export class PublishRequestError extends EventflowError {}

/** An entry is larger than PutEvents accepts (256 KB); nothing of the batch was sent. */
export class EntryTooLargeError extends EventflowError {
  constructor(
    readonly detailType: string,
    readonly version: number,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`${detailType} v${version} is ${sizeBytes} bytes as a PutEvents entry, over the ${limitBytes}-byte limit: send a reference (a claim check) instead of the payload`);
  }
}

/** An entry PutEvents did not accept after every retry. */
export interface FailedEntry {
  readonly detailType: string;
  readonly version: number;
  readonly idempotencyKey: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
}

/** Some entries were still rejected after retrying; `failed` says which and why, `publishedCount` how many went through. */
export class PublishFailedError extends EventflowError {
  constructor(
    readonly failed: readonly FailedEntry[],
    readonly publishedCount: number,
  ) {
    super(
      `${failed.length} event(s) could not be published (${publishedCount} were): ` +
        failed.map((f) => `${f.detailType} v${f.version} [${f.idempotencyKey}] ${f.errorCode}: ${f.errorMessage} after ${f.attempts} attempt(s)`).join('; '),
    );
  }
}

/** A task input that does not come from the order saga; never retried. */
export class SagaInputError extends EventflowError {}

/**
 * Thrown by a task for a failure worth retrying (a dependency timed out or throttled). The saga's Retry
 * policy names it, next to Lambda's own service errors; business outcomes are returned, never thrown.
 */
export class TransientStepError extends EventflowError {}

/** A function started without configuration it cannot run without. */
export class MissingConfigurationError extends EventflowError {}

/** A variable is set, but to a value the function cannot use. */
export class InvalidConfigurationError extends EventflowError {}
