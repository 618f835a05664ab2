import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import fc from 'fast-check';
import { MAX_PUT_EVENTS_BODY_BYTES, PUT_EVENTS_QUOTAS } from '../../local/bus/event-bridge-server';
import { compilePattern, prepareEvent } from '../../local/bus/pattern';
import { LOCAL_EVENT_BUS_NAME, LOCAL_TABLE_PREFIX, type LocalSystem } from '../../local/start-local';
import { loadCatalog, loadOrderSystem } from '../../model';
import type { JsonSchema } from '../../model/schema-validation';
import { IDEMPOTENCY_TABLE, ORDERS_TABLE, physicalTableName } from '../../model/tables';
import { deadLetters } from '../helpers/dead-letters';
import { fixtureEvent } from '../helpers/fixtures';
import { startFuzzedSystem, tallyOf, watchCrashes, type FuzzedSystem } from '../helpers/fuzzed-system';

/**
 * Issue 10, the bus's edge: over a thousand generated malformed PutEvents calls (raw AWS JSON 1.1 where the SDK
 * cannot say it, the SDK where it can), sent over HTTP to the running local system. A call AWS would refuse
 * whole answers 400 with its error type and a message naming the member; an entry it would refuse fails alone
 * with its ErrorCode; an entry it accepts but whose envelope or data breaks the catalog reaches the consumer its
 * rule matches, which refuses it without side effects, so it lands in that subscription's DLQ with the reason.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
describe('local EventBridge › PutEvents under bad input', () => {
  const RAW_RUNS = 400;
  const SDK_RUNS = 600;
  let fuzzed: FuzzedSystem;
  let system: LocalSystem;
  let client: EventBridgeClient;
  let dynamo: DynamoDBClient;
  const crashes = watchCrashes();
  const { count } = tallyOf('bad-input-bus');

  beforeAll(async () => {
    fuzzed = await startFuzzedSystem('bad-bus', { retryBaseMs: 1 });
    ({ system, dynamo } = fuzzed);
    client = new EventBridgeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: system.endpoints.eventBridge, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    client?.destroy();
    await fuzzed?.stop();
  });

  interface SideEffects {
    readonly emails: number;
    readonly deliveries: number;
    readonly orders: number;
    readonly idempotencyRecords: number;
    readonly archived: number;
  }
  const itemCount = async (table: typeof ORDERS_TABLE): Promise<number> =>
    (await dynamo.send(new ScanCommand({ TableName: physicalTableName(LOCAL_TABLE_PREFIX, table), Select: 'COUNT' }))).Count ?? 0;
  const sideEffects = async (): Promise<SideEffects> => ({
    emails: system.emailSink.received.length,
    deliveries: system.deliverySink.received.length,
    orders: await itemCount(ORDERS_TABLE),
    // A consumer writes its idempotency record before its handler runs: none means no handler ran.
    idempotencyRecords: await itemCount(IDEMPOTENCY_TABLE),
    archived: system.bus.archived().length,
  });

  it(`refuses ${RAW_RUNS} generated malformed raw calls whole, with AWS's error type and the member at fault`, async () => {
    await fc.assert(
      fc.asyncProperty(rawCall, async (call) => {
        const answer = await postRaw(system.endpoints.eventBridge, call);
        count(`raw ${call.kind} ${answer.status} ${answer.type}`);

        // One assertion per call: Jest's expect costs more than the call does.
        expect(answer).toEqual({ status: 400, contentType: 'application/x-amz-json-1.1', type: call.expect.type, message: expect.stringContaining(call.expect.names) });
      }),
      { numRuns: RAW_RUNS },
    );

    expect(crashes).toEqual([]);
  }, 30_000);

  it(`answers ${SDK_RUNS} generated calls through the SDK: bad entries fail alone, bad calls whole, and no event that breaks the catalog reaches its consumer`, async () => {
    // Arrange
    const lambdaSubscriptions = loadOrderSystem().subscriptions.filter((s) => s.target === 'lambda');
    const allDeadLetters = (): number => lambdaSubscriptions.reduce((sum, s) => sum + deadLetters(system, s.id).length, 0);
    const start = { ...(await sideEffects()), deadLetters: allDeadLetters() };
    const accepted: Array<{ eventId: string; entry: PutEventsRequestEntry; mutations: readonly string[] }> = [];

    // Act + Assert: each answer, as it comes.
    await fc.assert(
      fc.asyncProperty(sdkCall, async (call) => {
        const outcome = await client.send(new PutEventsCommand({ Entries: call.entries.map((e) => e.entry) })).catch((error: unknown) => error as Error);
        if (outcome instanceof Error) {
          count(`sdk ${call.kind} ${outcome.name}`);
          expect({ refused: [outcome.name, outcome.message] }).toEqual({ refused: [call.expect?.type, expect.stringContaining(call.expect?.names ?? '(not to be refused)')] });
          return;
        }
        const results = outcome.Entries ?? [];
        // One assertion per call: Jest's expect costs more than the call does.
        expect({ refused: false, failed: outcome.FailedEntryCount, entries: results }).toEqual({
          refused: call.expect === undefined ? false : call.expect.type,
          failed: call.entries.filter((e) => e.fault).length,
          entries: call.entries.map(({ fault }) => (fault ? { ErrorCode: fault.code, ErrorMessage: expect.stringContaining(fault.names) } : { EventId: expect.any(String) })),
        });
        call.entries.forEach(({ entry, fault, mutations }, index) => {
          count(`sdk entry ${fault?.code ?? (mutations.length > 0 ? 'accepted, breaks the catalog' : 'accepted, noise')}`);
          if (!fault) accepted.push({ eventId: results[index]?.EventId ?? '', entry, mutations });
        });
      }),
      { numRuns: SDK_RUNS },
    );
    await system.idle();

    // Assert: whatever a Lambda rule matched is parked once in that subscription's DLQ, the reason naming a broken field.
    const letters = new Map(lambdaSubscriptions.map((s) => [s.id, new Map(deadLetters(system, s.id).map((letter) => [(letter.event as { id: string }).id, letter.reason]))]));
    const rules = lambdaSubscriptions.map((s) => ({ id: s.id, matches: compilePattern(s.pattern) }));
    const problems: string[] = [];
    let parked = 0;
    for (const { eventId, entry, mutations } of accepted) {
      const event = {
        version: '0',
        id: eventId,
        source: entry.Source,
        'detail-type': entry.DetailType,
        account: '000000000000',
        region: 'eu-west-1',
        time: '',
        resources: [],
        detail: JSON.parse(entry.Detail ?? '{}') as unknown,
      };
      const prepared = prepareEvent(event as never);
      for (const rule of rules) {
        const reason = letters.get(rule.id)?.get(eventId);
        const matched = rule.matches.prepared(prepared);
        const problem = deadLetterProblem(matched, reason, entry.DetailType ?? '', mutations);
        if (problem) problems.push(`${rule.id} ${eventId} ${entry.DetailType}: ${problem}`);
        // The generator's promise, checked against the catalog: nothing a rule matches is a valid event.
        const version = (event.detail as { metadata?: { version?: unknown } }).metadata?.version;
        const schema = matched ? catalog.find(entry.DetailType ?? '', version as number) : undefined;
        if (schema && catalog.checkFor(schema)(event).length === 0) problems.push(`${rule.id} ${eventId}: the generator made a valid event`);
        if (reason !== undefined) parked++;
      }
    }
    expect(problems).toEqual([]);
    count('sdk events accepted', accepted.length);
    count('sdk events parked in a DLQ', parked);
    expect(parked).toBeGreaterThan(500);
    // …and nothing else happened: each parked once, no e-mail, no delivery, no order, no consumer's handler ran, each accepted event archived once.
    expect({ ...(await sideEffects()), deadLetters: allDeadLetters() }).toEqual({ ...start, archived: start.archived + accepted.length, deadLetters: start.deadLetters + parked });
    expect(crashes).toEqual([]);
  }, 40_000);

  it('still accepts and delivers a good event after all of that', async () => {
    const good = fixtureEvent('ItemNotAvailable');
    const detail = { ...good.detail, metadata: { ...good.detail.metadata, idempotencyKey: `after-fuzzing-${Date.now()}` }, data: { ...good.detail.data, orderId: 'order-after-fuzzing' } };

    const response = await client.send(
      new PutEventsCommand({ Entries: [{ EventBusName: LOCAL_EVENT_BUS_NAME, Source: good.source, DetailType: good['detail-type'], Detail: JSON.stringify(detail) }] }),
    );
    await system.idle();

    expect(response.FailedEntryCount).toBe(0);
    expect(system.emailSink.received.filter((email) => email.subject.includes('order-after-fuzzing'))).toHaveLength(1);
    expect(deadLetters(system, 'notifications.SendEmail').some((letter) => (letter.event as { id: string }).id === response.Entries?.[0]?.EventId)).toBe(false);
    expect(crashes).toEqual([]);
  });

  it('takes a Detail nested exactly 1000 levels deep, and refuses one level more', async () => {
    const nested = (depth: number) => `{"metadata":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const entry = (detail: string) => ({ EventBusName: LOCAL_EVENT_BUS_NAME, Source: 'fuzz.depth', DetailType: 'Deep', Detail: detail });

    const response = await client.send(new PutEventsCommand({ Entries: [entry(nested(PUT_EVENTS_QUOTAS.maxDetailDepth)), entry(nested(PUT_EVENTS_QUOTAS.maxDetailDepth + 1))] }));

    expect(response.Entries?.map((e) => e.ErrorCode ?? 'accepted')).toEqual(['accepted', 'MalformedDetail']);
    expect(response.Entries?.[1]?.ErrorMessage).toBe('Detail is malformed. Reason: JSON nested deeper than 1000 levels.');
  });

  it('lets the delivery provider refuse a DeliveryStarted that breaks its schema, which then waits in the DLQ with the reason', async () => {
    // Arrange: a DeliveryStarted without its orderId (the rule does not look at data, so it matches).
    const started = fixtureEvent('DeliveryStarted');
    const { orderId: _dropped, ...data } = started.detail.data as Record<string, unknown>;
    const received = system.deliverySink.received.length;
    const before = deadLetters(system, 'delivery.NotifyDeliveryProvider').length;

    // Act
    await client.send(
      new PutEventsCommand({ Entries: [{ EventBusName: LOCAL_EVENT_BUS_NAME, Source: started.source, DetailType: started['detail-type'], Detail: JSON.stringify({ ...started.detail, data }) }] }),
    );
    await system.idle();

    // Assert: refused at once (a 400 is not retried), never recorded as a delivery.
    const dead = deadLetters(system, 'delivery.NotifyDeliveryProvider').slice(before);
    expect(system.deliverySink.received.length).toBe(received);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).toMatch(/^delivery provider answered 400: .*orderId/);
  });
});

/** What is wrong with one rule's dead letter for one event: none when it matches nothing; else one, naming the detail-type, a broken field, and short. */
function deadLetterProblem(matched: boolean, reason: string | undefined, detailType: string, mutations: readonly string[]): string | undefined {
  if (!matched) return reason === undefined ? undefined : `matches no rule, yet is dead-lettered: ${reason}`;
  if (reason === undefined) return 'matched, yet not dead-lettered (delivered to its consumer?)';
  if (!new RegExp(`^${detailType}( v\\d+)? is invalid: `).test(reason)) return `reason does not say which event is invalid: ${reason.slice(0, 200)}`;
  if (!mutations.some((path) => reason.includes(path))) return `reason names none of ${mutations.join(', ')}: ${reason.slice(0, 200)}`;
  if (reason.length >= 4096) return `reason is ${reason.length} characters long`;
  return undefined;
}

