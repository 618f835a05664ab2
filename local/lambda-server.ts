import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FunctionNotFoundError, errorPayload, type LambdaService } from './lambda-service';
import { LOCAL_METRICS_PATH, type EmfSnapshot } from './emf';
import { LoopbackServer, replyJson } from './loopback';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'] as const;
/** Invoke's payload quotas: 6 MB synchronous, 1 MB asynchronous. */
const MAX_PAYLOAD = { RequestResponse: 6 * 1024 * 1024, Event: 1024 * 1024, DryRun: 6 * 1024 * 1024 } as const;

export interface LambdaServerOptions {
  /** What `GET /local/metrics` answers: the metrics the functions wrote as EMF. @default - the path is unknown, as any other */
  readonly metrics?: () => EmfSnapshot;
}

/**
 * Lambda's Invoke API on loopback (REST-JSON, `POST /2015-03-31/functions/{FunctionName}/invocations`), so
 * `@aws-sdk/client-lambda` reaches the local functions through AWS_ENDPOINT_URL_LAMBDA. FunctionName is a name,
 * a partial ARN or an ARN; `X-Amz-Invocation-Type` RequestResponse answers 200 with the result, or with the
 * error payload and `X-Amz-Function-Error: Unhandled`; Event answers 202 once the invocation is queued; DryRun
 * answers 204. Unknown functions answer ResourceNotFoundException (404), as Lambda does. Beside Invoke, not an AWS
 * operation: `GET /local/metrics` (see {@link LOCAL_METRICS_PATH}).
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export class LambdaServer extends LoopbackServer {
  constructor(
    private readonly service: LambdaService,
    private readonly options: LambdaServerOptions = {},
  ) {
    super();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === LOCAL_METRICS_PATH && this.options.metrics) return replyJson(res, 200, this.options.metrics());
    const route = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !route) return replyError(res, 404, 'UnknownOperationException', `the local Lambda serves only Invoke, not ${req.method} ${url.pathname}`);
    const functionName = decodeURIComponent(route[1] as string);
    const qualifier = url.searchParams.get('Qualifier');
    const target = qualifier ? `${functionName}:${qualifier}` : functionName;
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!isInvocationType(invocationType)) {
      return replyError(
        res,
        400,
        'InvalidParameterValueException',
        `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    const raw = Buffer.concat(chunks);
    if (raw.length > MAX_PAYLOAD[invocationType]) {
      return replyError(res, 413, 'RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD[invocationType]} bytes for the ${invocationType} invocation type`);
    }
    let event: unknown = {};
    if (raw.length > 0) {
      try {
        event = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        return replyError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json: Could not parse payload into json');
      }
    }
    const requestId = randomUUID();
    try {
      if (invocationType === 'DryRun') {
        this.service.getFunction(target);
        return reply(res, 204, requestId);
      }
      if (invocationType === 'Event') {
        this.service.invokeAsync(target, event);
        return reply(res, 202, requestId);
      }
      let result: unknown;
      try {
        result = await this.service.invoke(target, event);
      } catch (error) {
        if (error instanceof FunctionNotFoundError) throw error;
        // A function error is a successful Invoke: 200, the error as the payload, flagged by a header.
        return reply(res, 200, requestId, JSON.stringify(errorPayload(error)), { 'x-amz-function-error': 'Unhandled' });
      }
      return reply(res, 200, requestId, JSON.stringify(result ?? null));
    } catch (error) {
      if (error instanceof FunctionNotFoundError) return replyError(res, 404, 'ResourceNotFoundException', error.message, requestId);
      return replyError(res, 500, 'ServiceException', (error as Error).message, requestId);
    }
  }
}

function isInvocationType(value: string): value is (typeof INVOCATION_TYPES)[number] {
  return (INVOCATION_TYPES as readonly string[]).includes(value);
}

function reply(res: ServerResponse, status: number, requestId: string, body?: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...(status === 200 ? { 'x-amz-executed-version': '$LATEST' } : {}), ...headers });
  res.end(body ?? '');
}

/** An error as Lambda's REST-JSON protocol carries it: the code in `x-amzn-errortype`, `Type` and `message` in the body. */
function replyError(res: ServerResponse, status: number, code: string, message: string, requestId: string = randomUUID()): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId });
  res.end(JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message }));
}
