import { StateMachine } from 'aws-local-stepfunctions';
import type { Application } from '../model/application';
import { LOCAL_NAMES } from './placement';
import { renderOrderSaga, sagaPublishStates, sagaTaskActions, type StateMachineDefinition } from '../statemachines/order-saga';
import { LocalRuntimeError } from './errors';

// aws-local-stepfunctions calls Promise.withResolvers, which Node 20 lacks (Node 22 has it).
const promiseStatics = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } };
promiseStatics.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** One entry of an execution's event log (ExecutionStarted, StateEntered, StateRetried, StateCaught…). */
export type EventLog = { readonly type: string; readonly timestamp: number; readonly [field: string]: unknown };

/** A function standing in for a Lambda task: receives the state's effective input, returns its result. */
export type LocalTask = (input: unknown) => Promise<unknown>;

/** An entry as the `events:putEvents` integration receives it (Detail is an object). */
export interface SagaPutEventsEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: Record<string, unknown>;
  /** A task's trace header, handed over with its entry (see `SagaEntry`). */
  readonly TraceHeader?: string;
}

export interface LocalSagaOptions {
  readonly app: Application;
  /** The local function for each saga action id (`inventory.ReserveItem`). */
  readonly tasks: Readonly<Record<string, LocalTask>>;
  /** Where `events:putEvents` states send their entries; returns one event id per entry. */
  readonly putEvents: (entries: readonly SagaPutEventsEntry[]) => Promise<string[]>;
  readonly eventBusName: string;
  /** The base URL of the published schemas, stamped as `metadata.schema` of the facts the saga states. @default - registry names */
  readonly schemaBaseUrl?: string;
  /** Replaces every Retry interval (ms), so retries in tests and demos do not wait seconds. @default - as the ASL says */
  readonly retryIntervalMs?: number;
  /**
   * The interval (ms) of the retrier for `IdempotencyAlreadyInProgressError`, which must outlast a crashed
   * invocation's in-progress record (the function's timeout), so it is not shortened with the others.
   * @default - as the ASL says
   */
  readonly inProgressRetryMs?: number;
}

/** Where a redriven or resumed execution picks up: the state it had entered and that state's input. */
export interface ResumePoint {
  readonly state: string;
  readonly input: unknown;
}

export interface RunOptions {
  /** Start at this state instead of StartAt (a redrive, or an execution resumed after a crash). */
  readonly from?: ResumePoint;
  /** Called as each state is entered, so a caller can persist where the execution is. */
  readonly onStateEntered?: (point: ResumePoint) => void;
  /** Aborts the run (ExecutionAborted), as a process that dies stops its executions. */
  readonly signal?: AbortSignal;
}

/** How one execution ended, with its event log (the local GetExecutionHistory). */
export interface SagaExecution {
  readonly name: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly history: readonly EventLog[];
  /** The state the execution failed in, with its input: where a redrive resumes. */
  readonly failedAt?: ResumePoint;
}

/**
 * Runs the real order-saga ASL with aws-local-stepfunctions: function tasks resolve to local handlers and
 * `events:putEvents` states to the given bus. The definition is rendered and validated once; runs are cheap.
 */
export class LocalSagaRunner {
  readonly definition: StateMachineDefinition;
  private readonly machine: StateMachine;
  /** Machines that start at another state, for redrives and resumes; built once per state. */
  private readonly resumedMachines = new Map<string, StateMachine>();
  private readonly overrides: Record<string, (input: unknown) => Promise<unknown>>;
  private readonly retryOverrides: Record<string, number | number[]>;

