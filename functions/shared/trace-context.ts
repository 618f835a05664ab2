import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The X-Ray trace header of the invocation under way. Lambda runs one invocation at a time per execution environment
 * and sets `_X_AMZN_TRACE_ID` for it; the local runtime runs many invocations at once in one process, where one
 * environment variable cannot tell them apart, so it hands each its header through this store instead.
 */
const invocationTrace = new AsyncLocalStorage<string>();

/** The trace header to pass on (PutEvents entries, StartExecution): the local invocation's, else Lambda's. */
export function currentTraceHeader(): string | undefined {
  return invocationTrace.getStore() ?? process.env._X_AMZN_TRACE_ID;
}

/** Runs `work` as an invocation traced under `header` (the local runtime's Lambda does this for each invocation). */
export function withTraceHeader<T>(header: string | undefined, work: () => T): T {
  return header === undefined ? work() : invocationTrace.run(header, work);
}
