import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { DRAIN_AFTER_ANSWER, HTTP_API_LIMITS } from '../../local/http-api';
import { BAD_REQUEST_BODY_RESPONSE, MISSING_ROUTE_RESPONSE, bodyTooLargeResponse } from '../../model/api';
import { LOCAL_TABLE_PREFIX, type LocalSystem } from '../../local/start-local';
import { ORDERS_TABLE, physicalTableName } from '../../model/tables';
import { startFuzzedSystem, tallyOf, watchCrashes, type FuzzedSystem } from '../helpers/fuzzed-system';

/**
 * Issue 10, the HTTP edge: over a thousand generated malformed CreateOrder requests, sent over real HTTP to the
 * running local system. Each is refused with what the deployed REST API answers, naming what was wrong; none creates
 * an order, none crashes the process, and good requests still work afterwards.
 *
 * What the REST API answers itself, before any function runs (model/api.ts declares each, with its AWS page):
 * - no resource for the method and path: 403 `{"message":"Missing Authentication Token"}`;
 * - a body over the stage's limit: 413 from the WAF size rule;
 * - a body the request model refuses: 400 `{"message":"Invalid request body","validationErrors":"[…]"}`, the
 *   validator's own messages. Their expected text is written out below from the validator's message templates, not
 *   taken from the local validator, where the body decides it (missing or extra members, a body of the wrong type).
 * A body the model accepts but CreateOrder refuses (its media type) is answered by CreateOrder.
 */