  constructor(options: LocalSagaOptions) {
    this.definition = renderOrderSaga(options.app, {
      functionArn: (actionId) => LOCAL_NAMES.functionArn(actionId),
      eventBusName: options.eventBusName,
      ...(options.schemaBaseUrl ? { schemaBaseUrl: options.schemaBaseUrl } : {}),
    });
    this.machine = new StateMachine(this.definition as never, { validationOptions: { checkPaths: true, checkArn: true } });
    this.overrides = {};
    for (const [state, actionId] of Object.entries(sagaTaskActions())) {
      const task = options.tasks[actionId];
      if (!task) throw new LocalRuntimeError(`no local handler for saga action ${actionId} (state ${state})`);
      this.overrides[state] = task;
    }
    for (const state of sagaPublishStates()) {
      this.overrides[state] = async (input) => {
        const entries = (input as { Entries: SagaPutEventsEntry[] }).Entries;
        const ids = await options.putEvents(entries);
        return { Entries: ids.map((EventId) => ({ EventId })), FailedEntryCount: 0 };
      };
    }
    this.retryOverrides = {};
    for (const [state, definition] of Object.entries(this.definition.States)) {
      const retriers = (definition.Retry ?? []) as ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
      // -1 keeps a retrier's own interval (the executor ignores negative overrides).
      const intervals = retriers.map((retrier) => (retrier.ErrorEquals.includes(IN_PROGRESS_ERROR) ? options.inProgressRetryMs : options.retryIntervalMs) ?? -1);
      if (intervals.some((interval) => interval >= 0)) this.retryOverrides[state] = intervals;
    }
  }

  /** Runs one execution to its end, from StartAt or from a resume point. */
  async run(name: string, input: unknown, options: RunOptions = {}): Promise<SagaExecution> {
    const machine = options.from ? this.machineFrom(options.from.state) : this.machine;
    const execution = machine.run((options.from ? options.from.input : input) as never, {
      overrides: { taskResourceLocalHandlers: this.overrides as never, retryIntervalOverrides: this.retryOverrides },
      // The executor fills $$.Execution but not $$.State; the saga reads $$.State.EnteredTime for its outcome
      // timestamps, so evaluate it when read, which is while the state runs.
      context: {
        Execution: { Name: name },
        State: {
          get EnteredTime() {
            return new Date().toISOString();
          },
        },
      } as never,
    });
    const abort = () => execution.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    let current: ResumePoint | undefined = options.from;
    const historyPromise = collect(execution.eventLogs as AsyncGenerator<EventLog>, (event) => {
      if (event.type !== 'StateEntered') return;
      const state = (event as unknown as { state: { name: string; input: unknown } }).state;
      current = { state: state.name, input: state.input };
      options.onStateEntered?.(current);
    });
    try {
      const output = await execution.result;
      return { name, status: 'SUCCEEDED', output, history: await historyPromise };
    } catch (error) {
      const history = await historyPromise;
      const failed = history.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: string } | undefined;
      return {
        name,
        status: 'FAILED',
        error: failed?.Error ?? (error as Error).name,
        cause: failed?.Cause ?? (error as Error).message,
        history,
        ...(current ? { failedAt: current } : {}),
      };
    } finally {
      // One signal serves every execution of the server: a listener left behind per run would pile up.
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /** The saga with StartAt moved to `state`; the definition was validated whole, so the copy is not revalidated. */
  private machineFrom(state: string): StateMachine {
    if (!(state in this.definition.States)) throw new LocalRuntimeError(`the order saga has no state ${state}`);
    let machine = this.resumedMachines.get(state);
    if (!machine) {
      machine = new StateMachine({ ...this.definition, StartAt: state } as never, { validationOptions: { noValidate: true } });
      this.resumedMachines.set(state, machine);
    }
    return machine;
  }
}

/** The error Powertools idempotency throws while another invocation holds the record. */
const IN_PROGRESS_ERROR = 'IdempotencyAlreadyInProgressError';

async function collect(logs: AsyncGenerator<EventLog>, onEvent: (event: EventLog) => void): Promise<EventLog[]> {
  const events: EventLog[] = [];
  for await (const event of logs) {
    events.push(event);
    onEvent(event);
  }
  return events;
}
