/**
 * The work one order costs, counted on the local system (`startLocal`, in memory, functions on the main thread) for
 * `bench/region-capacity.ts`. Run as its own process (`tsx bench/region-capacity-count.ts [orders]`, one JSON line on
 * stdout): the handlers read their configuration once per process, so a second system in `npm run bench`'s process
 * would reach the first one's endpoints.
 *
 * Every figure comes from what a local stand-in already records, read only: the execution history (state
 * transitions), the archive (PutEvents entries, their bytes, and the rules each one matches), the X-Ray daemon's
 * Lambda segments (invocations by function), dynalite's request counts by operation and table, the sinks (e-mails,
 * API destination deliveries), the EMF collector, and the SDK's own HTTP requests as Node's `http.client.request.start`
 * diagnostics channel announces them (PutEvents calls, Step Functions calls).
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entrySize } from '../functions/shared/publish';
import { loadOrderSystem } from '../model';
import { deploymentPlan } from '../model/deployment';
import { subscriptionPattern } from '../model/patterns';
import { DEMO_MIX } from '../local/demo';
import { matchesPattern } from '../local/bus/pattern';
import type { BusEvent } from '../local/bus/local-event-bus';
import { LOCAL_NAMES } from '../local/placement';
import { startLocal, type LocalSystem } from '../local/start-local';
import { sagaPublishStates } from '../statemachines/order-saga';
import { addWork, emptyWork, scaleWork, type OrderWork, type WorkCounts } from './region-capacity';

/** 64 KB: EventBridge bills a PutEvents entry per started chunk of this size. */
const BILLING_CHUNK_BYTES = 64 * 1024;

/**
 * Places `orders` orders one at a time with the demo's mix (70 % complete, 10 % each sold out, declined, unknown
 * customer), each a POST and then one GET of its outcome once everything it set off has run, and counts what each one
 * cost, by the saga's outcome. One at a time, so every count between two orders belongs to the order in between.
 */
