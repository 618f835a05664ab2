import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts an HTTP server on loopback (port 0: any free port) and returns it with its base URL. */
export async function listenOnLoopback(handler: RequestListener, port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

/** Closes a server started by {@link listenOnLoopback}, if any. */
export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** Answers with a JSON body, in the content type of the AWS protocol being spoken. */
export function replyJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}

/**
 * A stand-in served on loopback: `start` listens (port 0: any free port) and sets `url`, `stop` closes. Subclasses
 * answer each request in `handle`; a rejected `handle` is theirs to turn into an answer.
 */
export abstract class LoopbackServer {
  private server?: Server;
  url = '';

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    ({ server: this.server, url: this.url } = await listenOnLoopback((req, res) => void this.handle(req, res), port, host));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
