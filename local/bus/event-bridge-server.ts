import type { IncomingMessage, ServerResponse } from 'node:http';
import { entrySize } from '../../functions/shared/publish';
import { ENDPOINT_ID_MAX_LENGTH, ENDPOINT_ID_PATTERN } from '../../model/limits';
import { PUT_EVENTS_QUOTAS } from '../../model/limits';

export { PUT_EVENTS_QUOTAS } from '../../model/limits';
import { drainRest, readBodyWithin } from '../http-api';
import type { LocalGlobalEndpoint } from '../global-endpoint';
import { LoopbackServer, replyJson } from '../loopback';
import type { LocalEventBus, PutEventsEntry, PutEventsResult } from './local-event-bus';

/**
 * Body bytes read at most. Entries within the 256 KB quota take at most six times that as JSON (a control
 * character escapes to `\u0000`), plus the framing; a larger body cannot be a request AWS would accept, and
 * reading it all would let one request hold any amount of memory.
 */
export const MAX_PUT_EVENTS_BODY_BYTES = 6 * PUT_EVENTS_QUOTAS.maxRequestBytes + 64 * 1024;

const OPERATIONS = new Set(['AWSEvents.PutEvents', 'AWSEvents.StartReplay']);
/**
 * The AWS JSON protocol's content types (the SDK sends 1.1). AWS answers another with UnknownOperationException,
 * as Kinesis was seen to: https://github.com/disneystreaming/smithy4s/issues/167
 */
const AWS_JSON_CONTENT_TYPE = /^application\/(x-amz-json-1\.[01]|json)\s*(;|$)/i;

/**
 * EventBridge's PutEvents on loopback, in the AWS JSON 1.1 protocol the SDK speaks (`X-Amz-Target:
 * AWSEvents.PutEvents`), so the unchanged `@aws-sdk/client-eventbridge` reaches it through
 * AWS_ENDPOINT_URL_EVENTBRIDGE. A bad request is answered as AWS answers it, naming the member at fault: HTTP 400
 * with `UnknownOperationException`, `SerializationException` (not JSON, a member of the wrong type) or
 * `ValidationException` (a constraint or quota) for the whole request; 200 with a per-entry `ErrorCode`
 * (`InvalidArgument`, `MalformedDetail`, `ResourceNotFoundException`) and `FailedEntryCount` for an entry.
 */