export async function countOrderWork(orders = 200, warmup = 10): Promise<WorkCounts> {
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  const dataDir = mkdtempSync(join(tmpdir(), 'eventflow-region-capacity-'));
  const system = await startLocal({ port: 0, dataDir, inMemory: true, workers: 0, retryBaseMs: 1 });
  const calls = new Map<string, number>();
  const services = new Map([
    [new URL(system.endpoints.eventBridge).host, 'EventBridge'],
    [new URL(system.endpoints.stepFunctions).host, 'StepFunctions'],
    [new URL(system.endpoints.email).host, 'SES'],
  ]);
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const service = services.get(String(request.getHeader('host') ?? ''));
    if (!service) return;
    const key = `${service} ${String(request.getHeader('x-amz-target') ?? request.method)}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
  };
  subscribe('http.client.request.start', onRequest);
  try {
    for (let i = 0; i < warmup; i++) await placeAndCount(system, i, calls);
    const measured: Array<{ outcome: string; correlationId: string; work: MutableWork }> = [];
    for (let i = 0; i < orders; i++) measured.push(await placeAndCount(system, i, calls));
    addEventWork(system.bus.archived(), measured);
    const bySaga: Record<string, { orders: number; perOrder: OrderWork }> = {};
    for (const { outcome, work } of measured) {
      const entry = bySaga[outcome] ?? { orders: 0, perOrder: emptyWork() };
      bySaga[outcome] = { orders: entry.orders + 1, perOrder: addWork(entry.perOrder, work) };
    }
    for (const entry of Object.values(bySaga)) entry.perOrder = scaleWork(entry.perOrder, 1 / entry.orders);
    return {
      orders,
      bySaga,
      maxItemBytes: await maxItemBytes(system.endpoints.dynamodb),
      lambdaLocalMeanMs: localMeans(measured.map((m) => m.work)),
      metricSeries: system.metrics.snapshot().series.length,
    };
  } finally {
    unsubscribe('http.client.request.start', onRequest);
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type MutableWork = { -readonly [K in keyof OrderWork]: OrderWork[K] } & { lambdaLocalMs: Record<string, number> };

interface Snapshot {
  readonly segments: number;
  readonly starts: number;
  readonly calls: ReadonlyMap<string, number>;
  readonly dynamo: ReadonlyMap<string, number>;
  readonly emails: number;
  readonly deliveries: number;
  readonly emfLines: number;
}

async function snapshot(system: LocalSystem, calls: ReadonlyMap<string, number>): Promise<Snapshot> {
  // The X-Ray segments travel over UDP: give the last ones of the order a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 10));
  const dynamo = new Map((await system.dynamoOperations()).map((row) => [`${row.operation}|${row.table.replace(`${LOCAL_NAMES.prefix}-`, '')}|${row.consistent ? 'consistent' : ''}`, row.requests]));
  return {
    segments: system.xray.all().length,
    starts: system.stepFunctions.starts.requests,
    calls: new Map(calls),
    dynamo,
    emails: system.emailSink.received.length,
    deliveries: system.deliverySink.received.length,
    emfLines: system.metrics.snapshot().lines,
  };
}

function delta(after: ReadonlyMap<string, number>, before: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) if (value - (before.get(key) ?? 0) > 0) out[key] = value - (before.get(key) ?? 0);
  return out;
}

async function placeAndCount(system: LocalSystem, index: number, calls: ReadonlyMap<string, number>): Promise<{ outcome: string; correlationId: string; work: MutableWork }> {
  const choice = mixChoice(index);
  const before = await snapshot(system, calls);
  const created = await fetch(`${system.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: choice.customerId, productId: choice.productId, quantity: 1 }),
  });
  if (created.status !== 201) throw new Error(`POST /orders answered ${created.status}: ${await created.text()}`);
  const { orderId } = (await created.json()) as { orderId: string };
  await system.idle();
  const view = (await (await fetch(`${system.apiUrl}/orders/${orderId}`)).json()) as { status: string; reason: string | null; correlationId: string };
  await system.idle();
  const after = await snapshot(system, calls);

  const functionsByName = new Map(deploymentPlan(loadOrderSystem()).functions.map((action) => [LOCAL_NAMES.functionName(action.id), action.id]));
  const segments = system.xray.all().slice(before.segments, after.segments);
  const lambdaInvocations: Record<string, number> = {};
  const lambdaLocalMs: Record<string, number> = {};
  for (const segment of segments) {
    const actionId = segment.origin === 'AWS::Lambda::Function' ? functionsByName.get(segment.name) : undefined;
    if (!actionId) continue;
    lambdaInvocations[actionId] = (lambdaInvocations[actionId] ?? 0) + 1;
    lambdaLocalMs[actionId] = (lambdaLocalMs[actionId] ?? 0) + (segment.end_time - segment.start_time) * 1000;
  }
  const history = system.stepFunctions.execution(orderId)?.result?.history ?? [];
  const publishStates = new Set(sagaPublishStates());
  const entered = history.filter((event) => event.type === 'StateEntered' || event.type === 'StateRetried');
  const stateName = (event: (typeof history)[number]) => (event as unknown as { state?: { name?: string } }).state?.name ?? '';
  const callsDelta = delta(after.calls, before.calls);
  const sagaPublishCalls = entered.filter((event) => publishStates.has(stateName(event))).length;
  const work: MutableWork = {
    ...emptyWork(),
    apiRequests: 2,
    stateTransitions: entered.length,
    // The state machine logs every history event with its data (level ALL, infra/order-saga.ts).
    executionLogBytes: history.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0),
    sagaPublishCalls,
    startExecutionRequests: after.starts - before.starts,
    putEventsCalls: (callsDelta['EventBridge AWSEvents.PutEvents'] ?? 0) + sagaPublishCalls,
    stepFunctionsApiCalls: Object.fromEntries(
      Object.entries(callsDelta)
        .filter(([key]) => key.startsWith('StepFunctions '))
        .map(([key, n]) => [key.replace('StepFunctions AWSStepFunctions.', ''), n]),
    ),
    lambdaInvocations,
    lambdaLocalMs,
    dynamoRequests: delta(after.dynamo, before.dynamo),
    emails: after.emails - before.emails,
    apiDestinationInvocations: after.deliveries - before.deliveries,
    traces: new Set(segments.map((segment) => segment.trace_id)).size,
    emfLines: after.emfLines - before.emfLines,
  };
  return { outcome: view.reason ? `${view.status} ${view.reason}` : view.status, correlationId: view.correlationId, work };
}