// ─── Calls and what AWS answers ──────────────────────────────────────────────────────────────────────────────

interface Refusal {
  /** `__type` of the answer (raw), or the SDK error's name. */
  readonly type: 'UnknownOperationException' | 'SerializationException' | 'ValidationException';
  /** Text the message must contain: the member at fault. */
  readonly names: string;
}
interface RawCall {
  readonly kind: string;
  readonly target?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly expect: Refusal;
}
interface GeneratedEntry {
  readonly entry: PutEventsRequestEntry;
  /** Set when PutEvents must fail this entry alone. */
  readonly fault?: { readonly code: 'InvalidArgument' | 'MalformedDetail' | 'ResourceNotFoundException'; readonly names: string };
  /** JSONPaths this entry's event breaks in the catalog (empty: noise no rule matches). */
  readonly mutations: readonly string[];
}
interface SdkCall {
  readonly kind: string;
  readonly entries: readonly GeneratedEntry[];
  /** Set when the whole call must be refused. */
  readonly expect?: Refusal;
}

async function postRaw(url: string, call: RawCall): Promise<{ status: number; contentType: string; type?: string; message: string }> {
  const headers: Record<string, string> = {};
  if (call.target !== undefined) headers['x-amz-target'] = call.target;
  if (call.contentType !== undefined) headers['content-type'] = call.contentType;
  const response = await fetch(url, { method: 'POST', headers, body: new TextEncoder().encode(call.body) });
  const body = (await response.json()) as { __type?: string; message?: string };
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', type: body.__type, message: body.message ?? '' };
}