export class EventBridgeServer extends LoopbackServer {
  /**
   * @param buses the region's buses, by name
   * @param endpoints global endpoints by id: a PutEvents with an EndpointId goes to the bus the endpoint routes to,
   *   which may be another region's (the SDK sends it to this same URL, signed with SigV4a)
   */
  constructor(
    private readonly buses: ReadonlyMap<string, LocalEventBus>,
    private readonly endpoints: ReadonlyMap<string, LocalGlobalEndpoint> = new Map(),
  ) {
    super();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.serve(req, res);
    } catch (error) {
      // No request may take the process down: one that finds a bug is answered as AWS answers its own faults.
      if (!res.headersSent) reply(res, 500, { __type: 'InternalFailure', message: (error as Error).message });
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    const refuse = (refusal: Refusal): void => {
      reply(res, 400, refusal);
      drainRest(req);
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!OPERATIONS.has(target)) {
      return refuse({ __type: 'UnknownOperationException', message: `X-Amz-Target must be AWSEvents.PutEvents or AWSEvents.StartReplay (what the local EventBridge serves), got ${quote(target)}` });
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (!AWS_JSON_CONTENT_TYPE.test(contentType)) return refuse({ __type: 'UnknownOperationException', message: `Content-Type must be application/x-amz-json-1.1, got ${quote(contentType)}` });
    const raw = await readBodyWithin(req, MAX_PUT_EVENTS_BODY_BYTES);
    if (raw === undefined) {
      return refuse({
        __type: 'ValidationException',
        message: `Request body is over ${MAX_PUT_EVENTS_BODY_BYTES} bytes, more than entries within the ${PUT_EVENTS_QUOTAS.maxRequestBytes}-byte limit can take`,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse({ __type: 'SerializationException', message: 'Request body is not valid JSON' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse({ __type: 'SerializationException', message: `Request body must be a JSON object, got ${kindOf(body)}` });
    if (target === 'AWSEvents.StartReplay') return this.startReplay(body as Record<string, unknown>, res);

    const checked = checkPutEvents(body as Record<string, unknown>);
    if ('__type' in checked) return refuse(checked);
    // An injected throttle refuses the whole call, as AWS does past the account's PutEvents quota.
    if ([...this.buses.values()].some((bus) => bus.throttleCall())) return refuse({ __type: 'ThrottlingException', message: 'Rate exceeded' });
    const endpointId = (body as { EndpointId?: unknown }).EndpointId;
    if (typeof endpointId === 'string') {
      const endpoint = this.endpoints.get(endpointId);
      if (!endpoint) return refuse({ __type: 'ResourceNotFoundException', message: `Endpoint ${endpointId} does not exist (known: ${[...this.endpoints.keys()].join(', ') || 'none'}).` });
      const results = checked.entries.map((entry) =>
        (entry.EventBusName ?? 'default') === endpoint.eventBusName
          ? endpoint.route(entry, (bus, routed) => this.putEntry(routed, bus))
          : { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName ?? 'default'} is not behind endpoint ${endpointId} (its bus is ${endpoint.eventBusName}).` },
      );
      return reply(res, 200, { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length });
    }
    const results = checked.entries.map((entry) => this.putEntry(entry));
    reply(res, 200, { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length });
  }

  /** One entry to its bus, after the checks the bus does not make (DetailType's length, Detail's depth and numbers). */
  private putEntry(entry: PutEventsEntry, to?: LocalEventBus): PutEventsResult {
    const bus = to ?? this.busFor(entry.EventBusName);
    if (!bus) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName ?? 'default'} does not exist.` };
    if (entry.Source && entry.DetailType && entry.Detail) {
      const length = [...entry.DetailType].length;
      if (length > PUT_EVENTS_QUOTAS.maxDetailTypeLength) {
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter DetailType is not valid. Reason: DetailType must be at most ${PUT_EVENTS_QUOTAS.maxDetailTypeLength} characters, got ${length}.`,
        };
      }
      const problem = detailProblem(entry.Detail, PUT_EVENTS_QUOTAS.maxDetailDepth);
      if (problem) return { ErrorCode: 'MalformedDetail', ErrorMessage: `Detail is malformed. Reason: ${problem}.` };
    }
    const [result] = bus.putEvents([entry]);
    if (result && 'ErrorCode' in result && result.ErrorCode === 'MalformedDetail' && entry.Detail) {
      return { ErrorCode: result.ErrorCode, ErrorMessage: `${result.ErrorMessage} Reason: ${malformedDetailReason(entry.Detail)}.` };
    }
    return result ?? { ErrorCode: 'InternalFailure', ErrorMessage: 'The bus returned no result for this entry.' };
  }

  /**
   * StartReplay from a bus's archive (`arn:…:archive/<bus>`) back to that bus. The local replay runs at once,
   * so the answer already says COMPLETED.
   */
  private startReplay(body: Record<string, unknown>, res: ServerResponse): void {
    for (const member of ['ReplayName', 'EventSourceArn'] as const) {
      if (body[member] != null && typeof body[member] !== 'string') return reply(res, 400, { __type: 'SerializationException', message: `${member} must be a string, got ${kindOf(body[member])}` });
    }
    const replayName = body.ReplayName as string | undefined;
    const sourceArn = body.EventSourceArn as string | undefined;
    const busName = sourceArn?.split(':archive/')[1];
    const bus = busName ? this.busFor(busName) : undefined;
    if (!bus || !replayName) return reply(res, 400, { __type: 'ResourceNotFoundException', message: `Archive ${sourceArn ?? '(none)'} does not exist.` });
    const [start, end] = [toDate(body.EventStartTime), toDate(body.EventEndTime)];
    if (!start || !end || start >= end) return reply(res, 400, { __type: 'ValidationException', message: 'EventStartTime must be before EventEndTime.' });
    const replayed = bus.replay(replayName, start, end);
    reply(res, 200, {
      ReplayArn: bus.arn.replace(':event-bus/', ':replay/').replace(`/${bus.name}`, `/${replayName}`),
      State: 'COMPLETED',
      StateReason: `${replayed} events replayed`,
      ReplayStartTime: Date.now() / 1000,
    });
  }

  private busFor(name: string | undefined): LocalEventBus | undefined {
    const key = name ?? 'default';
    return this.buses.get(key) ?? [...this.buses.values()].find((bus) => bus.arn === key);
  }
}

/** The SDK sends timestamps as epoch seconds. */
function toDate(value: unknown): Date | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}

/** A header value in a message, cut short: it came from the client. */
function quote(value: string): string {
  return value === '' ? 'nothing' : JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/** Answers in the AWS JSON protocol's content type. */
function reply(res: ServerResponse, status: number, body: unknown): void {
  replyJson(res, status, body, 'application/x-amz-json-1.1');
}

/** A whole request refused, in the AWS JSON protocol's error shape. */
interface Refusal {
  readonly __type: 'UnknownOperationException' | 'SerializationException' | 'ValidationException' | 'ThrottlingException' | 'ResourceNotFoundException';
  readonly message: string;
}

const STRING_MEMBERS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;
/** What Date can represent, in epoch seconds (±8.64e15 ms). */
const MAX_EPOCH_SECONDS = 8.64e12;

/**
 * The entries of a PutEvents body, each with only the members it set (JSON null counts as absent, as in the AWS
 * JSON protocol), or why AWS would refuse the whole request: a member of the wrong type (SerializationException,
 * first one only, as a deserializer stops there), else every broken constraint or quota (ValidationException).
 */
function checkPutEvents(body: Record<string, unknown>): { readonly entries: PutEventsEntry[] } | Refusal {
  const serialization = (message: string): Refusal => ({ __type: 'SerializationException', message });
  if (body.EndpointId != null && typeof body.EndpointId !== 'string') return serialization(`EndpointId must be a string, got ${kindOf(body.EndpointId)}`);
  const list = body.Entries;
  if (list == null) return validation(["Value null at 'entries' failed to satisfy constraint: Member must not be null"]);
  if (!Array.isArray(list)) return serialization(`Entries must be a list of entries, got ${kindOf(list)}`);
  const entries: PutEventsEntry[] = [];
  for (const [index, item] of list.entries()) {
    const at = `Entries[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return serialization(`${at} must be an entry (a JSON object), got ${kindOf(item)}`);
    const member = item as Record<string, unknown>;
    for (const name of STRING_MEMBERS) {
      if (member[name] != null && typeof member[name] !== 'string') return serialization(`${at}.${name} must be a string, got ${kindOf(member[name])}`);
    }
    if (member.Resources != null) {
      if (!Array.isArray(member.Resources)) return serialization(`${at}.Resources must be a list of strings, got ${kindOf(member.Resources)}`);
      const bad = (member.Resources as unknown[]).findIndex((resource) => typeof resource !== 'string');
      if (bad >= 0) return serialization(`${at}.Resources[${bad}] must be a string, got ${kindOf((member.Resources as unknown[])[bad])}`);
    }
    if (member.Time != null && !isTimestamp(member.Time)) return serialization(`${at}.Time must be a timestamp (epoch seconds, or an ISO 8601 string), got ${describeTime(member.Time)}`);
    entries.push(
      Object.fromEntries(
        Object.entries(member).filter(([name, value]) => value != null && (name === 'Resources' || name === 'Time' || (STRING_MEMBERS as readonly string[]).includes(name))),
      ) as PutEventsEntry,
    );
  }

  const { maxEntries, maxRequestBytes, maxTraceHeaderLength, maxEventBusNameLength } = PUT_EVENTS_QUOTAS;
  if (entries.length < 1 || entries.length > maxEntries) {
    return validation([`Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${maxEntries}`}`]);
  }
  const problems: string[] = [];
  if (typeof body.EndpointId === 'string' && (body.EndpointId.length > ENDPOINT_ID_MAX_LENGTH || !ENDPOINT_ID_PATTERN.test(body.EndpointId))) {
    problems.push(
      `Value at 'endpointId' failed to satisfy constraint: Member must have length less than or equal to ${ENDPOINT_ID_MAX_LENGTH} and satisfy regular expression pattern: ${ENDPOINT_ID_PATTERN.source}`,
    );
  }
  entries.forEach((entry, index) => {
    for (const [name, value, max] of [
      ['traceHeader', entry.TraceHeader, maxTraceHeaderLength],
      ['eventBusName', entry.EventBusName, maxEventBusNameLength],
    ] as const) {
      if (value === undefined || (value.length >= 1 && value.length <= max)) continue;
      problems.push(
        `Value at 'entries.${index + 1}.member.${name}' failed to satisfy constraint: Member must have length ${value.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
      );
    }
  });
  if (problems.length > 0) return validation(problems);
  // "If you submit a request in which none of the entries have each of these properties, EventBridge fails the entire request."
  if (!entries.some((entry) => entry.Source && entry.DetailType && entry.Detail)) {
    const lacks = entries.map((entry, index) => `Entries[${index}] lacks ${(['Source', 'DetailType', 'Detail'] as const).filter((name) => !entry[name]).join(', ')}`);
    return validation([`Value at 'entries' failed to satisfy constraint: at least one entry must have Source, DetailType and Detail (${lacks.join('; ')})`]);
  }
  // Time counts 14 bytes whatever its form, so any Date stands in for it.
  const size = entries.reduce((sum, entry) => sum + entrySize({ ...entry, Resources: entry.Resources && [...entry.Resources], Time: entry.Time === undefined ? undefined : new Date() }), 0);
  if (size > maxRequestBytes) return { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' };
  return { entries };
}

function validation(problems: readonly string[]): Refusal {
  return { __type: 'ValidationException', message: `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}` };
}

function isTimestamp(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_SECONDS;
  return typeof value === 'string' && !Number.isNaN(new Date(value).getTime());
}

function describeTime(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? quote(value) : kindOf(value);
}

const NUMBER_TOKEN = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
const INT64_MAX = 9_223_372_036_854_775_807n;

/**
 * What makes a Detail EventBridge refuses even when it parses: nesting deeper than `maxDepth`, or a number
 * outside the range PutEvents takes (an integer beyond 64 bits; a number JSON.parse would turn into Infinity,
 * which would reach targets as null). One pass over the text, without parsing it: invalid JSON is the bus's to
 * find, and a deep document must be refused before anything recurses into it.
 */
function detailProblem(detail: string, maxDepth: number): string | undefined {
  let depth = 0;
  for (let i = 0; i < detail.length; i++) {
    const c = detail.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < detail.length; i++) {
        const d = detail.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return `JSON nested deeper than ${maxDepth} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER_TOKEN.lastIndex = i;
      const token = NUMBER_TOKEN.exec(detail)?.[0];
      if (!token) continue;
      i += token.length - 1;
      if (!/[.eE]/.test(token)) {
        const digits = token.replace('-', '');
        if (digits.length > 19 || (digits.length === 19 && BigInt(digits) > INT64_MAX + (token.startsWith('-') ? 1n : 0n))) return `the integer ${cut(token)} is outside the 64-bit range`;
      } else if (!Number.isFinite(Number(token))) {
        return `the number ${cut(token)} is out of range`;
      }
    }
  }
  return undefined;
}

/** Why the bus found a Detail malformed, for its message: AWS says only "Detail is malformed.". */
function malformedDetailReason(detail: string): string {
  try {
    return `must be a JSON object, got ${kindOf(JSON.parse(detail))}`;
  } catch (error) {
    return `not valid JSON (${(error as Error).message.slice(0, 120)})`;
  }
}

function cut(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