/** The demo's mix, spread evenly and the same on every run (as the demo spreads it). */
function mixChoice(index: number): (typeof DEMO_MIX)[number] {
  const slot = (index * 37) % 100;
  let total = 0;
  for (const choice of DEMO_MIX) {
    total += choice.weight;
    if (slot < total) return choice;
  }
  return DEMO_MIX[0] as (typeof DEMO_MIX)[number];
}

/**
 * Each order's events, from the archive: entries accepted, their 64 KB chunks and bytes, and the rules each matches:
 * the model's subscriptions (by target kind), the deployed bus's central log (every event) and, where a stage routes
 * payment facts to a payments account, that route (infra/order-system.ts builds its pattern the same way).
 */
function addEventWork(archived: readonly BusEvent[], measured: ReadonlyArray<{ correlationId: string; work: MutableWork }>): void {
  const app = loadOrderSystem();
  const subscriptions = deploymentPlan(app).subscriptions;
  const paymentFacts = app.catalog.eventNames().flatMap((event) => {
    const versions = app.catalog.versionsOf(event);
    return versions[0]?.service === 'payment' ? versions : [];
  });
  const paymentsRoute = subscriptionPattern(paymentFacts);
  const byCorrelation = new Map(measured.map((m) => [m.correlationId, m.work]));
  for (const event of archived) {
    const work = byCorrelation.get(String((event.detail.metadata as { correlationId?: unknown } | undefined)?.correlationId ?? ''));
    if (!work) continue;
    const size = entrySize({ Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) });
    work.putEventsEntries += 1;
    work.billedEventChunks += Math.ceil(size / BILLING_CHUNK_BYTES);
    work.eventBytes += Buffer.byteLength(JSON.stringify(event));
    work.lambdaRuleMatches += subscriptions.filter((s) => s.target === 'lambda' && matchesPattern(s.pattern, event)).length;
    work.apiDestinationRuleMatches += subscriptions.filter((s) => s.target === 'api-destination' && matchesPattern(s.pattern, event)).length;
    work.centralLogDeliveries += 1;
    work.paymentsRouteMatches += matchesPattern(paymentsRoute, event) ? 1 : 0;
  }
}

function localMeans(works: readonly MutableWork[]): Record<string, number> {
  const total: Record<string, { ms: number; n: number }> = {};
  for (const work of works) {
    for (const [actionId, ms] of Object.entries(work.lambdaLocalMs)) {
      const entry = total[actionId] ?? { ms: 0, n: 0 };
      total[actionId] = { ms: entry.ms + ms, n: entry.n + (work.lambdaInvocations[actionId] ?? 0) };
    }
  }
  return Object.fromEntries(Object.entries(total).map(([actionId, { ms, n }]) => [actionId, Number((ms / n).toFixed(1))]));
}

/** The largest item of each table after the run, sized as DynamoDB sizes items, to check the capacity-unit assumption. */
async function maxItemBytes(endpoint: string): Promise<Record<string, number>> {
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const out: Record<string, number> = {};
  try {
    for (const table of deploymentPlan(loadOrderSystem()).tables) {
      let largest = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: LOCAL_NAMES.tableName(table), ...(start ? { ExclusiveStartKey: start } : {}) }));
        for (const item of page.Items ?? []) largest = Math.max(largest, itemBytes(item));
        start = page.LastEvaluatedKey;
      } while (start);
      out[table.logicalName] = largest;
    }
  } finally {
    client.destroy();
  }
  return out;
}

/**
 * An item's size as DynamoDB counts it: attribute names plus values (strings and binaries by length, numbers about
 * one byte per two digits plus one, maps and lists 3 bytes plus one per element plus their contents).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function itemBytes(item: Readonly<Record<string, AttributeValue>>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + valueBytes(v), 0);
  return 0;
}

if (require.main === module) {
  countOrderWork(Number(process.argv[2] ?? 200)).then(
    (counts) => process.stdout.write(`${JSON.stringify(counts)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