// ─── Generators: events ──────────────────────────────────────────────────────────────────────────────────────

const catalog = loadCatalog();
/**
 * Any UTF-16 code unit, lone surrogates included, or any astral code point. fast-check's own 'binary' unit would
 * do, but building it costs over a second per test file.
 */
const anyChar = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
/** The events Lambda consumers read, in the versions their rules match. */
const CONSUMED = [
  ['OrderCreated', 1],
  ['OrderCompleted', 1],
  ['OrderCancelled', 1],
  ['ItemNotAvailable', 1],
  ['PaymentFailed', 1],
  ['PaymentMade', 2],
] as const;
type Detail = { metadata: Record<string, unknown>; data: Record<string, unknown> } & Record<string, unknown>;
type Mutation = { readonly path: string; readonly apply: (event: { source: string; detail: Detail }) => void };

const METADATA_KEYS = ['correlationId', 'idempotencyKey', 'schema', 'ttl', 'nextVersion'] as const;
const wrongValue = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.constant(''), fc.constant('x'.repeat(129)));
const oddKey = fc.oneof(fc.string({ unit: anyChar, minLength: 1, maxLength: 10 }), fc.constantFrom('__proto__', 'version2', 'Metadata', 'meta data'));

const envelopeMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...METADATA_KEYS).map((key): Mutation => ({ path: `$.detail.metadata.${key}`, apply: (e) => void delete e.detail.metadata[key] })),
  fc.tuple(fc.constantFrom('correlationId', 'idempotencyKey'), wrongValue).map(
    ([key, value]): Mutation => ({
      path: `$.detail.metadata.${key}`,
      apply: (e) => {
        e.detail.metadata[key] = value;
      },
    }),
  ),
  fc.constantFrom('not a date', '2026-13-45T99:00:00Z', 42).map(
    (ttl): Mutation => ({
      path: '$.detail.metadata.ttl',
      apply: (e) => {
        e.detail.metadata.ttl = ttl;
      },
    }),
  ),
  fc.constantFrom('v2', 3, { version: 1 }, { version: 2, schema: '' }).map(
    (next): Mutation => ({
      path: '$.detail.metadata.nextVersion',
      apply: (e) => {
        e.detail.metadata.nextVersion = next;
      },
    }),
  ),
  oddKey
    .filter((k) => !(METADATA_KEYS as readonly string[]).includes(k) && k !== 'version')
    .map((key): Mutation => ({ path: '$.detail.metadata', apply: (e) => Object.defineProperty(e.detail.metadata, key, { value: 1, enumerable: true }) })),
  oddKey.filter((k) => k !== 'metadata' && k !== 'data').map((key): Mutation => ({ path: '$.detail', apply: (e) => Object.defineProperty(e.detail, key, { value: 'extra', enumerable: true }) })),
  fc.constantFrom([], 'data', null, 7).map(
    (data): Mutation => ({
      path: '$.detail.data',
      apply: (e) => {
        e.detail.data = data as never;
      },
    }),
  ),
  // Each unknown member is one violation: the reason names a few and counts the rest.
  fc.integer({ min: 30, max: 1500 }).map((n): Mutation => ({ path: '$.detail.metadata', apply: (e) => Array.from({ length: n }, (_, i) => (e.detail.metadata[`unknown${i}`] = i)) })),
);

