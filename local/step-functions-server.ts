import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { LocalSagaRunner, SagaExecution } from './saga-runner';
import { closeServer, listenOnLoopback, replyJson } from './loopback';

interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  result?: SagaExecution;
  stopDate?: number;
  readonly done: Promise<void>;
}

/**
 * Step Functions on loopback, in the AWS JSON 1.0 protocol the SDK speaks: StartExecution (a name is used
 * once: ExecutionAlreadyExists, as AWS), DescribeExecution and GetExecutionHistory, running the real ASL
 * through the local saga runner.
 */
export class StepFunctionsServer {
  private server?: Server;
  private readonly executions = new Map<string, ExecutionRecord>();
  url = '';

  /** @param runner the saga runner, or a function returning it: the server may start before the handlers load. */
  constructor(
    private readonly stateMachineArn: string,
    private readonly runner: LocalSagaRunner | (() => LocalSagaRunner),
  ) {}

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    ({ server: this.server, url: this.url } = await listenOnLoopback((req, res) => void this.handle(req, res), port, host));
    return this;
  }

  async stop(): Promise<void> {
    await this.idle();
    await closeServer(this.server);
  }

  /** Resolves when every execution started so far has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  /** Executions still running. */
  get running(): number {
    return [...this.executions.values()].filter((execution) => !execution.result).length;
  }

  /** Executions by name, for the demo and tests. */
  execution(name: string): { status: string; result?: SagaExecution } | undefined {
    const record = this.executions.get(`${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`);
    return record ? { status: record.result?.status ?? 'RUNNING', ...(record.result ? { result: record.result } : {}) } : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const operation = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string>;
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(body, res);
      case 'DescribeExecution':
        return this.describe(body.executionArn ?? '', res);
      case 'GetExecutionHistory':
        return this.history(body.executionArn ?? '', res);
      default:
        return reply(res, 400, { __type: 'UnknownOperationException', message: `The local Step Functions serves StartExecution, DescribeExecution and GetExecutionHistory, not ${operation}` });
    }
  }

  private startExecution(body: Record<string, string>, res: ServerResponse): void {
    if (body.stateMachineArn !== this.stateMachineArn) return reply(res, 400, { __type: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${body.stateMachineArn}'` });
    const name = body.name ?? crypto.randomUUID();
    const arn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: a Standard execution name is used once; the same input is idempotent only while it runs.
      if (existing.input === (body.input ?? '{}') && !existing.result) return reply(res, 200, { executionArn: arn, startDate: existing.startDate / 1000 });
      return reply(res, 400, { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${arn}'` });
    }
    const input = body.input ?? '{}';
    const record: ExecutionRecord = {
      arn,
      name,
      input,
      startDate: Date.now(),
      done: (typeof this.runner === 'function' ? this.runner() : this.runner).run(name, JSON.parse(input)).then((result) => {
        record.result = result;
        record.stopDate = Date.now();
      }),
    };
    this.executions.set(arn, record);
    reply(res, 200, { executionArn: arn, startDate: record.startDate / 1000 });
  }

  private describe(arn: string, res: ServerResponse): void {
    const record = this.executions.get(arn);
    if (!record) return reply(res, 400, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${arn}'` });
    const result = record.result;
    reply(res, 200, {
      executionArn: arn,
      stateMachineArn: this.stateMachineArn,
      name: record.name,
      status: result?.status ?? 'RUNNING',
      startDate: record.startDate / 1000,
      ...(record.stopDate ? { stopDate: record.stopDate / 1000 } : {}),
      input: record.input,
      ...(result?.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output) } : {}),
      ...(result?.status === 'FAILED' ? { error: result.error, cause: result.cause } : {}),
    });
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
