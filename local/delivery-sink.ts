import type { Server } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback';
import { SinkLog } from './sink-log';

/** What the delivery provider received: the API destination's body and headers. */
export interface ReceivedDelivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * The external delivery provider on loopback, reached as an API destination reaches it. Records what it
 * receives; with `failing` set it answers 503, so retries, the DLQ and redrive can be watched.
 */
export class DeliverySink {
  private readonly log: SinkLog<ReceivedDelivery>;
  failing = false;

  /** @param file where received deliveries survive a restart (the carrier keeps what it accepted). */
  constructor(file?: string) {
    this.log = new SinkLog(file);
  }

  /** Every delivery received, oldest first. */
  get received(): readonly ReceivedDelivery[] {
    return this.log.items;
  }

  private server?: Server;
  url = '';

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    ({ server: this.server, url: this.url } = await listenOnLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.failing) {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'delivery provider unavailable (failing on purpose)' }));
          return;
        }
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        this.log.push({ headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: true }));
      });
    }, port, host));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