/** Ways to break one required member of `data`, read from its schema so every event type gets its own. */
function dataMutations(schema: JsonSchema): Mutation[] {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string; enum?: unknown[]; minLength?: number; maxLength?: number; minimum?: number; pattern?: string; format?: string }>;
  return ((schema.required ?? []) as string[]).flatMap((name) => {
    const rule = properties[name] ?? {};
    const path = `$.detail.data.${name}`;
    // Another mutation may have replaced data with a non-object already; that one is then what is wrong.
    const onData = (change: (data: Record<string, unknown>) => void) => (e: { detail: Detail }) => void (isObject(e.detail.data) && change(e.detail.data));
    const set = (value: unknown): Mutation => ({ path, apply: onData((data) => (data[name] = value)) });
    return [
      { path, apply: onData((data) => delete data[name]) },
      set(rule.type === 'string' ? 42 : 'a string'),
      ...(rule.enum ? [set('NOT_ONE_OF_THEM')] : []),
      ...(rule.minLength ? [set('')] : []),
      ...(rule.maxLength ? [set('m'.repeat(rule.maxLength + 1))] : []),
      ...(rule.minimum !== undefined ? [set(rule.minimum - 1)] : []),
      ...(rule.pattern ? [set('\u0000\ud800 ☃')] : []),
      ...(rule.format === 'date-time' ? [set('yesterday')] : []),
    ];
  });
}
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const sourceSwap: Record<string, string> = { ItemNotAvailable: 'eventflow.payment', PaymentFailed: 'eventflow.inventory' };

