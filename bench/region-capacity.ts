/**
 * "One AWS region on paper": what an order costs and how many orders per second one account sustains in eu-west-1,
 * from the work an order was counted to cost on the local system (`bench/region-capacity-count.ts`) and AWS's
 * published prices and default quotas (`bench/aws-prices.ts`). `benchRegionCapacity()` counts, computes, and writes
 * `docs/region-capacity.svg`, the README's section between `<!-- region-capacity:start -->` and
 * `<!-- region-capacity:end -->`, and the key `regionCapacity` of bench/results.json (other keys kept):
 * `measuredAt`, `orders` (counted), `perOrder` (the mix's work per order) and `bySaga` (`orders`, `perOrder` per saga
 * outcome), `maxItemBytes` per table, `costPerMillionOrdersUsd {standard, express}` (`total` and `byService`),
 * `fixedMonthlyUsd`, `capacity {standard, express}` (`ordersPerSecond`, `binding`, and `quotas [{id, perOrder, limit,
 * scope, ordersPerSecond}]`), `bySagaCapacity` (the same bound per saga outcome), `assumptions`.
 *
 * Runnable alone: `npx tsx bench/region-capacity.ts [orders]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_DEFAULTS } from '../infra/service-function';
import { AWS_PRICES, AWS_QUOTAS, type QuotaScope } from './aws-prices';
import { README_END, README_START, renderSection, renderSvg, replaceSection } from './region-capacity-render';

/** What one order cost, each a count per order (an average once several orders are added up). */
export interface OrderWork {
  /** API Gateway requests: the POST and one GET of the outcome. */
  readonly apiRequests: number;
  /** States entered plus retries: what Step Functions bills for a Standard workflow. */
  readonly stateTransitions: number;
  /** `events:putEvents` states entered (each one PutEvents request). */
  readonly sagaPublishCalls: number;
  readonly startExecutionRequests: number;
  /** PutEvents requests: the functions' and the saga's. */
  readonly putEventsCalls: number;
  /** Entries EventBridge accepted. */
  readonly putEventsEntries: number;
  /** Billed events: each started 64 KB of an entry. */
  readonly billedEventChunks: number;
  /** Bytes archived (each event as delivered to targets). */
  readonly eventBytes: number;
  /** Bytes the execution writes to its log group (the state machine logs every event, with its data). */
  readonly executionLogBytes: number;
  readonly lambdaRuleMatches: number;
  readonly apiDestinationRuleMatches: number;
  /** Events the deployed bus's catch-all rule hands to the central log group (every event). */
  readonly centralLogDeliveries: number;
  /** Events the route to the payments account matches (a stage with `paymentsAccount`, such as prod). */
  readonly paymentsRouteMatches: number;
  readonly apiDestinationInvocations: number;
  /** Lambda invocations by action id (`orders.CreateOrder`). */
  readonly lambdaInvocations: Readonly<Record<string, number>>;
  /** DynamoDB requests by `operation|table|consistent` (see `DynamoOperationCount`). */
  readonly dynamoRequests: Readonly<Record<string, number>>;
  /** Step Functions API calls the functions made, by operation. */
  readonly stepFunctionsApiCalls: Readonly<Record<string, number>>;
  readonly emails: number;
  /** X-Ray traces the order's requests started. */
  readonly traces: number;
  /** EMF lines the functions wrote (each a log event in CloudWatch Logs). */
  readonly emfLines: number;
}

/** What `bench/region-capacity-count.ts` prints. */
export interface WorkCounts {
  readonly orders: number;
  /** By the order's outcome: `COMPLETED`, `CANCELLED PAYMENT_DECLINED`, … */
  readonly bySaga: Readonly<Record<string, { readonly orders: number; readonly perOrder: OrderWork }>>;
  /** The largest item of each table after the run (DynamoDB's item size). */
  readonly maxItemBytes: Readonly<Record<string, number>>;
  /** Each function's mean duration on this machine (not billed: see `ASSUMPTIONS.lambdaBilledMs`). */
  readonly lambdaLocalMeanMs: Readonly<Record<string, number>>;
  /** CloudWatch metric series the functions' EMF made (custom metrics, billed per month). */
  readonly metricSeries: number;
}

type RecordKey = 'lambdaInvocations' | 'dynamoRequests' | 'stepFunctionsApiCalls';
const RECORD_KEYS: readonly RecordKey[] = ['lambdaInvocations', 'dynamoRequests', 'stepFunctionsApiCalls'];

