import { EventBridgeClient, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One PutEvents request as it reached the wire. */
export interface RecordedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly endpointId?: string;
  readonly entries: PutEventsRequestEntry[];
}

/** Decides the result of each entry of a request; `call` counts PutEvents requests from 1. */
export type EntryResponder = (entry: PutEventsRequestEntry, call: number, index: number) => PutEventsResultEntry;

export const accept: EntryResponder = (_entry, call, index) => ({ EventId: `event-${call}-${index}` });

/**
 * A stand-in for EventBridge at the network boundary: an HTTP server on loopback that speaks the
 * AWS JSON 1.1 PutEvents protocol, so the real SDK client serializes, signs and parses as it would
 * against AWS. Only used until the local bus (issue #5) exists.
 */
export class FakeEventBridge {
  readonly requests: RecordedRequest[] = [];
  responder: EntryResponder = accept;
  /** When set, the n-th request is answered with this HTTP status and error type instead. */
  failRequest?: (call: number) => { status: number; type: string } | undefined;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: PutEventsRequestEntry[]; EndpointId?: string };
        this.requests.push({ headers: req.headers, entries: body.Entries, ...(body.EndpointId ? { endpointId: body.EndpointId } : {}) });
        const call = this.requests.length;
        const failure = this.failRequest?.(call);
        if (failure) {
          res.writeHead(failure.status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: failure.type, message: `injected ${failure.type}` }));
          return;
        }
        const entries = body.Entries.map((entry, index) => this.responder(entry, call, index));
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Entries: entries, FailedEntryCount: entries.filter((e) => e.ErrorCode).length }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  client(): EventBridgeClient {
    return new EventBridgeClient({ endpoint: this.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  }

  /** Every entry sent, in order, with its parsed detail. */
  sentEntries(): PutEventsRequestEntry[] {
    return this.requests.flatMap((request) => request.entries);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