/** The example event of each consumed version, read once (arbitraries are built once too: building one costs more than drawing from it). */
const FIXTURES = new Map<string, ReturnType<typeof fixtureEvent>>(CONSUMED.map(([name, version]) => [name, fixtureEvent(name, version)]));
const fixtureOf = (name: string): ReturnType<typeof fixtureEvent> => structuredClone(FIXTURES.get(name) ?? fixtureEvent(name));

/** A consumed event, broken in 1 to 3 ways its rule does not look at, so the rule still matches and the consumer must refuse it. */
const brokenEvent: fc.Arbitrary<GeneratedEntry> = fc.oneof(
  ...CONSUMED.map(([name, version]) => {
    const entry = catalog.find(name, version);
    if (!entry) throw new Error(`${name} v${version} is not in the catalog`);
    const swap = sourceSwap[name];
    const mutation = fc.oneof(
      { weight: 3, arbitrary: envelopeMutation },
      { weight: 4, arbitrary: fc.constantFrom(...dataMutations(entry.dataSchema)) },
      ...(swap
        ? [
            {
              weight: 1,
              arbitrary: fc.constant<Mutation>({
                path: '$.source',
                apply: (e) => {
                  e.source = swap;
                },
              }),
            },
          ]
        : []),
    );
    return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations): GeneratedEntry => {
      const fixture = fixtureOf(name);
      const event = { source: fixture.source, detail: fixture.detail as unknown as Detail };
      for (const m of mutations) m.apply(event);
      return { entry: { EventBusName: LOCAL_EVENT_BUS_NAME, Source: event.source, DetailType: name, Detail: JSON.stringify(event.detail) }, mutations: mutations.map((m) => m.path) };
    });
  }),
);

