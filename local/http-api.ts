import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { API_BODY_LIMITS, BAD_REQUEST_BODY_RESPONSE, MISSING_ROUTE_RESPONSE, bodyTooLargeResponse } from '../model/api';
import type { JsonSchema } from '../model/schema-validation';
import { GatewayRequestValidator, renderGatewayResponse, validationErrorString } from './gateway-validator';
import { closeServer, listenOnLoopback } from './loopback';
import { LOCAL_PLACEMENT } from './placement';
import type { LocalTraceRecorder } from './xray';
import { withTraceHeader } from '../functions/shared/trace-context';

/** A route as the model's API actions declare it, with the handler that serves it. */
export interface HttpRoute {
  readonly method: string;
  /** `/orders/{orderId}` style. */
  readonly path: string;
  readonly handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  /** The request model's text (the catalog's generated document) the body is validated against, as the REST API's validator does. */
  readonly requestModel?: string;
}

export interface HttpApiOptions {
  /** Bodies above this are refused with 413, as the stage's WAF size rule refuses them. @default API_BODY_LIMITS.maxBodyBytes */
  readonly maxBodyBytes?: number;
  /** The stage name the request context reports. @default 'local' */
  readonly stage?: string;
  /** Writes the stage's segment for each request, as a REST API stage with X-Ray tracing does. @default - no traces */
  readonly recorder?: LocalTraceRecorder;
  /** The API's name, in its segments' names (`<api>/<stage>`). @default 'api' */
  readonly apiName?: string;
}

/**
 * What the local API refuses before a function runs, as the deployed REST API and its WAF rule do.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html ("API Gateway quotas for configuring and running a REST API": payload size 10 MB, not adjustable)
 */
export const HTTP_API_LIMITS = {
  /** Request body bytes; a larger body is answered 413 and never read past this. */
  maxPayloadBytes: API_BODY_LIMITS.maxBodyBytes,
} as const;

/**
 * After an answer given before the body was read to its end, what is still read and thrown away. Closing the
 * connection at once resets it while the client is still sending, and most clients then lose the answer; so the
 * rest is drained (never kept) within these bounds, as a web server's lingering close does, and the connection
 * is cut past them.
 */
export const DRAIN_AFTER_ANSWER = { maxBytes: 16 * 1024 * 1024, maxMs: 2000 } as const;

/**
 * The order API on loopback, answering as the deployed REST API does: each request becomes API Gateway's REST
 * proxy event (payload format 1.0: headers as the client wrote them, `multiValueHeaders`, the body as text, since
 * the API declares no binary media types) and goes to the same handler. Before the handler it answers what API
 * Gateway answers itself: 403 `{"message":"Missing Authentication Token"}` for a method and path with no resource,
 * 413 past the body limit (the WAF rule's response), and 400 with the validator's messages for a body its request
 * model refuses, rendered from the same gateway response template the stack deploys.
 */
export class HttpApiServer {
  private server?: Server;
  url = '';
  private readonly maxBodyBytes: number;
  private readonly stage: string;

  constructor(
    private readonly routes: readonly HttpRoute[],
    private readonly options: HttpApiOptions = {},
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? API_BODY_LIMITS.maxBodyBytes;
    this.stage = options.stage ?? 'local';
  }

