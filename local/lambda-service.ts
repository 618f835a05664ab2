import { randomUUID } from 'node:crypto';
import { currentTraceHeader, withTraceHeader } from '../functions/shared/trace-context';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LAMBDA_ASYNC_DEFAULTS } from '../model/limits';
import { EventflowError } from '../model/errors';
import type { LocalQueue } from './bus/local-queue';
import { LOCAL_PLACEMENT } from './placement';
import { FunctionNotFoundError } from './errors';

export { FunctionNotFoundError } from './errors';

/** How Lambda handles a function's asynchronous invocations (PutFunctionEventInvokeConfig). */
export interface AsyncInvokeConfig {
  /** Retries after a function error, 0–2. */
  readonly maximumRetryAttempts: number;
  /** How long an event may wait in the asynchronous queue, 60–21,600 seconds on AWS. */
  readonly maximumEventAgeInSeconds: number;
}

/** A function as the local Lambda service runs it. */
export interface LocalFunctionOptions {
  /** The function's name, 1–64 letters, digits, `-` or `_`; its ARN is derived from it. */
  readonly name: string;
  readonly handler: (event: unknown) => Promise<unknown>;
  /** The on-failure destination of asynchronous invocations. @default - none: a failed event is dropped, as Lambda drops it */
  readonly onFailure?: LocalQueue;
  /** @default LAMBDA_ASYNC_DEFAULTS (2 retries, 6 hours) */
  readonly asyncConfig?: AsyncInvokeConfig;
}

export interface LambdaServiceOptions {
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
  /**
   * Milliseconds before the first retry of a failed asynchronous invocation; the second waits twice as long.
   * Lambda waits one minute, then two; locally the same schedule runs on a shorter clock. @default 50
   */
  readonly retryBaseMs?: number;
  /**
   * Journal of the asynchronous queue (JSON lines): accepted invocations are written before Lambda's
   * acceptance is answered and marked when finished, so {@link LambdaService.resume} re-runs what a crash
   * interrupted. @default - in memory: unfinished invocations are lost with the process
   */
  readonly journalFile?: string;
  /** Asynchronous invocations running at once; the rest wait in the queue. @default LAMBDA_LOCAL_CONCURRENCY */
  readonly maxConcurrency?: number;
}

/** The record Lambda sends to an on-failure destination, in the format AWS documents. */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  /** Absent when the event aged out before any attempt, as there was no response. */
  readonly responseContext?: { readonly statusCode: 200; readonly executedVersion: '$LATEST'; readonly functionError: 'Unhandled' };
  readonly responsePayload?: FunctionErrorPayload;
}

/** A function error as the Node.js runtime reports it. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

interface Registered extends LocalFunctionOptions {
  readonly arn: string;
}

/** One accepted asynchronous invocation, as the journal keeps it. */
interface Queued {
  readonly requestId: string;
  readonly functionName: string;
  readonly event: unknown;
  readonly queuedAt: number;
  /** Attempts that ended with a function error. */
  readonly failedAttempts: number;
  readonly lastError?: FunctionErrorPayload;
  /** The caller's trace header, which Lambda passes to the function (not journaled: a resumed invocation starts a new trace). */
  readonly traceHeader?: string;
}

type JournalLine =
  | { readonly op: 'queued'; readonly requestId: string; readonly functionName: string; readonly event: unknown; readonly queuedAt: number }
  | { readonly op: 'failed'; readonly requestId: string; readonly failedAttempts: number; readonly error: FunctionErrorPayload }
  | { readonly op: 'finished'; readonly requestId: string };

/**
 * Asynchronous invocations run at once by default: AWS's default account concurrency is 1,000, scaled down to what
 * one process on a small machine runs without every invocation waiting on the same sockets. Measured under the
 * chaos run: 32 was too few (each event's duplicate copies and retries hold slots; at 10,000 orders the queue grew
 * by thousands and starved StartOrderSaga), none at all let a restarted bus start every resumed delivery at once.
 */
export const LAMBDA_LOCAL_CONCURRENCY = 256;

/** Journal lines written before the journal is rewritten with only the unfinished invocations. */
const JOURNAL_COMPACTION_LINES = 5_000;

