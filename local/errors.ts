import { EventflowError } from '../model/errors';

/**
 * The local runtime cannot do what it was asked: a stand-in met a request or a state it does not serve (an
 * unknown queue, a worker that did not start, a process that exited). Distinct from the errors the stand-ins
 * answer their clients with, which follow AWS's shapes.
 */
export class LocalRuntimeError extends EventflowError {}

/** The pattern PutRule would reject, with every reason; named as EventBridge names the exception. */
export class InvalidPatternError extends EventflowError {
  constructor(readonly reasons: readonly string[]) {
    super(reasons.join('; '));
    this.name = 'InvalidPatternException';
  }
}

/** A redrive's target refused the event again (EventBridge rejected the entry, Lambda did not accept it). */
export class RedriveRefusedError extends EventflowError {}

/**
 * No function of that name or ARN (Lambda's ResourceNotFoundException). Not retryable: EventBridge sends an
 * event for a target that does not exist straight to the DLQ.
 */
export class FunctionNotFoundError extends EventflowError {
  readonly retryable = false;

  constructor(readonly functionArn: string) {
    super(`Function not found: ${functionArn}`);
  }
}
