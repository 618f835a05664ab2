import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FaultInjector } from '../faults';
import type { LocalQueue } from './local-queue';
import { validatePattern, type PatternInput } from './pattern';
import { RuleIndex } from './rule-index';
import { LOCAL_PLACEMENT } from '../placement';
import { withTraceHeader } from '../../functions/shared/trace-context';
import { SUBSCRIPTION_DEFAULTS, fullJitterDelay } from '../../model/limits';
import { LocalRuntimeError } from '../errors';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly 'replay-name'?: string;
}

/** A rule's target: a function to call, with EventBridge's retry policy and a dead-letter queue. */
export interface LocalTarget {
  readonly id: string;
  readonly invoke: (event: BusEvent) => Promise<unknown>;
  /** @default SUBSCRIPTION_DEFAULTS of the infra (185 attempts, 24 h) */
  readonly retryPolicy?: { readonly maximumRetryAttempts: number; readonly maximumEventAgeInSeconds: number };
  readonly deadLetterQueue?: LocalQueue;
}

/** One PutEvents entry, as the API takes it. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly EventBusName?: string;
  readonly Time?: string | number;
  readonly TraceHeader?: string;
}

export type PutEventsResult = { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

export interface LocalEventBusOptions {
  readonly name: string;
  readonly account?: string;
  readonly region?: string;
  /** Append-only archive of every accepted event (JSON lines); replay reads it. @default - no archive */
  readonly archiveFile?: string;
  /**
   * Milliseconds before the first retry of a failed delivery; doubles each time, with full jitter. EventBridge
   * waits seconds to minutes; locally the same policy runs on a shorter clock. @default 50
   */
  readonly retryBaseMs?: number;
  /**
   * Where each finished delivery (to its target, or to the DLQ) is noted, so a bus restarted after a crash
   * delivers what it had accepted and not finished: EventBridge keeps an accepted event until each matching
   * target has it. Needs `archiveFile`. @default - deliveries under way are lost with the process
   */
  readonly deliveryLog?: string;
  /** Faults to inject (rejected entries, repeated and reordered deliveries). @default - none */
  readonly faults?: FaultInjector;
}

/** The local event bus: PutEvents semantics, the model's rules, retries and DLQs per target, archive and replay. */
export class LocalEventBus {
  readonly name: string;
  readonly arn: string;
  private readonly rules = new RuleIndex<{ ruleName: string; target: LocalTarget }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly account: string;
  readonly region: string;

  constructor(private readonly options: LocalEventBusOptions) {
    this.name = options.name;
    this.account = options.account ?? LOCAL_PLACEMENT.accountId;
    this.region = options.region ?? LOCAL_PLACEMENT.region;
    this.arn = `arn:aws:events:${this.region}:${this.account}:event-bus/${this.name}`;
    if (options.archiveFile) mkdirSync(dirname(options.archiveFile), { recursive: true });
    // A new log starts at the archive's current end: what was archived before it existed was delivered then.
    if (options.deliveryLog && !existsSync(options.deliveryLog)) {
      const archived = options.archiveFile && existsSync(options.archiveFile) ? statSync(options.archiveFile).size : 0;
      writeFileSync(options.deliveryLog, `${LOG_START}${archived}\n`);
    }
  }

  /** Adds a rule; an invalid pattern is refused with EventBridge's reasons, naming the rule. */
  addRule(ruleName: string, pattern: PatternInput, target: LocalTarget): void {
    const errors = validatePattern(pattern);
    if (errors.length > 0) throw new LocalRuntimeError(`Rule ${ruleName} has an invalid event pattern: ${errors.join('; ')}`);
    this.rules.add({ name: ruleName, target: { ruleName, target } }, pattern);
  }

