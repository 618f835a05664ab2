import { setMaxListeners } from 'node:events';
import { withTraceHeader } from '../functions/shared/trace-context';
import type { LocalTraceRecorder } from './xray';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { LocalSagaRunner, ResumePoint, SagaExecution } from './saga-runner';
import { LoopbackServer, replyJson } from './loopback';
import { LocalRuntimeError } from './errors';

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** What survives a restart of one execution: enough to describe it, list it, redrive it or resume it. */
interface ExecutionState {
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** The last state entered and its input: where a crashed execution resumes and a failed one is redriven. */
  at?: ResumePoint;
  redriveCount: number;
  redriveDate?: number;
}

interface ExecutionRecord {
  readonly state: ExecutionState;
  /** The executor's event log of the latest run in this process (history does not survive a restart). */
  result?: SagaExecution;
  done: Promise<void>;
  /** A run of it is under way in this process. */
  active: boolean;
}

/** AWS keeps a failed Standard execution redrivable for 14 days after it stopped. */
const REDRIVE_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Execution names as StartExecution accepts them: 1–80 characters, none of whitespace, brackets, wildcards,
 * `" # % \ ^ | ~ ` $ & , ; : /` or control characters.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: AWS refuses execution names with control characters; the class names them.
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

export interface StepFunctionsServerOptions {
  /**
   * Where each execution's state is kept (one JSON file per execution), so executions outlive the process as
   * they do on AWS: one that was running when the process died resumes at the state it had entered (that
   * state runs again, as a task whose worker crashed is retried), a failed one can be redriven after a
   * restart. @default - in memory only
   */
  readonly dir?: string;
  /** Writes each execution's segment, continuing the trace of the header StartExecution passed. @default - no traces */
  readonly recorder?: LocalTraceRecorder;
}

/**
 * Step Functions on loopback, in the AWS JSON 1.0 protocol the SDK speaks: StartExecution (a name is used
 * once: ExecutionAlreadyExists, as AWS), DescribeExecution, GetExecutionHistory, ListExecutions and
 * RedriveExecution (a failed execution continues from the state it failed in, with that state's input),
 * running the real ASL through the local saga runner.
 */
export class StepFunctionsServer extends LoopbackServer {
  private readonly executions = new Map<string, ExecutionRecord>();
  /** Aborted by {@link kill}: every run stops and nothing more is written, as when the process dies. */
  private readonly alive = abortController();

  /** @param runner the saga runner, or a function returning it: the server may start before the handlers load. */
  constructor(
    private readonly stateMachineArn: string,
    private readonly runner: LocalSagaRunner | (() => LocalSagaRunner),
    private readonly options: StepFunctionsServerOptions = {},
  ) {
    super();
  }

  override async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.load();
    return super.start(port, host);
  }

  /**
   * Resumes every execution that was running when the process stopped. Call once the runner's tasks can be
   * invoked (after the functions are loaded).
   */
  resumeInterrupted(): number {
    let resumed = 0;
    for (const record of this.executions.values()) {
      if (record.state.status !== 'RUNNING' || record.active) continue;
      this.launch(record, record.state.at);
      resumed++;
    }
    return resumed;
  }

  override async stop(): Promise<void> {
    await this.idle();
    await super.stop();
  }

  /**
   * Stops at once, as a killed process would: runs are abandoned where they are and nothing more is saved,
   * so a server started on the same directory finds them RUNNING and resumes them. For crash tests.
   * @internal
   */
  async kill(): Promise<void> {
    this.alive.abort();
    await super.stop();
  }

  /** Resolves when every execution started so far has ended. */
  async idle(): Promise<void> {
    // A redrive may launch a run while earlier ones are awaited, so look again until none is active.
    while ([...this.executions.values()].some((execution) => execution.active)) await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  /** Executions running in this process. */
  get running(): number {
    return [...this.executions.values()].filter((execution) => execution.active).length;
  }

  /** Executions by name, for the demo and tests. */
  execution(name: string): { status: string; result?: SagaExecution; redriveCount: number } | undefined {
    const record = this.executions.get(this.executionArn(name));
    return record ? { status: record.state.status, redriveCount: record.state.redriveCount, ...(record.result ? { result: record.result } : {}) } : undefined;
  }

  private executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const operation = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new LocalRuntimeError('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'Request body is not a JSON object' });
    }
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(body, res);
      case 'DescribeExecution':
        return this.describe(String(body.executionArn ?? ''), res);
      case 'GetExecutionHistory':
        return this.history(String(body.executionArn ?? ''), res);
      case 'ListExecutions':
        return this.list(body, res);
      case 'RedriveExecution':
        return this.redrive(String(body.executionArn ?? ''), res);
      default:
        return reply(res, 400, {
          __type: 'UnknownOperationException',
          message: `The local Step Functions serves StartExecution, DescribeExecution, GetExecutionHistory, ListExecutions and RedriveExecution, not ${operation}`,
        });
    }
  }

  /** StartExecution requests answered, and how many of them started an execution (the rest named one that exists). */
  readonly starts = { requests: 0, started: 0 };

  private startExecution(body: Record<string, unknown>, res: ServerResponse): void {
    this.starts.requests++;
    if (body.stateMachineArn !== this.stateMachineArn) return reply(res, 400, { __type: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${String(body.stateMachineArn)}'` });
    const name = body.name === undefined ? crypto.randomUUID() : String(body.name);
    if (!EXECUTION_NAME.test(name)) return reply(res, 400, { __type: 'InvalidName', message: `Invalid Name: '${name}'` });
    const input = body.input === undefined ? '{}' : String(body.input);
    try {
      JSON.parse(input);
    } catch {
      return reply(res, 400, { __type: 'InvalidExecutionInput', message: `Invalid State Machine Execution Input: 'not valid JSON'` });
    }
    const arn = this.executionArn(name);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: a Standard execution name is used once; the same input is idempotent only while it runs.
      if (existing.state.input === input && existing.state.status === 'RUNNING') return reply(res, 200, { executionArn: arn, startDate: existing.state.startDate / 1000 });
      return reply(res, 400, { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${arn}'` });
    }
    const record: ExecutionRecord = { state: { arn, name, input, startDate: Date.now(), status: 'RUNNING', redriveCount: 0 }, done: Promise.resolve(), active: false };
    this.executions.set(arn, record);
    this.starts.started++;
    this.save(record.state);
    // StartExecution's traceHeader (1–256 characters) puts the execution in its caller's trace; its tasks run in it.
    const traceHeader = typeof body.traceHeader === 'string' && body.traceHeader !== '' ? body.traceHeader : undefined;
    if (this.options.recorder) {
      const segment = this.options.recorder.begin(this.stateMachineArn.split(':').at(-1) ?? 'saga', 'AWS::StepFunctions::StateMachine', traceHeader, { executionName: name });
      withTraceHeader(segment.header, () => this.launch(record, undefined));
      void record.done.then(() => segment.end(record.state.status === 'FAILED'));
    } else this.launch(record, undefined);
    reply(res, 200, { executionArn: arn, startDate: record.state.startDate / 1000 });
  }

  /** Runs (or continues) an execution in the background, keeping its persisted state current. */
  private launch(record: ExecutionRecord, from: ResumePoint | undefined): void {
    const state = record.state;
    const runner = typeof this.runner === 'function' ? this.runner() : this.runner;
    record.result = undefined;
    record.active = true;
    record.done = runner
      .run(state.name, JSON.parse(state.input), {
        ...(from ? { from } : {}),
        signal: this.alive.signal,
        onStateEntered: (point) => {
          state.at = point;
          this.save(state);
        },
      })
      .then((result) => {
        if (this.alive.signal.aborted) return;
        record.result = result;
        state.status = result.status;
        state.stopDate = Date.now();
        if (result.status === 'SUCCEEDED') state.output = JSON.stringify(result.output);
        else {
          state.error = result.error;
          state.cause = result.cause;
          if (result.failedAt) state.at = result.failedAt;
        }
        this.save(state);
      })
      .finally(() => {
        record.active = false;
      });
  }

  private describe(arn: string, res: ServerResponse): void {
    const record = this.executions.get(arn);
    if (!record) return reply(res, 400, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${arn}'` });
    const state = record.state;
    reply(res, 200, {
      executionArn: arn,
      stateMachineArn: this.stateMachineArn,
      name: state.name,
      status: state.status,
      startDate: state.startDate / 1000,
      ...(state.stopDate && state.status !== 'RUNNING' ? { stopDate: state.stopDate / 1000 } : {}),
      input: state.input,
      ...(state.status === 'SUCCEEDED' ? { output: state.output } : {}),
      ...(state.status === 'FAILED' ? { error: state.error, cause: state.cause } : {}),
      redriveCount: state.redriveCount,
      ...(state.redriveDate ? { redriveDate: state.redriveDate / 1000 } : {}),
      ...redriveStatus(state),
    });
  }

  private list(body: Record<string, unknown>, res: ServerResponse): void {
    if (body.stateMachineArn !== this.stateMachineArn) return reply(res, 400, { __type: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${String(body.stateMachineArn)}'` });
    const maxResults = body.maxResults === undefined || body.maxResults === 0 ? 100 : Number(body.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
      return reply(res, 400, {
        __type: 'ValidationException',
        message: `1 validation error detected: Value '${String(body.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
      });
    }
    const offset = body.nextToken === undefined ? 0 : Number.parseInt(Buffer.from(String(body.nextToken), 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0) return reply(res, 400, { __type: 'InvalidToken', message: `Invalid Token: '${String(body.nextToken)}'` });
    // AWS lists the most recent execution first.
    const matching = [...this.executions.values()]
      .map((record) => record.state)
      .filter((state) => body.statusFilter === undefined || state.status === body.statusFilter)
      .filter((state) => body.redriveFilter === undefined || (body.redriveFilter === 'REDRIVEN') === state.redriveCount > 0)
      .sort((a, b) => b.startDate - a.startDate);
    const page = matching.slice(offset, offset + maxResults);
    reply(res, 200, {
      executions: page.map((state) => ({
        executionArn: state.arn,
        stateMachineArn: this.stateMachineArn,
        name: state.name,
        status: state.status,
        startDate: state.startDate / 1000,
        ...(state.stopDate && state.status !== 'RUNNING' ? { stopDate: state.stopDate / 1000 } : {}),
        redriveCount: state.redriveCount,
        ...(state.redriveDate ? { redriveDate: state.redriveDate / 1000 } : {}),
      })),
      ...(offset + maxResults < matching.length ? { nextToken: Buffer.from(String(offset + maxResults)).toString('base64url') } : {}),
    });
  }

  /** RedriveExecution: a failed execution continues from the state it failed in, under the same ARN. */
  private redrive(arn: string, res: ServerResponse): void {
    const record = this.executions.get(arn);
    if (!record) return reply(res, 400, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${arn}'` });
    const status = redriveStatus(record.state);
    if (status.redriveStatus !== 'REDRIVABLE') return reply(res, 400, { __type: 'ExecutionNotRedrivable', message: `Execution '${arn}' is not redrivable: ${status.redriveStatusReason}` });
    const state = record.state;
    state.status = 'RUNNING';
    state.redriveCount += 1;
    state.redriveDate = Date.now();
    delete state.error;
    delete state.cause;
    delete state.stopDate;
    this.save(state);
    this.launch(record, state.at);
    reply(res, 200, { redriveDate: state.redriveDate / 1000 });
  }

  private history(arn: string, res: ServerResponse): void {
    const record = this.executions.get(arn);
    if (!record) return reply(res, 400, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${arn}'` });
    const events = (record.result?.history ?? []).map((event, index) => {
      const state = (event as { state?: { name?: string; type?: string } }).state;
      return {
        id: index + 1,
        previousEventId: index,
        timestamp: event.timestamp / 1000,
        type: historyType(event.type, state?.type),
        ...(state?.name ? { stateEnteredEventDetails: { name: state.name } } : {}),
      };
    });
    reply(res, 200, { events });
  }

  private fileOf(name: string): string | undefined {
    return this.options.dir ? join(this.options.dir, `${encodeURIComponent(name)}.json`) : undefined;
  }

  /** Written to a temporary file and renamed, so a process killed mid-write leaves the previous state whole. */
  private save(state: ExecutionState): void {
    const file = this.fileOf(state.name);
    if (!file || this.alive.signal.aborted) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  }

  private load(): void {
    const dir = this.options.dir;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      const state = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ExecutionState;
      if (state.arn.startsWith(this.stateMachineArn.replace(':stateMachine:', ':execution:'))) this.executions.set(state.arn, { state, done: Promise.resolve(), active: false });
    }
  }
}

/** Whether RedriveExecution would accept the execution, as DescribeExecution reports it. */
function redriveStatus(state: ExecutionState): { redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE'; redriveStatusReason?: string } {
  if (state.status === 'RUNNING') return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING and cannot be redriven' };
  if (state.status === 'SUCCEEDED') return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' };
  if (state.stopDate !== undefined && Date.now() - state.stopDate > REDRIVE_WINDOW_MS) return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution stopped more than 14 days ago' };
  return { redriveStatus: 'REDRIVABLE' };
}

/** The local executor's event names mapped onto Step Functions' HistoryEventType. */
function historyType(type: string, stateType: string | undefined): string {
  if (type === 'StateEntered' || type === 'StateExited') return `${stateType ?? 'Task'}State${type === 'StateEntered' ? 'Entered' : 'Exited'}`;
  if (type === 'StateRetried') return 'TaskFailed';
  if (type === 'StateCaught' || type === 'StateFailed') return 'TaskFailed';
  return type;
}

/** Answers in the AWS JSON protocol's content type. */
function reply(res: ServerResponse, status: number, body: unknown): void {
  replyJson(res, status, body, 'application/x-amz-json-1.0');
}

/** One controller for every run of the server: each running execution listens to it, however many there are. */
function abortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
