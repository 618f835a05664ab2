import { parentPort, workerData } from 'node:worker_threads';
import { handlerFile } from '../functions/handlers';
import { lambdaContext, localFunctionName } from './lambda-context';
import type { WorkerReply, WorkerRequest } from './lambda-workers';
import { LocalRuntimeError } from './errors';
import { withTraceHeader } from '../functions/shared/trace-context';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** One Lambda worker: every handler loaded once (a warm instance of each function), invoked per message. */
function serve(actionIds: readonly string[], timeoutMs: number): void {
  const port = parentPort;
  if (!port) throw new LocalRuntimeError('lambda-worker must run in a worker thread');
  const handlers = new Map<string, Handler>();
  // require, not import(): the worker's TypeScript hook (lambda-worker.cjs) is tsx's CommonJS one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const actionId of actionIds) handlers.set(actionId, (require(handlerFile(actionId)) as { handler: Handler }).handler);
  port.on('message', (request: WorkerRequest) => {
    const handler = handlers.get(request.actionId);
    const reply = (message: WorkerReply) => port.postMessage(message);
    if (!handler) return reply({ id: request.id, ok: false, error: { name: 'ResourceNotFoundException', message: `no function for ${request.actionId}`, props: {} } });
    withTraceHeader(request.traceHeader, () => handler(request.event, lambdaContext(localFunctionName(request.actionId), timeoutMs))).then(
      (result) => reply({ id: request.id, ok: true, result }),
      (error: unknown) => reply({ id: request.id, ok: false, error: serializeError(error) }),
    );
  });
  port.postMessage({ ready: true });
}

/** An error as it crosses the thread boundary: its name and message, and the fields retry decisions read (`retryable`). */
function serializeError(error: unknown): Extract<WorkerReply, { ok: false }>['error'] {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), props: {} };
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) props[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, props };
}

try {
  const { actionIds, timeoutMs } = workerData as { actionIds: string[]; timeoutMs: number };
  serve(actionIds, timeoutMs);
} catch (error) {
  parentPort?.postMessage({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
