import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { entrySize } from '../../functions/shared/publish';
import type { LocalEventBus, PutEventsEntry } from './local-event-bus';
import { closeServer, listenOnLoopback, replyJson } from '../loopback';

/** PutEvents quotas as AWS enforces them on the request. */
export const PUT_EVENTS_QUOTAS = { maxEntries: 10, maxRequestBytes: 256 * 1024 } as const;

/**
 * EventBridge's PutEvents on loopback, in the AWS JSON 1.1 protocol the SDK speaks (`X-Amz-Target:
 * AWSEvents.PutEvents`), so the unchanged `@aws-sdk/client-eventbridge` reaches it through
 * AWS_ENDPOINT_URL_EVENTBRIDGE. Request limits answer with AWS's error types.
 */
export class EventBridgeServer {
  private server?: Server;
  url = '';

  constructor(private readonly buses: ReadonlyMap<string, LocalEventBus>) {}

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    ({ server: this.server, url: this.url } = await listenOnLoopback((req, res) => void this.handle(req, res), port, host));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let body: { Entries?: PutEventsEntry[]; EndpointId?: string } & ReplayRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
    }
    if (target === 'AWSEvents.StartReplay') return this.startReplay(body, res);
    if (target !== 'AWSEvents.PutEvents') return reply(res, 400, { __type: 'UnknownOperationException', message: `The local EventBridge serves PutEvents and StartReplay, not ${target || 'this request'}` });
    const entries = body.Entries ?? [];
    if (entries.length < 1 || entries.length > PUT_EVENTS_QUOTAS.maxEntries) {
      return reply(res, 400, {
        __type: 'ValidationException',
        message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${PUT_EVENTS_QUOTAS.maxEntries}`}`,
      });
    }
    const size = entries.reduce((sum, entry) => sum + entrySize({ ...entry, Time: entry.Time === undefined ? undefined : new Date() } as never), 0);
    if (size > PUT_EVENTS_QUOTAS.maxRequestBytes) return reply(res, 400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
    const results = entries.map((entry) => {
      const bus = this.busFor(entry.EventBusName);
      return bus ? bus.putEvents([entry])[0] : { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName ?? 'default'} does not exist.` };
    });
    return reply(res, 200, { Entries: results, FailedEntryCount: results.filter((r) => r && 'ErrorCode' in r).length });
  }

  /**
   * StartReplay from a bus's archive (`arn:…:archive/<bus>`) back to that bus. The local replay runs at once,
   * so the answer already says COMPLETED.
   */
  private startReplay(body: ReplayRequest, res: ServerResponse): void {
    const busName = body.EventSourceArn?.split(':archive/')[1];
    const bus = busName ? this.busFor(busName) : undefined;
    if (!bus || !body.ReplayName) return reply(res, 400, { __type: 'ResourceNotFoundException', message: `Archive ${body.EventSourceArn ?? '(none)'} does not exist.` });
    const [start, end] = [toDate(body.EventStartTime), toDate(body.EventEndTime)];
    if (!start || !end || start >= end) return reply(res, 400, { __type: 'ValidationException', message: 'EventStartTime must be before EventEndTime.' });
    const replayed = bus.replay(body.ReplayName, start, end);
    reply(res, 200, { ReplayArn: bus.arn.replace(':event-bus/', ':replay/').replace(`/${bus.name}`, `/${body.ReplayName}`), State: 'COMPLETED', StateReason: `${replayed} events replayed`, ReplayStartTime: Date.now() / 1000 });
  }

  private busFor(name: string | undefined): LocalEventBus | undefined {
    const key = name ?? 'default';
    return this.buses.get(key) ?? [...this.buses.values()].find((bus) => bus.arn === key);
  }
}

interface ReplayRequest {
  readonly ReplayName?: string;
  readonly EventSourceArn?: string;
  readonly EventStartTime?: number | string;
  readonly EventEndTime?: number | string;
}

/** The SDK sends timestamps as epoch seconds. */
function toDate(value: number | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Answers in the AWS JSON protocol's content type. */
function reply(res: ServerResponse, status: number, body: unknown): void {
  replyJson(res, status, body, 'application/x-amz-json-1.1');
}
