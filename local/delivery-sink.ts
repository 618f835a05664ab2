import type { Server } from 'node:http';
import { loadCatalog } from '../model';
import { compileSchema } from '../model/schema-validation';
import { closeServer, listenOnLoopback } from './loopback';
import { SinkLog } from './sink-log';

/** What the delivery provider received: the API destination's body and headers. */
export interface ReceivedDelivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * The external delivery provider on loopback, reached as an API destination reaches it. It keeps the contract
 * as any consumer of the bus must: an event that breaks its catalog schema (envelope, or data of the version it
 * carries) is refused with 400 and every violation named, and is not recorded; EventBridge does not retry such a
 * 4xx, so it lands in the rule's DLQ with that reason. Records what it accepts; with `failing` set it answers
 * 503, so retries, the DLQ and redrive can be watched.
 */
export class DeliverySink {
  private readonly log: SinkLog<ReceivedDelivery>;
  private readonly catalog = loadCatalog();
  private readonly checkEnvelope = compileSchema(this.catalog.envelopeSchema);
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
    ({ server: this.server, url: this.url } = await listenOnLoopback(
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (this.failing) {
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: 'delivery provider unavailable (failing on purpose)' }));
            return;
          }
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ errors: [{ path: '$', message: 'body must be JSON' }] }));
            return;
          }
          const violations = this.violationsOf(body);
          if (violations.length > 0) {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ errors: violations }));
            return;
          }
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          this.log.push({ headers, body });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: true }));
        });
      },
      port,
      host,
    ));
    return this;
  }

  /** What the event breaks in its envelope or in the schema of the version it carries. */
  private violationsOf(event: unknown): Array<{ path: string; message: string }> {
    const envelope = this.checkEnvelope(event);
    if (envelope.length > 0) return envelope;
    const { 'detail-type': detailType, detail } = event as { 'detail-type': string; detail: { metadata: { version: number } } };
    const entry = this.catalog.find(detailType, detail.metadata.version);
    if (!entry) return [{ path: '$.detail.metadata.version', message: `${detailType} v${detail.metadata.version} is not in the catalog` }];
    return this.catalog.checkFor(entry)(event);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
