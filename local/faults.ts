import { createHash } from 'node:crypto';
import { EventflowError } from '../model/errors';

/**
 * The faults AWS can hand a system, to inject into the local runtime (`startLocal({ faults })`): never an edit of
 * a handler. Each rate is a probability from 0 to 1. Decisions about one invocation are a pure function of the
 * seed and what is invoked, so a retry of the same work meets the same fault plan and a run can be repeated.
 */
export interface FaultOptions {
  /** Seeds every decision. @default 1 */
  readonly seed?: number;
  /**
   * Each delivery to a rule's target happens 1 to this many times (EventBridge delivers at least once), the
   * copies scattered over `reorderWindowMs` so they and other events arrive out of order. @default 1
   */
  readonly maxCopies?: number;
  /** Copies and first deliveries are delayed by up to this many ms, so events overtake each other. @default 0 */
  readonly reorderWindowMs?: number;
  /** Share of task and consumer invocations whose first attempt fails with a retryable error. @default 0 */
  readonly transientFailureRate?: number;
  /** Share of task and consumer invocations that fail on every attempt until the faults are lifted. @default 0 */
  readonly permanentFailureRate?: number;
  /** Share of PutEvents entries rejected as a partial failure (InternalFailure or ThrottlingException). @default 0 */
  readonly putEventsEntryFailureRate?: number;
  /** Share of whole PutEvents calls throttled (ThrottlingException, HTTP 400). @default 0 */
  readonly putEventsThrottleRate?: number;
}

/** What was injected, for the report and to explain outcomes. */
export interface FaultCounts {
  transientFailures: number;
  permanentFailures: number;
  extraCopies: number;
  entriesRejected: number;
  callsThrottled: number;
}

/** A retryable failure of an invocation, as a crashed or throttled dependency gives. */
export class InjectedTransientFault extends EventflowError {
  /** Read by the saga's Retry (`TransientStepError` is the name it retries) and by the local Lambda service. */
  override readonly name = 'TransientStepError';
  readonly retryable = true;
}

/** A failure that repeats on every attempt while faults are on: a dependency down for longer than retries last. */
export class InjectedPermanentFault extends EventflowError {
  override readonly name = 'TransientStepError';
  readonly retryable = true;
}

/** PutEvents per-entry error codes AWS documents as retryable (PutEventsResultEntry.ErrorCode). */
const RETRYABLE_ENTRY_ERRORS = [
  { ErrorCode: 'InternalFailure', ErrorMessage: 'The request processing has failed because of an unknown error, exception or failure.' },
  { ErrorCode: 'ThrottlingException', ErrorMessage: 'The request failed due to request throttling.' },
] as const;

/**
 * Decides, per invocation, entry and delivery, which faults to inject. Invocation faults are keyed on what is
 * invoked (action and the event id or saga step key), so a transient fault fails the first attempt of that
 * work and not its retry, and a permanent one fails every attempt until {@link lift}.
 */
export class FaultInjector {
  readonly counts: FaultCounts = { transientFailures: 0, permanentFailures: 0, extraCopies: 0, entriesRejected: 0, callsThrottled: 0 };
  /** Orders that met a permanent fault, with the action it hit: the only orders a fault may have cancelled. */
  readonly permanentlyFailed = new Map<string, Set<string>>();
  private readonly attempts = new Map<string, number>();
  private readonly seed: number;
  private readonly options: Required<Omit<FaultOptions, 'seed'>>;
  private random: () => number;
  private lifted = false;

  constructor(options: FaultOptions = {}) {
    const problems = validateFaultOptions(options);
    if (problems.length > 0) throw new EventflowError(`faults: ${problems.join('; ')}`);
    this.seed = options.seed ?? 1;
    this.random = mulberry32(this.seed);
    this.options = {
      maxCopies: options.maxCopies ?? 1,
      reorderWindowMs: options.reorderWindowMs ?? 0,
      transientFailureRate: options.transientFailureRate ?? 0,
      permanentFailureRate: options.permanentFailureRate ?? 0,
      putEventsEntryFailureRate: options.putEventsEntryFailureRate ?? 0,
      putEventsThrottleRate: options.putEventsThrottleRate ?? 0,
    };
  }