// The pattern of Invoke's FunctionName: a name, a partial ARN or a full ARN, with an optional qualifier.
const FUNCTION_NAME = /^(?:arn:aws:lambda:)?(?:([a-z]{2}(?:-[a-z]+)+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/**
 * The local Lambda service: the functions by name or ARN, invoked synchronously (RequestResponse) or
 * asynchronously (Event) as Lambda does. An asynchronous invocation is accepted into a queue and answered at
 * once; Lambda then runs it, retries a function error `maximumRetryAttempts` times (one minute, then two;
 * here `retryBaseMs`, then twice that), discards an event older than `maximumEventAgeInSeconds`, and sends
 * an invocation record to the on-failure destination. An error marked `retryable: false` (the event library
 * marks invalid events so) goes to the destination after its first attempt, as the local bus has always
 * treated it: the same bytes fail the same way.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
export class LambdaService {
  private readonly functions = new Map<string, Registered>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Request ids running in this process, so a resume never runs one twice. */
  private readonly running = new Set<string>();
  /** Unfinished invocations as the journal holds them, to rewrite it without the finished ones. */
  private readonly open = new Map<string, Queued>();
  private journalLines = 0;
  /** Asynchronous runs under way, and the runs waiting for a free slot (Lambda's concurrency limit). */
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly region: string;
  private readonly account: string;

  constructor(private readonly options: LambdaServiceOptions = {}) {
    this.region = options.region ?? LOCAL_PLACEMENT.region;
    this.account = options.account ?? LOCAL_PLACEMENT.accountId;
    if (options.journalFile) mkdirSync(dirname(options.journalFile), { recursive: true });
  }

  /** Adds a function; returns its ARN. */
  register(fn: LocalFunctionOptions): string {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name)) throw new EventflowError(`Function "${fn.name}": 'name' must be 1–64 letters, digits, '-' or '_', got ${JSON.stringify(fn.name)}`);
    const arn = `arn:aws:lambda:${this.region}:${this.account}:function:${fn.name}`;
    this.functions.set(fn.name, { ...fn, arn });
    return arn;
  }

  /** The function a name, a partial ARN or an ARN designates (qualifier `$LATEST` or none), if it exists. */
  resolve(nameOrArn: string): { readonly name: string; readonly arn: string } | undefined {
    const match = FUNCTION_NAME.exec(nameOrArn);
    if (!match) return undefined;
    const [, region, account, name, qualifier] = match;
    if ((region && region !== this.region) || (account && account !== this.account) || (qualifier && qualifier !== '$LATEST')) return undefined;
    const fn = this.functions.get(name as string);
    return fn && { name: fn.name, arn: fn.arn };
  }

  /** The function a name or ARN designates; throws {@link FunctionNotFoundError} when there is none. */
  getFunction(nameOrArn: string): { readonly name: string; readonly arn: string } {
    const fn = this.lookup(nameOrArn);
    return { name: fn.name, arn: fn.arn };
  }

  /** Invokes synchronously: the function's result, or its error thrown. */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    return this.lookup(nameOrArn).handler(event);
  }

  /** Asynchronous invocations accepted since start, by function name (the two-region benchmark counts them). */
  readonly accepted = new Map<string, number>();

  /** Accepts an asynchronous invocation (Lambda's 202) and returns its request id; the function runs afterwards. */
  invokeAsync(nameOrArn: string, event: unknown): string {
    const fn = this.lookup(nameOrArn);
    this.accepted.set(fn.name, (this.accepted.get(fn.name) ?? 0) + 1);
    const traceHeader = currentTraceHeader();
    const queued: Queued = { requestId: randomUUID(), functionName: fn.name, event, queuedAt: Date.now(), failedAttempts: 0, ...(traceHeader ? { traceHeader } : {}) };
    this.journal({ op: 'queued', requestId: queued.requestId, functionName: queued.functionName, event, queuedAt: queued.queuedAt });
    this.schedule(queued);
    return queued.requestId;
  }

  /**
   * Re-runs the asynchronous invocations the journal holds unfinished (a crash interrupted them), keeping the
   * attempts they already used; call once every function is registered. Compacts the journal to those
   * invocations. Returns how many were resumed; those of a function no longer registered stay in the journal.
   */
  resume(): number {
    const file = this.options.journalFile;
    if (!file || !existsSync(file)) return 0;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const entry = parseJournalLine(line);
      if (entry) this.apply(entry);
    }
    this.compact();
    let resumed = 0;
    for (const queued of this.open.values()) {
      if (!this.functions.has(queued.functionName) || this.running.has(queued.requestId)) continue;
      this.schedule(queued);
      resumed++;
    }
    return resumed;
  }

  /** Asynchronous invocations accepted and not finished, retries included. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when every asynchronous invocation under way (retries included) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private lookup(nameOrArn: string): Registered {
    const resolved = this.resolve(nameOrArn);
    if (!resolved) throw new FunctionNotFoundError(nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:lambda:${this.region}:${this.account}:function:${nameOrArn}`);
    return this.functions.get(resolved.name) as Registered;
  }

  private schedule(queued: Queued): void {
    this.running.add(queued.requestId);
    const run = this.run(queued).finally(() => {
      this.inFlight.delete(run);
      this.running.delete(queued.requestId);
    });
    this.inFlight.add(run);
  }

  private async run(queued: Queued): Promise<void> {
    const fn = this.functions.get(queued.functionName) as Registered;
    const config = fn.asyncConfig ?? LAMBDA_ASYNC_DEFAULTS;
    const base = this.options.retryBaseMs ?? 50;
    let { failedAttempts, lastError } = queued;
    let condition: InvocationRecord['requestContext']['condition'] = 'RetriesExhausted';
    // The caller's acceptance comes first, as Lambda answers 202 before the function runs.
    await Promise.resolve();
    while (failedAttempts <= config.maximumRetryAttempts) {
      if (failedAttempts > 0) await new Promise((resolve) => setTimeout(resolve, base * 2 ** (failedAttempts - 1)));
      if (Date.now() - queued.queuedAt >= config.maximumEventAgeInSeconds * 1000) {
        condition = 'EventAgeExceeded';
        break;
      }
      await this.slot();
      try {
        await withTraceHeader(queued.traceHeader, () => fn.handler(queued.event));
        this.journal({ op: 'finished', requestId: queued.requestId });
        return;
      } catch (error) {
        failedAttempts++;
        lastError = errorPayload(error);
        this.journal({ op: 'failed', requestId: queued.requestId, failedAttempts, error: lastError });
        if (typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false) break;
      } finally {
        this.release();
      }
    }
    fn.onFailure?.send(JSON.stringify(invocationRecord(queued, `${fn.arn}:$LATEST`, condition, failedAttempts, lastError)), {});
    this.journal({ op: 'finished', requestId: queued.requestId });
  }

  /**
   * Waits for a free execution slot. Lambda runs at most the account's concurrency at once and keeps the rest of
   * its asynchronous queue waiting; without a bound, a backlog (the deliveries a restarted bus resumes) would start
   * every invocation at once, and each would wait on sockets until it ran past its timeout.
   */
  private slot(): Promise<void> {
    if (this.active < (this.options.maxConcurrency ?? LAMBDA_LOCAL_CONCURRENCY)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private journal(line: JournalLine): void {
    if (!this.options.journalFile) return;
    // Synchronous: an invocation is accepted only once its line is on disk.
    appendFileSync(this.options.journalFile, `${JSON.stringify(line)}\n`);
    this.apply(line);
    if (++this.journalLines >= JOURNAL_COMPACTION_LINES) this.compact();
  }

  /** Keeps `open` as the journal describes it: what is queued and not finished, with the attempts it used. */
  private apply(entry: JournalLine): void {
    if (entry.op === 'queued') this.open.set(entry.requestId, { requestId: entry.requestId, functionName: entry.functionName, event: entry.event, queuedAt: entry.queuedAt, failedAttempts: 0 });
    else if (entry.op === 'failed') {
      const queued = this.open.get(entry.requestId);
      if (queued) this.open.set(entry.requestId, { ...queued, failedAttempts: entry.failedAttempts, lastError: entry.error });
    } else this.open.delete(entry.requestId);
  }

  /** Rewrites the journal with the unfinished invocations only (written beside it, then renamed: a crash leaves one or the other). */
  private compact(): void {
    const file = this.options.journalFile as string;
    const lines = [...this.open.values()].flatMap((queued): JournalLine[] => [
      { op: 'queued', requestId: queued.requestId, functionName: queued.functionName, event: queued.event, queuedAt: queued.queuedAt },
      ...(queued.lastError ? [{ op: 'failed' as const, requestId: queued.requestId, failedAttempts: queued.failedAttempts, error: queued.lastError }] : []),
    ]);
    writeFileSync(`${file}.partial`, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    renameSync(`${file}.partial`, file);
    this.journalLines = lines.length;
  }
}

/** A function error as the Node.js runtime reports it: `errorType`, `errorMessage` and the stack as `trace`. */
export function errorPayload(error: unknown): FunctionErrorPayload {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { errorType: failure.name, errorMessage: failure.message, trace: (failure.stack ?? '').split('\n').filter((line) => line !== '') };
}

function invocationRecord(
  queued: Queued,
  functionArn: string,
  condition: InvocationRecord['requestContext']['condition'],
  attempts: number,
  lastError: FunctionErrorPayload | undefined,
): InvocationRecord {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: { requestId: queued.requestId, functionArn, condition, approximateInvokeCount: attempts },
    requestPayload: queued.event,
    ...(lastError ? { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' }, responsePayload: lastError } : {}),
  };
}

/** One journal line, or undefined for a line a crash cut short. */
function parseJournalLine(line: string): JournalLine | undefined {
  if (line.trim() === '') return undefined;
  try {
    return JSON.parse(line) as JournalLine;
  } catch {
    return undefined;
  }
}