export function emptyWork(): OrderWork {
  return {
    apiRequests: 0,
    stateTransitions: 0,
    sagaPublishCalls: 0,
    startExecutionRequests: 0,
    putEventsCalls: 0,
    putEventsEntries: 0,
    billedEventChunks: 0,
    eventBytes: 0,
    executionLogBytes: 0,
    lambdaRuleMatches: 0,
    apiDestinationRuleMatches: 0,
    centralLogDeliveries: 0,
    paymentsRouteMatches: 0,
    apiDestinationInvocations: 0,
    lambdaInvocations: {},
    dynamoRequests: {},
    stepFunctionsApiCalls: {},
    emails: 0,
    traces: 0,
    emfLines: 0,
  };
}

/** `a + b × weight`, field by field. */
export function addWork(a: OrderWork, b: OrderWork, weight = 1): OrderWork {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(a)) {
    const other = (b as unknown as Record<string, unknown>)[key];
    if (RECORD_KEYS.includes(key as RecordKey)) {
      const sum: Record<string, number> = { ...(value as Record<string, number>) };
      for (const [name, n] of Object.entries(other as Record<string, number>)) sum[name] = (sum[name] ?? 0) + n * weight;
      out[key] = sum;
    } else out[key] = (value as number) + (other as number) * weight;
  }
  return out as unknown as OrderWork;
}

export function scaleWork(work: OrderWork, factor: number): OrderWork {
  return addWork(emptyWork(), work, factor);
}

/** The work of the whole mix, each saga outcome weighted by how many orders ended so. */
export function mixWork(counts: WorkCounts): OrderWork {
  const total = Object.values(counts.bySaga).reduce((sum, saga) => sum + saga.orders, 0);
  return Object.values(counts.bySaga).reduce((mix, saga) => addWork(mix, saga.perOrder, saga.orders / total), emptyWork());
}

/**
 * What is assumed where nothing was counted; the README lists each one. Lambda bills what a function runs on AWS,
 * which the local figures (one process on 2 shared cores) do not tell: each function is billed at a stated duration.
 */
export const ASSUMPTIONS = {
  lambdaMemoryGb: FUNCTION_DEFAULTS.memorySize / 1024,
  /** Warm, arm64, 512 MB: a few DynamoDB calls and a PutEvents take tens of milliseconds; a card processor's call more. */
  lambdaBilledMs: { default: 60, 'payment.MakePayment': 250, 'payment.RefundPayment': 250, 'notifications.SendEmail': 120 } as Readonly<Record<string, number>>,
  /** Step Functions' own time to invoke a Lambda task and take its result, per task (Express bills the whole execution). */
  expressTaskOverheadMs: 25,
  /** An `events:putEvents` state's round trip. */
  expressPutEventsMs: 30,
  /** Express bills memory in 64 MB chunks; the saga's definition and payloads are far below 64 MB. */
  expressMemoryGb: 64 / 1024,
  /** Lambda's START, END and REPORT lines per invocation, in the JSON log format the functions use. */
  logBytesPerInvocation: 700,
  /** One EMF line (a log event CloudWatch turns into metrics). */
  logBytesPerEmfLine: 600,
  /** One access-log line per API request (the stage's JSON format). */
  logBytesPerApiRequest: 400,
  /** X-Ray's default sampling rule records 1 request a second and 5 % of the rest; at these rates about 5 %. */
  xraySampledShare: 0.05,
  /** prod keeps its archive 365 days (Pulumi.prod.yaml): an event is stored that many months. */
  archiveRetentionMonths: 12,
  daysPerMonth: 30,
  /** prod's delivery provider rate limit (Pulumi.prod.yaml `deliveryProvider.rateLimitPerSecond`). */
  stageDeliveryRateLimit: 50,
  /** One web ACL with one rule (the body-size rule, infra/order-api.ts). */
  wafRules: 1,
} as const;

export type Workflow = 'standard' | 'express';

/**
 * Request units one order consumes, in all and per table. A write costs one unit per started KB of the item and a
 * read one per started 4 KB (half of it eventually consistent); transactions cost double. `itemBytes` gives each
 * table's item size (the largest seen: an upper bound); a table not in it is taken as under 1 KB.
 */
