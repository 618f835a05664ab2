import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * A segment document as X-Ray stores one: the fields the local runtime writes and reads.
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
 */
export interface SegmentDocument {
  readonly trace_id: string;
  readonly id: string;
  readonly parent_id?: string;
  readonly name: string;
  readonly origin?: string;
  readonly start_time: number;
  readonly end_time: number;
  readonly error?: boolean;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A trace header's parts: `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`. */
export interface TraceContext {
  readonly root: string;
  readonly parent?: string;
  readonly sampled: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/**
 * Reads a trace header as X-Ray does; undefined when it has no valid root ("trace headers that aren't valid are
 * dropped", and the request goes on untraced).
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader
 */
export function parseTraceHeader(header: string | undefined): TraceContext | undefined {
  if (!header) return undefined;
  const fields = new Map(
    header.split(';').map((part) => {
      const [key = '', value = ''] = part.split('=');
      return [key.trim(), value.trim()] as const;
    }),
  );
  const root = fields.get('Root');
  if (!root || !ROOT.test(root)) return undefined;
  const parent = fields.get('Parent');
  return { root, ...(parent && SEGMENT_ID.test(parent) ? { parent } : {}), sampled: fields.get('Sampled') !== '0' };
}

export function formatTraceHeader(context: TraceContext): string {
  return `Root=${context.root}${context.parent ? `;Parent=${context.parent}` : ''};Sampled=${context.sampled ? 1 : 0}`;
}

/** A new trace id: version 1, the epoch second in 8 hex digits, 96 random bits. */
export function newTraceId(now = Date.now()): string {
  return `1-${Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/**
 * The X-Ray daemon on loopback: receives segment documents over UDP as the X-Ray SDK and AWS services send them
 * (a JSON header line `{"format":"json","version":1}`, then the document) and keeps them, so a test or an operator
 * can read a whole trace locally. Set AWS_XRAY_DAEMON_ADDRESS to {@link address} and the X-Ray SDK sends here too.
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon
 */
export class LocalXRayDaemon {
  private socket?: Socket;
  private readonly segments: SegmentDocument[] = [];
  address = '';

  async start(): Promise<this> {
    const socket = createSocket('udp4');
    socket.on('message', (message) => {
      const [, body] = message.toString('utf8').split('\n');
      if (!body) return;
      try {
        this.segments.push(JSON.parse(body) as SegmentDocument);
      } catch {
        // A malformed datagram is dropped, as the daemon drops it; UDP gives the sender nothing to answer.
      }
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.socket = socket;
    this.address = `127.0.0.1:${(socket.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** Every segment of one trace, in the order they arrived. */
  trace(traceId: string): SegmentDocument[] {
    return this.segments.filter((segment) => segment.trace_id === traceId);
  }

  /** Every segment received. */
  all(): readonly SegmentDocument[] {
    return this.segments;
  }
}

/**
 * Writes the segments AWS services write for a request they serve: API Gateway's stage, each Lambda invocation, each
 * Step Functions execution. Each continues the trace of the header it was given (or starts one) and hands its own
 * header, with itself as parent, to the work it runs; what the functions' own tracers add goes to the same daemon.
 */
export class LocalTraceRecorder {
  private readonly socket = createSocket('udp4');
  private readonly port: number;

  constructor(daemonAddress: string) {
    this.port = Number(daemonAddress.split(':')[1]);
    this.socket.unref();
  }

  /** Opens a segment under `header` (a new trace without one); `end` sends it. */
  begin(name: string, origin: string, header: string | undefined, annotations?: Readonly<Record<string, string>>): { readonly header: string; end(error?: unknown): void } {
    const context = parseTraceHeader(header);
    const traceId = context?.root ?? newTraceId();
    const id = randomBytes(8).toString('hex');
    const startTime = Date.now() / 1000;
    return {
      header: formatTraceHeader({ root: traceId, parent: id, sampled: context?.sampled ?? true }),
      end: (error?: unknown) => {
        const document: SegmentDocument = {
          trace_id: traceId,
          id,
          ...(context?.parent ? { parent_id: context.parent } : {}),
          name,
          origin,
          start_time: startTime,
          end_time: Date.now() / 1000,
          ...(error ? { error: true } : {}),
          ...(annotations ? { annotations } : {}),
        };
        this.socket.send(`{"format":"json","version":1}\n${JSON.stringify(document)}`, this.port, '127.0.0.1');
      },
    };
  }

  /** Runs `work` in a segment, ending it when the work settles. */
  async around<T>(name: string, origin: string, header: string | undefined, work: (header: string) => Promise<T>): Promise<T> {
    const segment = this.begin(name, origin, header);
    try {
      const result = await work(segment.header);
      segment.end();
      return result;
    } catch (error) {
      segment.end(error);
      throw error;
    }
  }

  close(): void {
    this.socket.close();
  }
}
