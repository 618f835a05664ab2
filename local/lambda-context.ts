import type { Context } from 'aws-lambda';
import { LOCAL_NAMES, LOCAL_PLACEMENT } from './placement';

/** The local function's name for a model action, as its Lambda context and ARN carry it (the plan's name for it). */
export function localFunctionName(actionId: string): string {
  return LOCAL_NAMES.functionName(actionId);
}

/** The local functions' timeout unless told otherwise: the deployed functions' (infra FUNCTION_DEFAULTS, 15 s). */
export const LOCAL_FUNCTION_TIMEOUT_MS = 15_000;

/** A Lambda context as the Lambda runtime passes it, for handlers run locally; Powertools idempotency reads the remaining time from it. */
export function lambdaContext(functionName = 'eventflow-test', remainingMs = LOCAL_FUNCTION_TIMEOUT_MS): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_PLACEMENT.region}:${LOCAL_PLACEMENT.accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `request-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