export function requestUnits(
  work: OrderWork,
  itemBytes: Readonly<Record<string, number>> = {},
): { readonly rru: number; readonly wru: number; readonly byTable: Readonly<Record<string, { rru: number; wru: number }>>; readonly unpriced: readonly string[] } {
  const byTable: Record<string, { rru: number; wru: number }> = {};
  const unpriced: string[] = [];
  for (const [key, n] of Object.entries(work.dynamoRequests)) {
    const [operation = '', table = '', consistent = ''] = key.split('|');
    const units = unitsOf(operation, consistent === 'consistent', itemBytes[table] ?? 0);
    if (!units) {
      unpriced.push(operation);
      continue;
    }
    const entry = byTable[table] ?? { rru: 0, wru: 0 };
    byTable[table] = { rru: entry.rru + units.rru * n, wru: entry.wru + units.wru * n };
  }
  const sum = (pick: 'rru' | 'wru') => Object.values(byTable).reduce((total, units) => total + units[pick], 0);
  return { rru: sum('rru'), wru: sum('wru'), byTable, unpriced };
}

function unitsOf(operation: string, consistent: boolean, bytes: number): { rru: number; wru: number } | undefined {
  const read = Math.max(1, Math.ceil(bytes / 4096));
  const write = Math.max(1, Math.ceil(bytes / 1024));
  if (operation === 'GetItem' || operation === 'Query' || operation === 'Scan') return { rru: consistent ? read : read / 2, wru: 0 };
  if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') return { rru: 0, wru: write };
  if (operation.startsWith('TransactWriteItems.')) return { rru: 0, wru: 2 * write };
  if (operation.startsWith('TransactGetItems.')) return { rru: 2 * read, wru: 0 };
  return undefined;
}

const billedMs = (actionId: string) => ASSUMPTIONS.lambdaBilledMs[actionId] ?? ASSUMPTIONS.lambdaBilledMs.default ?? 60;

/** Seconds of Lambda execution one order takes (concurrency = this × orders per second). */
export function lambdaSecondsPerOrder(work: OrderWork): number {
  return Object.entries(work.lambdaInvocations).reduce((sum, [actionId, n]) => sum + (n * billedMs(actionId)) / 1000, 0);
}

/** An Express execution's billed seconds: its tasks and putEvents states, rounded up to the next 100 ms. */
export function expressBilledSeconds(work: OrderWork, sagaTaskIds: readonly string[]): number {
  const taskMs = sagaTaskIds.reduce((sum, id) => sum + (work.lambdaInvocations[id] ?? 0) * (billedMs(id) + ASSUMPTIONS.expressTaskOverheadMs), 0);
  return Math.ceil((taskMs + work.sagaPublishCalls * ASSUMPTIONS.expressPutEventsMs) / 100) / 10;
}

export type PriceTable = { readonly [K in keyof typeof AWS_PRICES]: { readonly value: number } };

/** What pricing needs besides the counts: which functions are saga tasks (Express bills their time), and item sizes. */
export interface PricingContext {
  readonly sagaTaskIds: readonly string[];
  /** Each table's item size in bytes (see {@link requestUnits}). */
  readonly itemBytes: Readonly<Record<string, number>>;
}

