import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SDK_CLIENT_DEFAULTS, consumerFromEnv, currentTraceHeader, sagaFromEnv, tracedClient, type DataOf } from '../shared';

const saga = sagaFromEnv();
const sagaArn = saga.stateMachineArn;
// The saga lives in the stage's home region, which need not be this function's: a replicated or failed-over
// OrderCreated reaches the other region too, and its StartExecution must meet the same execution name.
const stepFunctions = tracedClient(new SFNClient({ ...SDK_CLIENT_DEFAULTS, region: saga.region }));

/**
 * Choreography starts orchestration. An EventBridge rule cannot name the execution it starts, so this
 * consumer does: the name is the order id, and a repeated OrderCreated finds the execution already there.
 */
export const handler = consumerFromEnv<DataOf<'OrderCreated', 1>, { executionName: string; started: boolean }>('orders.StartOrderSaga', async (event) => {
  const { orderId, customerId, productId, quantity } = event.detail.data;
  const { correlationId, idempotencyKey } = event.detail.metadata;
  const input = { order: { orderId, customerId, productId, quantity }, cause: { correlationId, idempotencyKey } };
  try {
    // The execution joins the order's trace: Step Functions traces from the header its starter passes.
    const traceHeader = currentTraceHeader();
    await stepFunctions.send(new StartExecutionCommand({ stateMachineArn: sagaArn, name: orderId, input: JSON.stringify(input), ...(traceHeader ? { traceHeader } : {}) }));
    return { executionName: orderId, started: true };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists') return { executionName: orderId, started: false };
    throw error;
  }
});