  /** Accepts entries as PutEvents does: each gets an event id or an error code; accepted events are archived, then delivered. */
  putEvents(entries: readonly PutEventsEntry[]): PutEventsResult[] {
    const accepted: Array<{ readonly event: BusEvent; readonly traceHeader: string | undefined }> = [];
    const results = entries.map((entry): PutEventsResult => {
      const checked = checkEntry(entry, this.name, this.arn);
      if ('ErrorCode' in checked) return checked;
      const rejected = this.options.faults?.rejectEntry();
      if (rejected) return rejected;
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType as string,
        source: entry.Source as string,
        account: this.account,
        time: entryTime(entry.Time),
        region: this.region,
        resources: [...(entry.Resources ?? [])],
        detail: checked.detail,
      };
      accepted.push({ event, traceHeader: entry.TraceHeader });
      return { EventId: event.id };
    });
    // Archived before delivery, as EventBridge archives what it accepted; one write per request. The trace header
    // is not archived: EventBridge passes it to targets but keeps it out of the event, and replays drop it.
    if (this.options.archiveFile && accepted.length > 0) appendFileSync(this.options.archiveFile, accepted.map(({ event }) => `${JSON.stringify(event)}\n`).join(''));
    for (const { event, traceHeader } of accepted) this.dispatch(event, traceHeader);
    return results;
  }

  /** Re-sends the archived events whose time lies in [start, end), marked with `replay-name` as EventBridge marks them. */
  replay(replayName: string, start: Date, end: Date): number {
    const archived = this.archived().filter((event) => {
      const time = Date.parse(event.time);
      return time >= start.getTime() && time < end.getTime();
    });
    for (const event of archived) this.dispatch({ ...event, 'replay-name': replayName });
    return archived.length;
  }

  /** Every archived event, oldest first. */
  archived(): BusEvent[] {
    if (!this.options.archiveFile || !existsSync(this.options.archiveFile)) return [];
    return readFileSync(this.options.archiveFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as BusEvent);
  }

  /**
   * Delivers every archived event to each matching rule that has not finished with it, after a restart. Call
   * once the rules are added. Returns the number of deliveries started.
   */
  recover(): number {
    if (!this.options.deliveryLog || !this.options.archiveFile || !existsSync(this.options.archiveFile)) return 0;
    const lines = readFileSync(this.options.deliveryLog, 'utf8').split('\n');
    const from = lines[0]?.startsWith(LOG_START) ? Number(lines[0].slice(LOG_START.length)) : 0;
    const finished = new Set(lines);
    const pending = readFileSync(this.options.archiveFile)
      .subarray(from)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as BusEvent);
    let started = 0;
    for (const event of pending) {
      for (const { target } of this.rules.match(event)) {
        if (finished.has(deliveryKey(event.id, target.ruleName))) continue;
        this.track(this.deliver(event, target.ruleName, target.target));
        started++;
      }
    }
    return started;
  }

  /** Whether the fault plan throttles this whole PutEvents call. */
  throttleCall(): boolean {
    return this.options.faults?.throttleCall() ?? false;
  }

  /** Deliveries under way, retries included. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when every delivery under way (retries included) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Delivers to every matching rule's target, passing the entry's trace header on as EventBridge passes it to
   * targets (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-xray-integ.html).
   */
  private dispatch(event: BusEvent, traceHeader?: string): void {
    for (const { target } of this.rules.match(event)) {
      const delays = this.options.faults?.deliveryDelays() ?? [0];
      const deliver = () => withTraceHeader(traceHeader, () => this.deliver(event, target.ruleName, target.target));
      for (const delay of delays) this.track(delay === 0 ? deliver() : sleep(delay).then(deliver));
    }
  }

  private track(delivery: Promise<void>): void {
    const tracked = delivery.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Notes that a delivery finished (target or DLQ), so a restart does not deliver it again. */
  private finished(event: BusEvent, ruleName: string): void {
    if (this.options.deliveryLog && !event['replay-name']) appendFileSync(this.options.deliveryLog, `${deliveryKey(event.id, ruleName)}\n`);
  }

  /** Delivers with EventBridge's retry policy: up to maximumRetryAttempts retries within maximumEventAgeInSeconds, then the DLQ. */
  private async deliver(event: BusEvent, ruleName: string, target: LocalTarget): Promise<void> {
    const policy = target.retryPolicy ?? SUBSCRIPTION_DEFAULTS;
    const deadline = Date.parse(event.time) + policy.maximumEventAgeInSeconds * 1000;
    const base = this.options.retryBaseMs ?? 50;
    let lastError: unknown;
    for (let attempt = 0; attempt <= policy.maximumRetryAttempts; attempt++) {
      if (attempt > 0) {
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, fullJitterDelay(base, Math.min(attempt, 11))));
      }
      try {
        await target.invoke(event);
        this.finished(event, ruleName);
        return;
      } catch (error) {
        lastError = error;
        if ((error as { retryable?: boolean }).retryable === false) break;
      }
    }
    const reason = lastError instanceof Error ? lastError : new Error(String(lastError));
    target.deadLetterQueue?.send(JSON.stringify(event), {
      RULE_ARN: `arn:aws:events:${this.region}:${this.account}:rule/${this.name}/${ruleName}`,
      TARGET_ARN: target.id,
      ERROR_CODE: reason.name,
      ERROR_MESSAGE: reason.message,
    });
    this.finished(event, ruleName);
  }
}

/** The delivery log's first line: the archive offset from which it covers deliveries. */
const LOG_START = 'from ';

function deliveryKey(eventId: string, ruleName: string): string {
  return `${eventId} ${ruleName}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The entry's parsed detail (parsed once, here), or the error PutEvents answers for it. */
function checkEntry(entry: PutEventsEntry, busName: string, busArn: string): Extract<PutEventsResult, { ErrorCode: string }> | { detail: Record<string, unknown> } {
  const bus = entry.EventBusName ?? 'default';
  if (bus !== busName && bus !== busArn) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  if (!entry.Source) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' };
  if (!entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
  if (!entry.Detail) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return { detail: detail as Record<string, unknown> };
}

function entryTime(time: string | number | undefined): string {
  if (time === undefined) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