/** What one order costs, by service (USD), for a Standard or an Express saga. */
export function costPerOrder(
  work: OrderWork,
  workflow: Workflow,
  context: PricingContext,
  prices: PriceTable = AWS_PRICES,
): { readonly total: number; readonly byService: Readonly<Record<string, number>> } {
  const perMillion = (n: number, price: { value: number }) => (n * price.value) / 1e6;
  const gb = (bytes: number) => bytes / 1024 ** 3;
  const units = requestUnits(work, context.itemBytes);
  const invocations = Object.values(work.lambdaInvocations).reduce((sum, n) => sum + n, 0);
  const logBytes =
    invocations * ASSUMPTIONS.logBytesPerInvocation + work.emfLines * ASSUMPTIONS.logBytesPerEmfLine + work.apiRequests * ASSUMPTIONS.logBytesPerApiRequest + work.executionLogBytes + work.eventBytes;
  const byService: Record<string, number> = {
    'Step Functions':
      workflow === 'standard'
        ? perMillion(work.stateTransitions, prices.stepFunctionsStandardTransition)
        : perMillion(work.startExecutionRequests, prices.stepFunctionsExpressRequest) +
          expressBilledSeconds(work, context.sagaTaskIds) * ASSUMPTIONS.expressMemoryGb * prices.stepFunctionsExpressDuration.value,
    EventBridge:
      perMillion(work.billedEventChunks, prices.eventBridgeCustomEvent) +
      perMillion(work.paymentsRouteMatches, prices.eventBridgeCrossAccountEvent) +
      perMillion(work.apiDestinationInvocations, prices.eventBridgeApiDestination) +
      perMillion(work.putEventsEntries, prices.eventBridgeSchemaDiscovery) +
      gb(work.eventBytes) * (prices.eventBridgeArchiveProcessed.value + prices.eventBridgeArchiveStorage.value * ASSUMPTIONS.archiveRetentionMonths),
    Lambda: perMillion(invocations, prices.lambdaRequest) + lambdaSecondsPerOrder(work) * ASSUMPTIONS.lambdaMemoryGb * prices.lambdaArmDuration.value,
    DynamoDB: perMillion(units.wru, prices.dynamoWriteRequestUnit) + perMillion(units.rru, prices.dynamoReadRequestUnit),
    SES: (work.emails * prices.sesEmail.value) / 1000,
    'API Gateway': perMillion(work.apiRequests, prices.apiGatewayRestRequest),
    WAF: perMillion(work.apiRequests, prices.wafRequest),
    'CloudWatch Logs': gb(logBytes) * prices.cloudWatchLogsIngestion.value,
    'X-Ray': perMillion(work.traces * ASSUMPTIONS.xraySampledShare, prices.xrayTraceRecorded),
  };
  return { total: Object.values(byService).reduce((sum, usd) => sum + usd, 0), byService };
}

/** What the stage pays a month whatever its traffic: the web ACL and its rule, and the EMF metric series. */
export function fixedMonthlyUsd(metricSeries: number, prices: PriceTable = AWS_PRICES): number {
  return prices.wafWebAcl.value + ASSUMPTIONS.wafRules * prices.wafRule.value + metricSeries * prices.cloudWatchCustomMetric.value;
}

/** One quota against an order's demand on it. */
export interface QuotaUse {
  readonly id: string;
  readonly label: string;
  readonly scope: QuotaScope | 'stage setting';
  /** What one order draws on it (per second at one order per second). */
  readonly perOrder: number;
  readonly limit: number;
  /** The token bucket a burst draws on above `limit`. @default - none published */
  readonly burst?: number;
  /** How the table shows `perOrder` and `limit` when a number alone would mislead. @default - the numbers */
  readonly text?: { readonly perOrder: string; readonly limit: string };
  /** Orders per second that use the whole quota (Infinity when an order draws nothing). */
  readonly ordersPerSecond: number;
  /** What raises it. */
  readonly lift: string;
}

export type QuotaTable = { readonly [K in keyof typeof AWS_QUOTAS]: { readonly value: number } };