/** Accepted by EventBridge, matched by no rule: an unknown source, or a catalog event in a version nobody reads. */
const noiseEvent: fc.Arbitrary<GeneratedEntry> = fc.oneof(
  fc
    .record({
      source: fc.stringMatching(/^fuzz\.[a-z0-9-]{1,20}$/),
      detailType: fc.string({ unit: anyChar, minLength: 1, maxLength: 60 }),
      detail: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    })
    // A double past 2^63 prints as an integer literal, which PutEvents refuses (64-bit integers only): not noise.
    .filter(({ detail }) => !/\d{19}/.test(JSON.stringify(detail)))
    .map(({ source, detailType, detail }) => ({ entry: { EventBusName: LOCAL_EVENT_BUS_NAME, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }, mutations: [] })),
  fc.tuple(fc.constantFrom(...CONSUMED), fc.constantFrom<unknown>(99, 0, -1, '1', 1.5, null, undefined)).map(([[name], unknownVersion]) => {
    const fixture = fixtureOf(name);
    return {
      entry: {
        EventBusName: LOCAL_EVENT_BUS_NAME,
        Source: fixture.source,
        DetailType: name,
        Detail: JSON.stringify({ ...fixture.detail, metadata: { ...fixture.detail.metadata, version: unknownVersion } }),
      },
      mutations: [],
    };
  }),
);
const completeEntry = fc.oneof({ weight: 3, arbitrary: brokenEvent }, { weight: 1, arbitrary: noiseEvent });

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const malformedDetail = fc.oneof(
  fc.string({ unit: anyChar }).filter((text) => text !== '' && !parses(text)),
  fc
    .jsonValue()
    .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
    .map((value) => JSON.stringify(value)),
  fc.integer({ min: PUT_EVENTS_QUOTAS.maxDetailDepth + 1, max: 3_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.integer({ min: PUT_EVENTS_QUOTAS.maxDetailDepth, max: 6_000 }).map((depth) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  fc.constantFrom('9223372036854775808', '-9223372036854775809', '123456789012345678901234567890', '1e400', '-1e999').map((n) => `{"n":${n}}`),
  fc.constantFrom('{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":1}{"b":2}', '\ufeff{}'),
);
type Fault = { readonly changes: Partial<PutEventsRequestEntry>; readonly code: NonNullable<GeneratedEntry['fault']>['code']; readonly names: string };
const missing = fc.constantFrom(undefined, '');
const fault: fc.Arbitrary<Fault> = fc.oneof(
  missing.map((Source): Fault => ({ changes: { Source }, code: 'InvalidArgument', names: 'Source' })),
  missing.map((DetailType): Fault => ({ changes: { DetailType }, code: 'InvalidArgument', names: 'DetailType' })),
  missing.map((Detail): Fault => ({ changes: { Detail }, code: 'InvalidArgument', names: 'Detail' })),
  fc
    .string({ unit: anyChar, minLength: PUT_EVENTS_QUOTAS.maxDetailTypeLength + 1, maxLength: 300 })
    .filter((type) => [...type].length > PUT_EVENTS_QUOTAS.maxDetailTypeLength)
    .map((DetailType): Fault => ({ changes: { DetailType }, code: 'InvalidArgument', names: 'DetailType' })),
  fc
    .stringMatching(/^[A-Za-z0-9._-]{1,64}$/)
    .filter((name) => name !== LOCAL_EVENT_BUS_NAME)
    .map((EventBusName): Fault => ({ changes: { EventBusName }, code: 'ResourceNotFoundException', names: `Event bus ${EventBusName}` })),
  { weight: 2, arbitrary: malformedDetail.map((Detail): Fault => ({ changes: { Detail }, code: 'MalformedDetail', names: 'Detail is malformed' })) },
);
/** An entry PutEvents fails alone, with the ErrorCode AWS gives and the member its message names. */
const faultyEntry: fc.Arbitrary<GeneratedEntry> = fc
  .tuple(completeEntry, fault)
  .map(([{ entry }, { changes, code, names }]) => ({ entry: { ...entry, ...changes }, fault: { code, names }, mutations: [] }));

const noise = (n: number): PutEventsRequestEntry[] =>
  Array.from({ length: n }, (_, i) => ({ EventBusName: LOCAL_EVENT_BUS_NAME, Source: 'fuzz.noise', DetailType: 'Noise', Detail: JSON.stringify({ i }) }));
const asGenerated = (entry: PutEventsRequestEntry): GeneratedEntry => ({ entry, mutations: [] });

/** Through the SDK: mostly calls whose entries fail or pass one by one, some that AWS refuses whole. */
const sdkCall: fc.Arbitrary<SdkCall> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(completeEntry, fc.array(fc.oneof(completeEntry, faultyEntry), { maxLength: 9 }))
      .chain(([first, rest]) => fc.shuffledSubarray([first, ...rest], { minLength: rest.length + 1 }))
      .map((entries) => ({ kind: 'entries', entries })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: PUT_EVENTS_QUOTAS.maxEntries + 1, max: 30 })
      .map((n) => ({ kind: 'too many entries', entries: noise(n).map(asGenerated), expect: { type: 'ValidationException', names: "'entries'" } as const })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'no entries', entries: [], expect: { type: 'ValidationException', names: "'entries'" } as const }) },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom('Source', 'DetailType', 'Detail'), { minLength: 1, maxLength: 4 }).map((lacking) => ({
      kind: 'no complete entry',
      entries: lacking.map((name) => asGenerated({ ...noise(1)[0], [name]: undefined })),
      expect: { type: 'ValidationException', names: 'at least one entry must have Source, DetailType and Detail' } as const,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4096 })).map(([n, extra]) => ({
      kind: 'over 256 KB',
      entries: noise(n).map((e) => asGenerated({ ...e, Detail: JSON.stringify({ blob: 'b'.repeat(Math.ceil((PUT_EVENTS_QUOTAS.maxRequestBytes + extra) / n)) }) })),
      expect: { type: 'ValidationException', names: 'Total size of the entries' } as const,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 't'.repeat(PUT_EVENTS_QUOTAS.maxTraceHeaderLength + 1)).map((TraceHeader) => ({
      kind: 'bad TraceHeader',
      entries: [asGenerated({ ...noise(1)[0], TraceHeader })],
      expect: { type: 'ValidationException', names: "'entries.1.member.traceHeader'" } as const,
    })),
  },
);

