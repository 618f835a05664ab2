import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Server } from 'node:http';
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
 * The HTTP API on loopback: turns each request into API Gateway's payload format 2.0, as the deployed HTTP API
 * does, and calls the same handler.
 */
export class HttpApiServer {
  private server?: Server;
  url = '';

  constructor(private readonly routes: readonly HttpRoute[]) {}

  async start(port = 3000, host = '127.0.0.1'): Promise<this> {
    const matchers = this.routes.map((route) => ({ route, regex: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`) }));
    ({ server: this.server, url: this.url } = await listenOnLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://local');
        const found = matchers.map(({ route, regex }) => ({ route, match: regex.exec(url.pathname) })).find(({ route, match }) => match && route.method === req.method);
        if (!found?.match) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'Not Found' }));
          return;
        }
        const headers = Object.fromEntries(Object.entries(req.headers).map(([key, value]) => [key.toLowerCase(), Array.isArray(value) ? value.join(',') : (value ?? '')]));
        const event = {
          version: '2.0',
          routeKey: `${found.route.method} ${found.route.path}`,
          rawPath: url.pathname,
          rawQueryString: url.search.slice(1),
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
          isBase64Encoded: false,
          ...(found.match.groups ? { pathParameters: { ...found.match.groups } } : {}),
          requestContext: { http: { method: req.method, path: url.pathname }, requestId: randomUUID(), timeEpoch: Date.now() },
        } as unknown as APIGatewayProxyEventV2;
        found.route
          .handler(event)
          .then((result) => {
            res.writeHead(result.statusCode ?? 200, { 'content-type': 'application/json', ...(result.headers as Record<string, string> | undefined) });
            res.end(result.body ?? '');
          })
          .catch((error: unknown) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: 'Internal Server Error', error: (error as Error).message }));
          });
      });
    }, port, host));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