/** Every quota an order draws on, for a Standard or an Express saga, and the account-region one that binds first. */
export function capacity(
  work: OrderWork,
  workflow: Workflow,
  itemBytes: Readonly<Record<string, number>> = {},
  quotas: QuotaTable = AWS_QUOTAS,
): { readonly quotas: readonly QuotaUse[]; readonly binding: QuotaUse; readonly ordersPerSecond: number } {
  const units = requestUnits(work, itemBytes);
  const hot = units.byTable[HOT_PARTITION_TABLE] ?? { rru: 0, wru: 0 };
  const tables = Object.entries(units.byTable);
  const busiest = (pick: 'rru' | 'wru') => tables.reduce<[string, number]>((top, [table, u]) => (u[pick] > top[1] ? [table, u[pick]] : top), ['none', 0]);
  const [readTable, reads] = busiest('rru');
  const [writeTable, writes] = busiest('wru');
  const use = (id: string, label: string, scope: QuotaUse['scope'], perOrder: number, limit: number, lift: string, more: Pick<QuotaUse, 'burst' | 'text'> = {}): QuotaUse => ({
    id,
    label,
    scope,
    perOrder,
    limit,
    ordersPerSecond: perOrder > 0 ? limit / perOrder : Number.POSITIVE_INFINITY,
    lift,
    ...more,
  });
  const burst = (quota: { readonly value: number; readonly burst?: number }) => (quota.burst !== undefined ? { burst: quota.burst } : {});
  const list: QuotaUse[] = [
    ...(workflow === 'standard'
      ? [
          use(
            'standardStateTransitions',
            'Step Functions state transitions (Standard)',
            'account-region',
            work.stateTransitions,
            quotas.standardStateTransitions.value,
            'a quota increase (soft), or Express (no transition quota)',
            burst(quotas.standardStateTransitions),
          ),
          use(
            'standardStartExecution',
            'Step Functions StartExecution (Standard)',
            'account-region',
            work.startExecutionRequests,
            quotas.standardStartExecution.value,
            'a quota increase (soft), or Express (6,000/s)',
            burst(quotas.standardStartExecution),
          ),
        ]
      : [
          use(
            'expressStartExecution',
            'Step Functions StartExecution (Express)',
            'account-region',
            work.startExecutionRequests,
            quotas.expressStartExecution.value,
            'a quota increase (soft)',
            burst(quotas.expressStartExecution),
          ),
        ]),
    use(
      'putEvents',
      'EventBridge PutEvents requests',
      'account-region',
      work.putEventsCalls,
      quotas.putEvents.value,
      'a quota increase (soft; above 100,000/s with the service team), or batching entries per request',
    ),
    use(
      'targetInvocations',
      'EventBridge target invocations',
      'account-region',
      work.lambdaRuleMatches + work.apiDestinationRuleMatches + work.centralLogDeliveries + work.paymentsRouteMatches,
      quotas.targetInvocations.value,
      'a quota increase (soft)',
    ),
    use(
      'lambdaConcurrency',
      'Lambda concurrent executions',
      'account-region',
      lambdaSecondsPerOrder(work),
      quotas.lambdaConcurrency.value,
      'a quota increase (soft, to tens of thousands), or shorter functions',
    ),
    use('dynamoTableReads', `DynamoDB reads of one table (${readTable})`, 'account-region', reads, quotas.dynamoTableReads.value, 'a quota increase (soft); warm throughput before a launch'),
    use('dynamoTableWrites', `DynamoDB writes of one table (${writeTable})`, 'account-region', writes, quotas.dynamoTableWrites.value, 'a quota increase (soft); warm throughput before a launch'),
    use('apiGatewayRequests', 'API Gateway requests', 'account-region', work.apiRequests, quotas.apiGatewayRequests.value, 'a quota increase (soft)', burst(quotas.apiGatewayRequests)),
    use(
      'dynamoPartition',
      `DynamoDB partition of one product (${HOT_PARTITION_TABLE} item)`,
      'partition',
      hot.wru / quotas.dynamoPartitionWrites.value + hot.rru / quotas.dynamoPartitionReads.value,
      1,
      'no quota raises it: shard the hot product’s counters over several items',
      {
        text: {
          perOrder: `${Number(hot.wru.toFixed(2))} WRU + ${Number(hot.rru.toFixed(2))} RRU`,
          limit: `${quotas.dynamoPartitionWrites.value.toLocaleString('en-US')} WRU or ${quotas.dynamoPartitionReads.value.toLocaleString('en-US')} RRU`,
        },
      },
    ),
    use(
      'apiDestinationRate',
      'API destination invocations (AWS’s ceiling)',
      'destination',
      work.apiDestinationInvocations,
      quotas.apiDestinationRate.value,
      'a quota increase (soft), if the provider takes it',
    ),
    use(
      'stageDeliveryRate',
      'API destination rate limit prod sets',
      'stage setting',
      work.apiDestinationInvocations,
      ASSUMPTIONS.stageDeliveryRateLimit,
      'raise deliveryProvider.rateLimitPerSecond (at most 300)',
    ),
    use('sesSendingRate', 'SES sending rate (sandbox)', 'account-specific', work.emails, quotas.sesSendingRate.value, 'production access; then a rate AWS grants per account'),
  ];
  const regionWide = list.filter((q) => q.scope === 'account-region');
  const binding = regionWide.reduce((low, q) => (q.ordersPerSecond < low.ordersPerSecond ? q : low));
  return { quotas: list, binding, ordersPerSecond: binding.ordersPerSecond };
}

/** The table whose items every order of one product shares: its product's stock counters. */
export const HOT_PARTITION_TABLE = 'inventory';

/** Everything the section and the picture show. */
export interface RegionCapacityReport {
  readonly measuredAt: string;
  readonly counts: WorkCounts;
  readonly perOrder: OrderWork;
  readonly context: PricingContext;
  readonly cost: { readonly [W in Workflow]: { readonly total: number; readonly byService: Readonly<Record<string, number>> } };
  readonly fixedMonthlyUsd: number;
  readonly capacity: { readonly [W in Workflow]: ReturnType<typeof capacity> };
  readonly bySagaCapacity: Readonly<Record<string, { readonly [W in Workflow]: { readonly ordersPerSecond: number; readonly binding: string } }>>;
}