// ─── Generators: raw calls ───────────────────────────────────────────────────────────────────────────────────

const AMZ_JSON = 'application/x-amz-json-1.1';
const PUT_EVENTS = 'AWSEvents.PutEvents';
const validBody = (entries: readonly unknown[] = noise(1)): string => JSON.stringify({ Entries: entries });
/** A raw call; `headers` overrides the SDK's two (undefined: the header is not sent at all). */
const raw = (kind: string, body: string, expect: Refusal, headers: { target?: string; contentType?: string } = { target: PUT_EVENTS, contentType: AMZ_JSON }): RawCall => ({
  kind,
  body,
  expect,
  target: 'target' in headers ? headers.target : PUT_EVENTS,
  contentType: 'contentType' in headers ? headers.contentType : AMZ_JSON,
});
const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value);
/** A JSON value of any type but the one named. */
const notA = (type: 'string' | 'list' | 'object'): fc.Arbitrary<unknown> =>
  fc
    .oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.string(),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
    )
    .filter((value) => {
      const kind = typeOf(value);
      return type === 'list' ? kind !== 'a list' : type === 'object' ? kind !== 'object' : kind !== 'string';
    });
const STRING_MEMBERS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

const smallRawCall: fc.Arbitrary<RawCall> = fc.oneof(
  fc
    .oneof(
      fc.constantFrom(undefined, '', 'AWSEvents.PutEvent', 'AWSEvents.putevents', 'AWSEvents.PutRule', 'DynamoDB_20120810.PutItem', 'AWSEvents.PutEvents.'),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((t) => t.trim() !== PUT_EVENTS && t.trim() !== 'AWSEvents.StartReplay'),
    )
    .map((target) => raw('unknown X-Amz-Target', validBody(), { type: 'UnknownOperationException', names: 'X-Amz-Target' }, { target })),
  fc
    .constantFrom(undefined, 'text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data', 'application/x-amz-json', 'application/jsonx')
    .map((contentType) => raw('wrong Content-Type', validBody(), { type: 'UnknownOperationException', names: 'Content-Type' }, { contentType })),
  fc
    .oneof(
      fc.string({ unit: anyChar }).filter((text) => !parses(text)),
      fc.constantFrom('', '{', '{"Entries":[}', "{'Entries':[]}", '{"Entries":[{"Source":"a",}]}', 'null null', '\ufeff{"Entries":[]}'),
    )
    .map((body) => raw('not JSON', body, { type: 'SerializationException', names: 'not valid JSON' })),
  fc
    .jsonValue()
    .filter((value) => typeOf(value) !== 'object')
    .map((value) => raw('not an object', JSON.stringify(value), { type: 'SerializationException', names: 'Request body must be a JSON object' })),
  fc.constantFrom('{}', '{"Entries":null}', '{"EndpointId":"a.b"}', '{"entries":[]}').map((body) => raw('no Entries', body, { type: 'ValidationException', names: "Value null at 'entries'" })),
  notA('list')
    .filter((v) => v !== null)
    .map((entries) => raw('Entries of the wrong type', JSON.stringify({ Entries: entries }), { type: 'SerializationException', names: 'Entries must be a list' })),
  fc.tuple(fc.oneof(notA('object'), fc.constant(null)), fc.nat(9)).map(([item, at]) => {
    const entries: unknown[] = noise(at + 1);
    entries[at] = item;
    return raw('an entry of the wrong type', validBody(entries), { type: 'SerializationException', names: `Entries[${at}] must be an entry` });
  }),
  fc.tuple(fc.constantFrom(...STRING_MEMBERS, 'Resources', 'ResourceItem', 'Time'), fc.nat(9)).chain(([member, at]) => {
    const value =
      member === 'Resources'
        ? notA('list').filter((v) => v !== null)
        : member === 'ResourceItem'
          ? notA('string')
          : member === 'Time'
            ? fc.oneof(
                fc.constantFrom('not a time', '2026-02-30T25:61:00Z', '', 1e20, -1e300),
                fc.boolean(),
                fc.dictionary(fc.string(), fc.integer(), { maxKeys: 1 }),
                fc.array(fc.integer(), { maxLength: 2 }),
              )
            : notA('string');
    return value.map((bad) => {
      const entries: Array<Record<string, unknown>> = noise(at + 1).map((entry) => ({ ...entry }));
      const name = member === 'ResourceItem' ? 'Resources[1]' : member;
      entries[at] = { ...entries[at], ...(member === 'ResourceItem' ? { Resources: ['arn:aws:s3:::ok', bad] } : { [member]: bad }) };
      return raw(`${member} of the wrong type`, validBody(entries), { type: 'SerializationException', names: `Entries[${at}].${name}` });
    });
  }),
  fc.tuple(fc.constantFrom('', 'a'.repeat(PUT_EVENTS_QUOTAS.maxEventBusNameLength + 1)), fc.nat(9)).map(([EventBusName, at]) => {
    const entries: Array<Record<string, unknown>> = noise(at + 1).map((entry) => ({ ...entry }));
    entries[at] = { ...entries[at], EventBusName };
    return raw('EventBusName length', validBody(entries), { type: 'ValidationException', names: `'entries.${at + 1}.member.eventBusName'` });
  }),
  fc
    .oneof(
      fc.constantFrom('', 'nodot', 'a.b.c', 'a..b', 'under_score.x', `${'a'.repeat(49)}.b`),
      fc.string({ maxLength: 20 }).filter((id) => !/^[A-Za-z0-9-]+[.][A-Za-z0-9-]+$/.test(id)),
    )
    .map((EndpointId) => raw('bad EndpointId', JSON.stringify({ Entries: noise(1), EndpointId }), { type: 'ValidationException', names: "'endpointId'" })),
  fc.integer({ min: PUT_EVENTS_QUOTAS.maxEntries + 1, max: 50 }).map((n) => raw('too many entries', validBody(noise(n)), { type: 'ValidationException', names: "'entries'" })),
  fc
    .integer({ min: 1, max: 3 })
    .map((n) =>
      raw('no complete entry', validBody(noise(n).map(({ Detail: _detail, ...entry }) => entry)), { type: 'ValidationException', names: 'at least one entry must have Source, DetailType and Detail' }),
    ),
);
/** Past the read limit, refused without reading it all (each costs 1.6 MB of traffic, hence few). */
const overReadLimit = fc.constant(
  raw('body over the read limit', JSON.stringify({ Entries: noise(1), Padding: 'p'.repeat(MAX_PUT_EVENTS_BODY_BYTES) }), {
    type: 'ValidationException',
    names: `Request body is over ${MAX_PUT_EVENTS_BODY_BYTES} bytes`,
  }),
);
const rawCall: fc.Arbitrary<RawCall> = fc.oneof({ weight: 40, arbitrary: smallRawCall }, { weight: 1, arbitrary: overReadLimit });
