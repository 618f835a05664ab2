import { join } from 'node:path';
import { LOCAL_FUNCTION_TIMEOUT_MS } from './lambda-context';
import { Worker } from 'node:worker_threads';
import { LocalRuntimeError } from './errors';
import { collectEmfLines, type EmfCollector } from './emf';

/** A message to a worker: run one function on one event. */
export interface WorkerRequest {
  readonly id: number;
  readonly actionId: string;
  readonly event: unknown;
  /** The invocation's trace header (the worker's functions read it from their own thread's store). */
  readonly traceHeader?: string;
}

/** A worker's answer: the handler's result, or the error it threw. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly message: string; readonly stack?: string | undefined; readonly props: Record<string, unknown> } };

type Pending = { readonly resolve: (value: unknown) => void; readonly reject: (reason: unknown) => void };

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Settles once the worker has loaded every handler, or failed to. */
  readonly ready: Promise<void>;
}

/**
 * The local Lambda service: the functions run in worker threads, each worker a warm instance of every function.
 * Why threads: most of an order's CPU is the handlers' AWS SDK work (serialization, signing, HTTP to dynalite);
 * on the main thread it competes with the bus, the executor and the servers, and one thread caps the whole
 * system once there are cores to spare. Workers read the process environment as it was when they started, as a
 * Lambda reads its configuration. A worker that dies fails its invocations as Lambda fails them when a runtime
 * exits (`Runtime.ExitError`; the bus retries it, the saga applies its Retry policy) and is replaced by a fresh
 * one, as Lambda replaces an instance.
 */
export class LambdaWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private stopping = false;

  private constructor(
    private readonly actionIds: readonly string[],
    private readonly timeoutMs: number,
    private readonly emf: EmfCollector | undefined,
  ) {}

  /**
   * Starts `count` workers, each loading the handlers of `actionIds`; resolves once all are ready. `timeoutMs` is
   * the functions' timeout, which their Lambda context reports as the remaining time. With `emf`, the EMF lines the
   * functions write go to it and the rest of their output to this process's stdout, as before.
   */
  static async start(count: number, actionIds: readonly string[], timeoutMs = LOCAL_FUNCTION_TIMEOUT_MS, options: { readonly emf?: EmfCollector } = {}): Promise<LambdaWorkers> {
    const workers = new LambdaWorkers(actionIds, timeoutMs, options.emf);
    for (let index = 0; index < count; index++) workers.slots.push(workers.spawn(index));
    try {
      await Promise.all(workers.slots.map((slot) => slot.ready));
    } catch (error) {
      await workers.stop();
      throw error;
    }
    return workers;
  }

  /** Invokes a function on the least busy worker, as Lambda routes to a free instance. */
  invoke(actionId: string, event: unknown, traceHeader?: string): Promise<unknown> {
    const slot = this.slots.reduce((best, candidate) => (candidate.pending.size < best.pending.size ? candidate : best));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, actionId, event, ...(traceHeader ? { traceHeader } : {}) } satisfies WorkerRequest);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(index: number): Slot {
    // The environment as it is now, passed explicitly: a test runner may give this module its own process.env.
    // stdout: true hands the worker's output to this thread as a stream, instead of piping it to the terminal.
    const worker = new Worker(join(__dirname, 'lambda-worker.cjs'), { workerData: { actionIds: this.actionIds, timeoutMs: this.timeoutMs }, env: { ...process.env }, stdout: this.emf !== undefined });
    if (this.emf) collectEmfLines(worker.stdout, this.emf);
    const pending = new Map<number, Pending>();
    let loaded = false;
    const ready = new Promise<void>((done, fail) => {
      worker.once('message', (message: { ready?: true; failed?: string }) => {
        loaded = message.ready === true;
        if (loaded) done();
        else fail(new LocalRuntimeError(`a Lambda worker could not load its handlers: ${message.failed}`));
      });
      worker.once('exit', (code) => fail(new LocalRuntimeError(`a Lambda worker exited with code ${code} while loading its handlers`)));
    });
    ready.catch(() => undefined); // start() reports it
    worker.on('message', (reply: WorkerReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(Object.assign(new Error(reply.error.message), reply.error.props, { name: reply.error.name, stack: reply.error.stack }));
    });
    worker.on('error', () => undefined); // the exit that follows fails what was pending
    worker.on('exit', (code) => {
      for (const waiting of pending.values()) waiting.reject(Object.assign(new Error(`the function’s worker exited with code ${code}`), { name: 'Runtime.ExitError' }));
      pending.clear();
      // Replaced only if it had loaded: a worker that cannot load its handlers would fail again, forever.
      if (!this.stopping && loaded) this.slots[index] = this.spawn(index);
    });
    worker.unref();
    return { worker, pending, ready };
  }
}