describe('REST API › POST /orders under bad input', () => {
  const NUM_RUNS = 1000;
  let fuzzed: FuzzedSystem;
  let system: LocalSystem;
  let dynamo: DynamoDBClient;
  const crashes = watchCrashes();
  const tally = tallyOf('bad-input-api');
  const count = tally.count;

  beforeAll(async () => {
    fuzzed = await startFuzzedSystem('bad-api');
    ({ system, dynamo } = fuzzed);
  }, 30_000);
  afterAll(async () => {
    await fuzzed?.stop();
  });

  const countOrders = async (): Promise<number> => (await dynamo.send(new ScanCommand({ TableName: physicalTableName(LOCAL_TABLE_PREFIX, ORDERS_TABLE), Select: 'COUNT' }))).Count ?? 0;

  it(`refuses ${NUM_RUNS} generated malformed requests, each with the answer API Gateway or CreateOrder gives, and creates no order`, async () => {
    // Arrange
    const ordersBefore = await countOrders();

    // Act + Assert
    await fc.assert(
      fc.asyncProperty(badRequest, async (bad) => {
        const answer = await send(system.apiUrl, bad);
        count(`${bad.kind} ${answer.status}`);
        if (answer.status === 201 || answer.status >= 500) count('created or crashed');

        // One assertion per request: Jest's expect costs more than the request does.
        expect(seen(bad, answer)).toEqual(expected(bad));
      }),
      { numRuns: NUM_RUNS },
    );

    expect(tally.get('created or crashed') ?? 0).toBe(0);
    expect(await countOrders()).toBe(ordersBefore);
    expect(crashes).toEqual([]);
  }, 60_000);

  it('answers 413 to a body over the limit sent without a length, and stops reading it', async () => {
    // Arrange: the client offers far more than the limit and reads the answer while it sends.
    const offered = 4 * DRAIN_AFTER_ANSWER.maxBytes;

    // Act
    const { head, body, sent } = await streamUnbounded(system.apiUrl, offered);

    // Assert: refused at the limit; what the server still drained afterwards is bounded, far below the offer.
    expect(head).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(body)).toEqual(TOO_LARGE.body);
    expect(sent).toBeLessThan(2 * DRAIN_AFTER_ANSWER.maxBytes);
    expect(crashes).toEqual([]);
  });

  it('reads a body of exactly the limit and refuses one byte more', async () => {
    const padding = (size: number) => `{"customerId":"${'x'.repeat(size - '{"customerId":""}'.length)}"}`;

    const atLimit = await send(system.apiUrl, { kind: 'at-limit', method: 'POST', path: '/orders', contentType: 'application/json', body: padding(HTTP_API_LIMITS.maxPayloadBytes) });
    const overLimit = await send(system.apiUrl, { kind: 'over-limit', method: 'POST', path: '/orders', contentType: 'application/json', body: padding(HTTP_API_LIMITS.maxPayloadBytes + 1) });

    expect([atLimit.status, atLimit.json]).toEqual([400, gatewayRefusal(['object has missing required properties (["productId","quantity"])'])]);
    expect([overLimit.status, overLimit.json]).toEqual([413, TOO_LARGE.body]);
  });

  it('answers 400 to a request target that is no URL, and stays up', async () => {
    const answer = await rawRequest(system.apiUrl, { method: 'POST', path: 'http://[', headers: { 'content-type': 'application/json' }, body: '{}' });

    expect([answer.status, JSON.parse(answer.text)]).toEqual([400, { message: 'Bad Request' }]);
  });

  it('still places, stores and completes a good order after all of that', async () => {
    const created = await fetch(`${system.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }),
    });
    expect(created.status).toBe(201);
    const { orderId } = (await created.json()) as { orderId: string };
    await system.idle();
    const fetched = await fetch(`${system.apiUrl}/orders/${orderId}`);

    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ orderId, status: 'COMPLETED' });
    expect(crashes).toEqual([]);
  });
});

// ─── Requests and their expected answers ─────────────────────────────────────────────────────────────────────

interface BadRequest {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  /** undefined: no Content-Type header at all. */
  readonly contentType?: string;
  readonly body?: string | Uint8Array;
  /** Sent as Content-Length instead of a body (the server must refuse it from the header alone). */
  readonly declaredLength?: number;
  /** Sends `Expect: 100-continue` with the declared length. */
  readonly expectContinue?: boolean;
  /** Required members left out of the body. */
  readonly missing?: readonly string[];
  /** Members the model does not declare. */
  readonly extras?: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

const TOO_LARGE = bodyTooLargeResponse(HTTP_API_LIMITS.maxPayloadBytes);

/** The gateway's 400 for these validator messages, parsed: the response template puts the bracketed list in a JSON string. */
function gatewayRefusal(messages: readonly string[]): unknown {
  return { message: BAD_REQUEST_BODY_RESPONSE.message, validationErrors: `[${messages.join(', ')}]` };
}

/** The JSON type name the validator gives a value. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** What is compared of an answer: the status and body; for a refused member's value, that the gateway refused it with a message. */
function seen(bad: BadRequest, answer: Answer): unknown {
  if (bad.kind === 'bad-body' && !tooLarge(bad) && bad.missing?.length === 0 && bad.extras?.length === 0) {
    const body = answer.json as { message?: unknown; validationErrors?: unknown } | undefined;
    return { status: answer.status, message: body?.message, listsErrors: typeof body?.validationErrors === 'string' && /^\[.+\]$/s.test(body.validationErrors) };
  }
  return { status: answer.status, body: bad.method === 'HEAD' ? answer.text : answer.json };
}

const tooLarge = (bad: BadRequest): boolean => bad.body !== undefined && (typeof bad.body === 'string' ? Buffer.byteLength(bad.body) : bad.body.length) > HTTP_API_LIMITS.maxPayloadBytes;

/** The answer a bad request must get. */
function expected(bad: BadRequest): unknown {
  if (tooLarge(bad)) return { status: 413, body: TOO_LARGE.body };
  switch (bad.kind) {
    case 'bad-body':
    case 'many-members': {
      const extras = [...(bad.extras ?? [])].sort();
      const missing = [...(bad.missing ?? [])].sort();
      // The root's keywords in name order (additionalProperties, required); a failing root hides its members' errors.
      const rootMessages = [
        ...(extras.length > 0 ? [`object instance has properties which are not allowed by the schema: ${JSON.stringify(extras)}`] : []),
        ...(missing.length > 0 ? [`object has missing required properties (${JSON.stringify(missing)})`] : []),
      ];
      if (rootMessages.length > 0) return { status: BAD_REQUEST_BODY_RESPONSE.statusCode, body: gatewayRefusal(rootMessages) };
      return { status: BAD_REQUEST_BODY_RESPONSE.statusCode, message: BAD_REQUEST_BODY_RESPONSE.message, listsErrors: true };
    }
    case 'not-an-object':
      return { status: 400, body: gatewayRefusal([`instance type (${typeName(JSON.parse(bad.body as string))}) does not match any allowed primitive type (allowed: ["object"])`]) };
    case 'not-json':
      // An empty body is validated as `{}`.
      if (typeof bad.body === 'string' && asSent(bad.body).trim() === '')
        return { status: 400, body: gatewayRefusal(['object has missing required properties (["customerId","productId","quantity"])']) };
      return { status: 400, body: { message: BAD_REQUEST_BODY_RESPONSE.message, validationErrors: expect.stringMatching(/^\[body is not valid JSON: .+\]$/s) } };
    case 'wrong-content-type':
      return { status: 415, body: { errors: [{ path: "headers['content-type']", message: expect.stringMatching(/^(charset must be utf-8|must be application\/json), got /) }] } };
    case 'oversize':
      return { status: 413, body: TOO_LARGE.body };
    case 'no-route':
      return { status: MISSING_ROUTE_RESPONSE.statusCode, body: bad.method === 'HEAD' ? '' : MISSING_ROUTE_RESPONSE.body };
    default:
      throw new Error(`no expectation for ${bad.kind}`);
  }
}

// ─── Generators ──────────────────────────────────────────────────────────────────────────────────────────────

const FIELDS = ['customerId', 'productId', 'quantity'] as const;
/**
 * Any UTF-16 code unit, lone surrogates included, or any astral code point. fast-check's own 'binary' unit would
 * do, but building it costs over a second per test file.
 */
const anyChar = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
const ONE_MB = 1024 * 1024;

/** Characters the id pattern refuses, chosen for trouble: lone surrogates, NUL, bidi controls, BOM, emoji, combining marks, separators. */
const oddChar = fc.constantFrom(
  '\ud800',
  '\udfff',
  '\u0000',
  '\u200f',
  '\u202e',
  '\u2066',
  '\ufeff',
  '😀',
  '👩‍👩‍👧',
  'e\u0301',
  ' ',
  '\t',
  '\n',
  '\u2028',
  '/',
  '"',
  '\\',
  '.',
  'é',
  '中',
  '\u{10ffff}',
);
/** Strings of 1 MB as JSON text (a lone surrogate or NUL is 6 bytes there, `\ud800`), made once: stringifying one takes tens of milliseconds. */
const MEGABYTE_STRINGS = ['x', '😀', '\u202e', '\ud800', '\u0000'].map((unit) => JSON.stringify(unit.repeat(Math.ceil(ONE_MB / Buffer.byteLength(JSON.stringify(unit).slice(1, -1))))));
const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const wrongTypeJson = fc
  .oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }))
  .map((value) => JSON.stringify(value));
const badIdJson = fc.oneof(
  { weight: 6, arbitrary: wrongTypeJson },
  { weight: 2, arbitrary: fc.constant('""') },
  { weight: 8, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/), oddChar, fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/)).map(([a, odd, b]) => JSON.stringify(a + odd + b)) },
  { weight: 4, arbitrary: fc.integer({ min: 65, max: 4096 }).map((n) => JSON.stringify('a'.repeat(n))) },
  {
    weight: 4,
    arbitrary: fc
      .string({ unit: anyChar, minLength: 1 })
      .filter((s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s))
      .map((s) => JSON.stringify(s)),
  },
  { weight: 1, arbitrary: fc.constantFrom(...MEGABYTE_STRINGS) },
);
const badQuantityJson = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 0 }).map(String),
  fc.integer({ min: 1001, max: 2 ** 31 }).map(String),
  fc
    .double({ min: 1.001, max: 999.999, noNaN: true })
    .filter((x) => !Number.isInteger(x))
    .map(String),
  fc.constantFrom('1e400', '-1e400', '1.5', '0.0', '-0', '12345678901234567890123', '1000.5', '"2"', '"1e3"', '"one"', 'true', 'null', '[1]', '{"value":1}'),
  wrongTypeJson.filter((json) => typeof JSON.parse(json) !== 'number'),
);
const validQuantityJson = fc.integer({ min: 1, max: 1000 }).map(String);
type FieldValue = { readonly state: 'valid' | 'invalid' | 'missing'; readonly json?: string };
const fieldValue = (valid: fc.Arbitrary<string>, invalid: fc.Arbitrary<string>): fc.Arbitrary<FieldValue> =>
  fc.oneof(
    valid.map((json) => ({ state: 'valid' as const, json })),
    invalid.map((json) => ({ state: 'invalid' as const, json })),
    fc.constant({ state: 'missing' as const }),
  );
const extraName = fc
  .oneof(fc.string({ unit: anyChar, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'orderId', 'status', '0', 'Quantity', 'customerID', '$ref', 'a.b', 'a/b', 'a~b', ''))
  .filter((name) => !(FIELDS as readonly string[]).includes(name));
const extraMembers = fc.uniqueArray(fc.tuple(extraName, fc.json({ maxDepth: 2 })), { maxLength: 4, selector: ([name]) => name });
/** Content types CreateOrder reads as JSON; the body's faults must be what is answered. */
const jsonContentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  undefined,
);

const validOrderJson = fc.record({ customerId: validId, productId: validId, quantity: fc.integer({ min: 1, max: 1000 }) }).map((order) => JSON.stringify(order));
const objectJson = (members: ReadonlyArray<readonly [string, string]>): string => `{${members.map(([name, json]) => `${JSON.stringify(name)}:${json}`).join(',')}}`;

/** A JSON object body with at least one member missing, extra or invalid, and the paths that must be named. */
const badBody: fc.Arbitrary<BadRequest> = fc
  .record({
    customerId: fieldValue(
      validId.map((id) => JSON.stringify(id)),
      badIdJson,
    ),
    productId: fieldValue(
      validId.map((id) => JSON.stringify(id)),
      badIdJson,
    ),
    quantity: fieldValue(validQuantityJson, badQuantityJson),
    extras: extraMembers,
    contentType: jsonContentType,
  })
  .map(({ extras, contentType, ...fields }) => {
    const members = [...FIELDS.flatMap((name) => (fields[name].json === undefined ? [] : [[name, fields[name].json] as const])), ...extras];
    const missing = FIELDS.filter((name) => fields[name].state === 'missing');
    const bad = FIELDS.some((name) => fields[name].state !== 'valid') || extras.length > 0;
    return { kind: 'bad-body', method: 'POST', path: '/orders', contentType, body: objectJson(members), missing, extras: extras.map(([name]) => name), bad };
  })
  .filter((request) => request.bad)
  .map(({ bad: _bad, ...request }): BadRequest => request);

/** Thousands of members: only the first few are named, and the count is given. */
const manyMembers: fc.Arbitrary<BadRequest> = fc.integer({ min: 17, max: 1_000 }).map((n) => ({
  kind: 'many-members',
  method: 'POST',
  path: '/orders',
  contentType: 'application/json',
  body: objectJson([['customerId', '"c"'], ['productId', '"p"'], ['quantity', '1'], ...Array.from({ length: n - 3 }, (_, i) => [`k${i}`, '0'] as const)]),
  missing: [],
  extras: Array.from({ length: n - 3 }, (_, i) => `k${i}`),
}));

const notAnObject: fc.Arbitrary<BadRequest> = fc
  .oneof(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 3 }))
  .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
  .chain((value) => jsonContentType.map((contentType) => ({ kind: 'not-an-object', method: 'POST', path: '/orders', contentType, body: JSON.stringify(value) })));

/** What the server decodes a string body to (lone surrogates become U+FFFD on the way). */
const asSent = (text: string): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(text));
const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const notJson: fc.Arbitrary<BadRequest> = fc
  .tuple(
    fc.oneof(
      fc.string({ unit: anyChar }),
      validOrderJson.chain((json) => fc.integer({ min: 0, max: json.length - 1 }).map((end) => json.slice(0, end))),
      validOrderJson.map((json) => `\ufeff${json}`),
      validOrderJson.map((json) => json.replace(/"/g, "'")),
      validOrderJson.map((json) => json.replace('}', ',}')),
      fc.constantFrom(
        '',
        ' ',
        'NaN',
        'undefined',
        '{"quantity": NaN}',
        '{"quantity": Infinity}',
        '{customerId: "c"}',
        '[1,]',
        '{"a":1}{"b":2}',
        '\u0000',
        '{"customerId":"c\u0000"}',
        '// comment\n{}',
      ),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Uint8Array.from([0xff, 0xfe, ...bytes])),
    ),
    jsonContentType,
  )
  .filter(([body]) => typeof body !== 'string' || !parses(asSent(body)))
  .map(([body, contentType]) => ({ kind: 'not-json', method: 'POST', path: '/orders', contentType, body }));

const mediaToken = fc.stringMatching(/^[a-z][a-z0-9.+-]{0,15}$/);
const readAsJson = (type: string): boolean => /^(application\/json|application\/[\w.+-]+\+json|text\/plain|application\/x-www-form-urlencoded)$/.test(type);
/** A valid order under a media type that is not JSON: refused whatever the body says, so nothing is ordered. */
const wrongContentType: fc.Arbitrary<BadRequest> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        'application/xml',
        'text/xml',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'image/png',
        'text/html',
        'text/csv',
        'application/x-ndjson',
        'application/yaml',
        'application/jsonx',
        'json',
      ),
      fc
        .tuple(mediaToken, mediaToken)
        .map(([type, subtype]) => `${type}/${subtype}`)
        .filter((type) => !readAsJson(type)),
      fc.constantFrom('utf-16', 'latin1', 'iso-8859-1', 'ascii', 'utf-32').map((charset) => `application/json; charset=${charset}`),
    ),
    validOrderJson,
  )
  .map(([contentType, body]) => ({ kind: 'wrong-content-type', method: 'POST', path: '/orders', contentType, body }));

/** Announced larger than the quota: refused from the header, before any of it is sent (asked or not with `Expect: 100-continue`). */
const oversize: fc.Arbitrary<BadRequest> = fc
  .tuple(fc.integer({ min: HTTP_API_LIMITS.maxPayloadBytes + 1, max: 2 ** 40 }), fc.boolean())
  .map(([declaredLength, expectContinue]) => ({ kind: 'oversize', method: 'POST', path: '/orders', contentType: 'application/json', declaredLength, expectContinue }));

const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
  fc.string({ unit: anyChar, minLength: 1, maxLength: 8 }).map((s) => encodeURIComponent(Buffer.from(s).toString('utf8'))),
  fc.constantFrom('orders', 'ORDERS', 'order', 'v1', '%00', '%ZZ', '%ED%A0%80', '%2F'),
);
const somePath = fc.array(segment, { minLength: 0, maxLength: 4 }).map((segments) => `/${segments.join('/')}`);
/** Where fetch sends a path once it has resolved dot segments (`/x/../orders` is `/orders`). */
const resolvedPath = (path: string): string => new URL(path, 'http://local').pathname;
const routed = (method: string, path: string): boolean => (method === 'POST' && resolvedPath(path) === '/orders') || (method === 'GET' && /^\/orders\/[^/]+$/.test(resolvedPath(path)));
const noRoute: fc.Arbitrary<BadRequest> = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    fc.oneof(fc.constantFrom('/orders', '/', '/order', '/Orders', '/orders/x/y', '/v1/orders'), somePath),
    fc.option(validOrderJson, { nil: undefined }),
  )
  .filter(([method, path]) => !routed(method, path))
  .map(([method, path, body]) => ({ kind: 'no-route', method, path, contentType: 'application/json', ...(method === 'GET' || method === 'HEAD' || body === undefined ? {} : { body }) }));

const badRequest: fc.Arbitrary<BadRequest> = fc.oneof(
  { weight: 10, arbitrary: badBody },
  { weight: 1, arbitrary: manyMembers },
  { weight: 2, arbitrary: notAnObject },
  { weight: 3, arbitrary: notJson },
  { weight: 3, arbitrary: wrongContentType },
  { weight: 1, arbitrary: oversize },
  { weight: 3, arbitrary: noRoute },
);

// ─── HTTP ────────────────────────────────────────────────────────────────────────────────────────────────────

async function send(apiUrl: string, bad: BadRequest): Promise<Answer> {
  if (bad.declaredLength !== undefined) {
    const headers = { 'content-type': bad.contentType ?? '', 'content-length': String(bad.declaredLength), ...(bad.expectContinue ? { expect: '100-continue' } : {}) };
    return rawRequest(apiUrl, { method: bad.method, path: bad.path, headers });
  }
  // A Uint8Array body goes without a Content-Type; a string one gets text/plain unless one is set.
  const body = bad.body === undefined ? undefined : bad.contentType === undefined && typeof bad.body === 'string' ? new TextEncoder().encode(bad.body) : bad.body;
  const response = await fetch(`${apiUrl}${bad.path}`, {
    method: bad.method,
    headers: bad.contentType === undefined ? {} : { 'content-type': bad.contentType },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, text, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** One request through node:http, for what fetch will not send: a body announced but not sent, a target that is no URL. */
function rawRequest(apiUrl: string, options: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<Answer> {
  const { hostname, port } = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: options.method, path: options.path, headers: options.headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text, json: text === '' ? undefined : (JSON.parse(text) as unknown) });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.flushHeaders();
  });
}

/** Streams up to `offered` bytes (chunked, no length), reading the answer while sending; stops sending once answered. */
function streamUnbounded(apiUrl: string, offered: number): Promise<{ head: string; body: string; sent: number }> {
  const { hostname, port } = new URL(apiUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (received += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const [head = '', rest = ''] = received.split('\r\n\r\n');
      // The answer is chunked: its one chunk sits between the size line and the final 0.
      resolve({ head: head.split('\r\n')[0] ?? '', body: rest.split('\r\n')[1] ?? '', sent });
    });
    socket.write(`POST /orders HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]);
    const pump = (): void => {
      while (sent < offered && received === '' && !socket.destroyed) {
        sent += 0x10000;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (!socket.destroyed) socket.end();
    };
    pump();
  });
}