  /** The operator mended every dependency: nothing fails from now on (redrives then succeed). */
  lift(): void {
    this.lifted = true;
  }

  get active(): boolean {
    return !this.lifted;
  }

  /**
   * Throws the fault planned for this attempt of `actionId` on `key` (an event id or a saga step key), if any.
   * `orderId` attributes a permanent fault to its order.
   */
  beforeInvocation(actionId: string, key: string, orderId: string | undefined): void {
    if (this.lifted) return;
    const work = `${actionId}|${key}`;
    const attempt = (this.attempts.get(work) ?? 0) + 1;
    this.attempts.set(work, attempt);
    const draw = this.draw(`invoke|${work}`);
    if (this.failsForGood(actionId, key)) {
      this.counts.permanentFailures++;
      if (orderId) this.permanentlyFailed.set(orderId, (this.permanentlyFailed.get(orderId) ?? new Set()).add(actionId));
      throw new InjectedPermanentFault(`injected fault: ${actionId} keeps failing on ${key} (attempt ${attempt})`);
    }
    if (attempt === 1 && draw < this.options.permanentFailureRate + this.options.transientFailureRate) {
      this.counts.transientFailures++;
      throw new InjectedTransientFault(`injected fault: ${actionId} failed once on ${key}`);
    }
  }

  /**
   * Whether the plan makes `actionId` fail on `key` at every attempt while faults are on. Pure: a check after a
   * run (even one whose process was killed) recomputes it from the seed, without the injector that ran.
   */
  failsForGood(actionId: string, key: string): boolean {
    return this.draw(`invoke|${actionId}|${key}`) < this.options.permanentFailureRate;
  }

  /** The error a PutEvents entry is rejected with, or undefined to accept it. */
  rejectEntry(): { ErrorCode: string; ErrorMessage: string } | undefined {
    if (this.lifted || this.random() >= this.options.putEventsEntryFailureRate) return undefined;
    this.counts.entriesRejected++;
    return RETRYABLE_ENTRY_ERRORS[Math.floor(this.random() * RETRYABLE_ENTRY_ERRORS.length)];
  }

  /** Whether to throttle a whole PutEvents call. */
  throttleCall(): boolean {
    if (this.lifted || this.random() >= this.options.putEventsThrottleRate) return false;
    this.counts.callsThrottled++;
    return true;
  }

  /** The delays (ms) of each copy of one delivery: one entry per copy, at least one. */
  deliveryDelays(): number[] {
    if (this.lifted) return [0];
    const copies = 1 + Math.floor(this.random() * this.options.maxCopies);
    this.counts.extraCopies += copies - 1;
    return Array.from({ length: copies }, () => Math.floor(this.random() * this.options.reorderWindowMs));
  }

  private draw(key: string): number {
    return createHash('sha256').update(`${this.seed}|${key}`).digest().readUInt32BE(0) / 2 ** 32;
  }
}

/** Every problem with fault options, each naming the option, its range and the value received. */
export function validateFaultOptions(options: FaultOptions): string[] {
  const problems: string[] = [];
  const rates = ['transientFailureRate', 'permanentFailureRate', 'putEventsEntryFailureRate', 'putEventsThrottleRate'] as const;
  for (const key of rates) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0 && value <= 1)) problems.push(`'${key}' must be between 0 and 1, got ${value}`);
  }
  if ((options.transientFailureRate ?? 0) + (options.permanentFailureRate ?? 0) > 1) problems.push(`'transientFailureRate' and 'permanentFailureRate' must add up to at most 1`);
  if (options.maxCopies !== undefined && !(Number.isInteger(options.maxCopies) && options.maxCopies >= 1 && options.maxCopies <= 10))
    problems.push(`'maxCopies' must be an integer between 1 and 10, got ${options.maxCopies}`);
  if (options.reorderWindowMs !== undefined && !(Number.isInteger(options.reorderWindowMs) && options.reorderWindowMs >= 0 && options.reorderWindowMs <= 60_000)) {
    problems.push(`'reorderWindowMs' must be an integer between 0 and 60000, got ${options.reorderWindowMs}`);
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) problems.push(`'seed' must be an integer, got ${options.seed}`);
  return problems;
}

/** A small seeded generator (mulberry32): repeatable runs need repeatable draws, and Math.random has no seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