  async start(port = 3000, host = '127.0.0.1'): Promise<this> {
    const matchers = this.routes.map((route) => ({
      route,
      regex: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
      validator: route.requestModel === undefined ? undefined : new GatewayRequestValidator(JSON.parse(route.requestModel) as JsonSchema),
    }));
    const serve = (req: IncomingMessage, res: ServerResponse): void => {
      this.serve(req, res, matchers).catch((error: unknown) => answer(res, 500, JSON.stringify({ message: 'Internal Server Error', error: (error as Error).message })));
    };
    ({ server: this.server, url: this.url } = await listenOnLoopback(serve, port, host));
    // Node would promise `100 Continue` to any body; a client announcing too large a body is refused before it sends it.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (declaredLength(req) > this.maxBodyBytes) return this.refuseTooLarge(req, res);
      res.writeContinue();
      serve(req, res);
    });
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse, matchers: ReadonlyArray<{ route: HttpRoute; regex: RegExp; validator: GatewayRequestValidator | undefined }>): Promise<void> {
    // A client that gives up mid-body must not take the process down with an unhandled 'error'.
    req.on('error', () => undefined);
    const url = parseTarget(req.url);
    if (!url) return answerEarly(req, res, 400, { message: 'Bad Request' });
    const found = matchers.map((matcher) => ({ ...matcher, match: matcher.regex.exec(url.pathname) })).find(({ route, match }) => match && route.method === req.method);
    if (!found?.match) return answerEarly(req, res, MISSING_ROUTE_RESPONSE.statusCode, MISSING_ROUTE_RESPONSE.body);
    if (declaredLength(req) > this.maxBodyBytes) return this.refuseTooLarge(req, res);
    const body = await readBodyWithin(req, this.maxBodyBytes);
    if (body === undefined) return this.refuseTooLarge(req, res);
    const text = body.toString('utf8');

    if (found.validator) {
      const messages = gatewayValidation(found.validator, text);
      if (messages.length > 0) {
        const rendered = renderGatewayResponse(BAD_REQUEST_BODY_RESPONSE.template, { message: BAD_REQUEST_BODY_RESPONSE.message, validationErrorString: validationErrorString(messages) });
        return answer(res, BAD_REQUEST_BODY_RESPONSE.statusCode, rendered, { 'content-type': BAD_REQUEST_BODY_RESPONSE.contentType });
      }
    }

    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
      const name = req.rawHeaders[index] as string;
      const value = req.rawHeaders[index + 1] as string;
      headers[name] = value;
      multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
    }
    const query: Record<string, string> = {};
    const multiValueQuery: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) {
      query[name] = value;
      multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
    }
    const hasQuery = url.searchParams.size > 0;
    const event: APIGatewayProxyEvent = {
      resource: found.route.path,
      path: url.pathname,
      httpMethod: found.route.method,
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
      pathParameters: found.match.groups ? { ...found.match.groups } : null,
      stageVariables: null,
      body: body.length > 0 ? text : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_PLACEMENT.accountId,
        apiId: 'local',
        authorizer: null,
        protocol: `HTTP/${req.httpVersion}`,
        httpMethod: found.route.method,
        path: `/${this.stage}${url.pathname}`,
        stage: this.stage,
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: 'local',
        resourcePath: found.route.path,
        identity: localIdentity(req.socket.remoteAddress ?? '127.0.0.1', headers['User-Agent'] ?? headers['user-agent'] ?? null),
      },
    };
    const recorder = this.options.recorder;
    const result = recorder
      ? await recorder.around(`${this.options.apiName ?? 'api'}/${this.stage}`, 'AWS::ApiGateway::Stage', traceHeaderOf(headers), (header) => {
          // The integration receives the stage's trace header, as a REST API with tracing on passes X-Amzn-Trace-Id.
          const traced: APIGatewayProxyEvent = { ...event, headers: { ...event.headers, 'X-Amzn-Trace-Id': header }, multiValueHeaders: { ...event.multiValueHeaders, 'X-Amzn-Trace-Id': [header] } };
          return withTraceHeader(header, () => found.route.handler(traced));
        })
      : await found.route.handler(event);
    answer(res, result.statusCode, result.body, result.headers as Record<string, string> | undefined);
  }

  private refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
    const refusal = bodyTooLargeResponse(this.maxBodyBytes);
    answerEarly(req, res, refusal.statusCode, refusal.body);
  }
}

/** The client's own trace header, which API Gateway continues (any case of the name). */
function traceHeaderOf(headers: Readonly<Record<string, string>>): string | undefined {
  return Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1];
}

/**
 * The validator's messages for a body. API Gateway validates an empty body as `{}` (so it reports the missing
 * members); a body that is not JSON at all is refused with the validator's parse failure, whose exact wording on AWS
 * is not documented (nor seen in a published capture), so it is worded here to name the problem.
 */
function gatewayValidation(validator: GatewayRequestValidator, text: string): string[] {
  if (text.trim() === '') return validator.messages({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return [`body is not valid JSON: ${(error as Error).message}`];
  }
  return validator.messages(parsed);
}

/** The caller as a REST API's request context describes one with no authorizer: its source IP and user agent. */
function localIdentity(sourceIp: string, userAgent: string | null): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

/**
 * Reads a request's body, keeping at most `maxBytes`: resolves undefined as soon as more arrives, and stops
 * reading there (answer, then {@link drainRest}). Shared with the local EventBridge, which has a limit of its own.
 * @internal
 */
export function readBodyWithin(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      resolve(undefined);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    // An aborted request never ends; nothing is left to answer.
    req.once('close', () => resolve(size <= maxBytes && req.complete ? Buffer.concat(chunks) : undefined));
  });
}

/**
 * Throws away what is left of a body the server answered without reading, within {@link DRAIN_AFTER_ANSWER},
 * then cuts the connection if the client is still sending.
 * @internal
 */
export function drainRest(req: IncomingMessage): void {
  req.on('error', () => undefined);
  if (req.complete) return;
  let drained = 0;
  // Only while this request is unfinished: a kept-alive connection may already carry the next one.
  const cut = (): void => void (req.complete || req.socket.destroy());
  const timer = setTimeout(cut, DRAIN_AFTER_ANSWER.maxMs);
  timer.unref();
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_AFTER_ANSWER.maxBytes) cut();
  });
  for (const done of ['end', 'close'] as const) req.once(done, () => clearTimeout(timer));
  req.resume();
}

function answerEarly(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  answer(res, status, JSON.stringify(body));
  drainRest(req);
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function declaredLength(req: IncomingMessage): number {
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) ? length : Number.POSITIVE_INFINITY;
}

/** The request target as a URL, or undefined when it cannot be one (an absolute form such as `http://[`). */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://local');
  } catch {
    return undefined;
  }
}
