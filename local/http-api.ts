import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { closeServer, listenOnLoopback } from './loopback';

/** A route as the model's API actions declare it, with the handler that serves it. */
export interface HttpRoute {
  readonly method: string;
  /** `/orders/{orderId}` style. */
  readonly path: string;
  readonly handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
}

/**
 * What the deployed HTTP API refuses before a function runs.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html ("Payload size: 10 MB", not adjustable)
 */
export const HTTP_API_LIMITS = {
  /** Request body bytes; a larger body is answered 413 and never read past this. */
  maxPayloadBytes: 10 * 1024 * 1024,
} as const;

/**
 * After an answer given before the body was read to its end, what is still read and thrown away. Closing the
 * connection at once resets it while the client is still sending, and most clients then lose the answer; so the
 * rest is drained (never kept) within these bounds, as a web server's lingering close does, and the connection
 * is cut past them.
 */
export const DRAIN_AFTER_ANSWER = { maxBytes: 16 * 1024 * 1024, maxMs: 2000 } as const;

/**
 * The media types an HTTP API hands to a Lambda function as text; every other body (no Content-Type included)
 * arrives base64-encoded with `isBase64Encoded: true`. AWS does not list them; this split was observed on a real
 * HTTP API (payload format 2.0) by https://github.com/ministackorg/ministack/pull/766.
 */
const TEXT_MEDIA_TYPE = /^(text\/[^;\s]+|application\/(json|xml|javascript))\s*(;|$)/i;

/**
 * The HTTP API on loopback: turns each request into API Gateway's payload format 2.0, as the deployed HTTP API
 * does, and calls the same handler. It answers what API Gateway answers itself: 404 `{"message":"Not Found"}`
 * when no route matches the method and path, 413 `{"message":"Request Entity Too Large"}` past the payload quota.
 */
export class HttpApiServer {
  private server?: Server;
  url = '';

  constructor(private readonly routes: readonly HttpRoute[]) {}

  async start(port = 3000, host = '127.0.0.1'): Promise<this> {
    const matchers = this.routes.map((route) => ({ route, regex: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`) }));
    const serve = (req: IncomingMessage, res: ServerResponse): void => {
      this.serve(req, res, matchers).catch((error: unknown) => answer(res, 500, JSON.stringify({ message: 'Internal Server Error', error: (error as Error).message })));
    };
    ({ server: this.server, url: this.url } = await listenOnLoopback(serve, port, host));
    // Node would promise `100 Continue` to any body; a client announcing too large a body is refused before it sends it.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (declaredLength(req) > HTTP_API_LIMITS.maxPayloadBytes) return refuseTooLarge(req, res);
      res.writeContinue();
      serve(req, res);
    });
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse, matchers: ReadonlyArray<{ route: HttpRoute; regex: RegExp }>): Promise<void> {
    // A client that gives up mid-body must not take the process down with an unhandled 'error'.
    req.on('error', () => undefined);
    const url = parseTarget(req.url);
    if (!url) return answerEarly(req, res, 400, { message: 'Bad Request' });
    const found = matchers.map(({ route, regex }) => ({ route, match: regex.exec(url.pathname) })).find(({ route, match }) => match && route.method === req.method);
    // A route is a method and a path: a known path with another method matches no route either.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html#http-api-develop-routes.evaluation
    if (!found?.match) return answerEarly(req, res, 404, { message: 'Not Found' });
    if (declaredLength(req) > HTTP_API_LIMITS.maxPayloadBytes) return refuseTooLarge(req, res);
    const body = await readBodyWithin(req, HTTP_API_LIMITS.maxPayloadBytes);
    if (body === undefined) return refuseTooLarge(req, res);

    const headers = Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key.toLowerCase(), Array.isArray(value) ? value.join(',') : (value ?? '')]));
    const asText = TEXT_MEDIA_TYPE.test(headers['content-type'] ?? '');
    const event = {
      version: '2.0',
      routeKey: `${found.route.method} ${found.route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(body.length > 0 ? { body: body.toString(asText ? 'utf8' : 'base64') } : {}),
      isBase64Encoded: body.length > 0 && !asText,
      ...(found.match.groups ? { pathParameters: { ...found.match.groups } } : {}),
      requestContext: { http: { method: req.method, path: url.pathname }, requestId: randomUUID(), timeEpoch: Date.now() },
    } as unknown as APIGatewayProxyEventV2;
    const result = await found.route.handler(event);
    answer(res, result.statusCode ?? 200, result.body ?? '', result.headers as Record<string, string> | undefined);
  }
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

function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  answerEarly(req, res, 413, { message: 'Request Entity Too Large' });
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