/** The report of counted work: pure, so the tests give it counts of their own. */
export function buildReport(counts: WorkCounts, sagaTaskIds: readonly string[], measuredAt: string): RegionCapacityReport {
  const perOrder = mixWork(counts);
  const context: PricingContext = { sagaTaskIds, itemBytes: counts.maxItemBytes };
  const both = <T>(f: (workflow: Workflow) => T): { readonly [W in Workflow]: T } => ({ standard: f('standard'), express: f('express') });
  const bySagaCapacity = Object.fromEntries(
    Object.entries(counts.bySaga).map(([saga, { perOrder: work }]) => [
      saga,
      both((workflow) => {
        const bound = capacity(work, workflow, counts.maxItemBytes);
        return { ordersPerSecond: bound.ordersPerSecond, binding: bound.binding.id };
      }),
    ]),
  );
  return {
    measuredAt,
    counts,
    perOrder,
    context,
    cost: both((workflow) => costPerOrder(perOrder, workflow, context)),
    fixedMonthlyUsd: fixedMonthlyUsd(counts.metricSeries),
    capacity: both((workflow) => capacity(perOrder, workflow, counts.maxItemBytes)),
    bySagaCapacity,
  };
}

/**
 * Counts the work of `orders` orders in a process of its own, then writes the picture, the README section and
 * `regionCapacity` in bench/results.json. Returns the report.
 */
export async function benchRegionCapacity(orders = 200, out: NodeJS.WritableStream = process.stdout): Promise<RegionCapacityReport> {
  const counts = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'region-capacity-count.ts'), String(orders)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
  ) as WorkCounts;
  const { deploymentPlan } = await import('../model/deployment');
  const { loadOrderSystem } = await import('../model');
  const report = buildReport(
    counts,
    deploymentPlan(loadOrderSystem()).sagaTasks.map((action) => action.id),
    new Date().toISOString(),
  );
  const root = join(__dirname, '..');
  writeFileSync(join(root, 'docs', 'region-capacity.svg'), renderSvg(report));
  const readme = join(root, 'README.md');
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), renderSection(report)));
  const file = join(__dirname, 'results.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(file, `${JSON.stringify({ ...kept, regionCapacity: resultsEntry(report) }, null, 2)}\n`);
  const { standard, express } = report.capacity;
  out.write(
    `one region (eu-west-1) on paper: ${(report.cost.standard.total * 1e6).toFixed(0)} USD per 1M orders with a Standard saga, ${(report.cost.express.total * 1e6).toFixed(0)} with Express; ` +
      `${Math.floor(standard.ordersPerSecond)} orders/s (binds: ${standard.binding.id}) and ${Math.floor(express.ordersPerSecond)} orders/s (binds: ${express.binding.id}); README ${README_START} … ${README_END}\n`,
  );
  return report;
}

function resultsEntry(report: RegionCapacityReport): Record<string, unknown> {
  const round = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(4)) : null);
  const cost = (w: Workflow) => ({ total: round(report.cost[w].total * 1e6), byService: Object.fromEntries(Object.entries(report.cost[w].byService).map(([k, v]) => [k, round(v * 1e6)])) });
  const bound = (w: Workflow) => ({
    ordersPerSecond: round(report.capacity[w].ordersPerSecond),
    binding: report.capacity[w].binding.id,
    quotas: report.capacity[w].quotas.map((q) => ({ id: q.id, perOrder: round(q.perOrder), limit: q.limit, scope: q.scope, ordersPerSecond: round(q.ordersPerSecond) })),
  });
  return {
    measuredAt: report.measuredAt,
    orders: report.counts.orders,
    perOrder: report.perOrder,
    bySaga: report.counts.bySaga,
    maxItemBytes: report.counts.maxItemBytes,
    lambdaLocalMeanMs: report.counts.lambdaLocalMeanMs,
    costPerMillionOrdersUsd: { standard: cost('standard'), express: cost('express') },
    fixedMonthlyUsd: round(report.fixedMonthlyUsd),
    capacity: { standard: bound('standard'), express: bound('express') },
    bySagaCapacity: report.bySagaCapacity,
    assumptions: ASSUMPTIONS,
  };
}

if (require.main === module) {
  benchRegionCapacity(Number(process.argv[2] ?? 200)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
