import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentPlan, loadOrderSystem } from '../../model';
import { CONTACTS_TABLE, INVENTORY_TABLE, physicalTableName } from '../../model/tables';
import { DEMO_PRODUCTS } from '../../functions/inventory/seed';
import type { OrderView } from '../../functions/orders/order';
import type { Product } from '../../functions/inventory/stock';
import { sagaTaskActions } from '../../statemachines/order-saga';
import { DEMO_MIX } from '../demo';
import type { ReceivedDelivery } from '../delivery-sink';
import type { ReceivedEmail } from '../email-sink';
import { FaultInjector, type FaultOptions } from '../faults';
import { LOCAL_FUNCTION_TIMEOUT_MS } from '../lambda-context';
import type { ProviderRecord } from '../payment-sink';
import { redrive, sqsSource } from '../redrive';
import { LOCAL_TABLE_PREFIX, STATE_MACHINE_ARN, sinkFiles, type LocalEndpoints } from '../start-local';
import { checkInvariants, regionArchivesAgree, type ArchivedEvent, type ExpectedOutcome, type InvariantResult, type Observation } from './invariants';
import { SystemProcess } from './system-handle';
import type { RegionsAnswer } from './system-process';
import { LocalRuntimeError } from '../errors';
import { LOCAL_CLIENT_CONFIG } from '../placement';

/** What the chaos run does. Every fault of issue 10 is on by default; a test turns the size down. */
export interface ChaosOptions {
  /** Orders placed. @default 10000 */
  readonly orders?: number;
  /** Orders in flight at once. @default 16 */
  readonly concurrency?: number;
  /**
   * Orders placed per second at most. The load is paced below what the system sustains under these faults (about
   * 14 orders/s on 2 cores): a load that outruns it tests overload instead, where every invocation waits past its
   * timeout and Powertools can set no in-progress expiry. @default 12
   */
  readonly ordersPerSecond?: number;
  readonly seed?: number;
  /** Where the system keeps its data. @default - a fresh temporary folder, removed afterwards */
  readonly dataDir?: string;
  /** Kill the system (SIGKILL) once, halfway, and start it again on the same data. @default true */
  readonly crash?: boolean;
  /** The delivery provider answers 503 for this long (ms), from a fifth of the orders on. @default 1500 */
  readonly outageMs?: number;
  readonly faults?: FaultOptions;
  /** Where progress goes. @default - nowhere */
  readonly log?: (line: string) => void;
  /**
   * 2 runs the secondary region behind the global endpoint, with replication on, and fails the endpoint over to it
   * a third of the way through the orders and back two thirds of the way. A two-region run does not crash: the
   * local endpoint keeps replicas in flight in memory, where AWS's replication keeps them durably. @default 1
   */
  readonly regions?: 1 | 2;
}

/** What the two regions did in a two-region run, and how fast the secondary took over. */
export interface RegionsReport {
  /** Events archived per region, and what the endpoint routed and replicated to each. */
  readonly archived: Readonly<Record<string, number>>;
  readonly routed: Readonly<Record<string, number>>;
  readonly replicated: Readonly<Record<string, number>>;
  readonly flips: number;
  /** StartExecution requests to the home region's saga per order, and how many started one (the guard's cost). */
  readonly sagaStartRequestsPerOrder: number;
  readonly executionsStarted: number;
  /** From the primary marked unhealthy to the first order placed after it ending (ms). */
  readonly failoverToFirstOutcomeMs: number | undefined;
}

/** The figures of a run: what was injected, what the operator redrove, and each invariant with its count. */
export interface ChaosReport {
  readonly orders: number;
  readonly seconds: number;
  readonly ordersPerSecond: number;
  readonly restarts: number;
  readonly requestRetries: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly deadLetters: Observation['deadLetters'];
  readonly executionsRedriven: number;
  readonly permanentlyFaultedOrders: number;
  readonly invariants: readonly InvariantResult[];
  readonly ok: boolean;
  /** With `regions: 2`. */
  readonly regions?: RegionsReport;
}

/** The fault mix of issue 10: 1–3 copies of every delivery, out of order; 10 % transient, 2 % permanent; 20 % entries rejected. */
export const CHAOS_FAULTS: Required<FaultOptions> = {
  seed: 7,
  maxCopies: 3,
  reorderWindowMs: 20,
  transientFailureRate: 0.1,
  permanentFailureRate: 0.02,
  putEventsEntryFailureRate: 0.2,
  putEventsThrottleRate: 0.05,
};

/**
 * Runs the order system under every fault of issue 10, then acts as the operator (mends the faults, redrives
 * every dead letter to its target and every failed execution from its failed state), then checks the invariants
 * on what a user can observe. Resolves with the report; `ok` is false when any invariant has a violation.
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const count = options.orders ?? 10_000;
  const faults: FaultOptions = { ...CHAOS_FAULTS, ...options.faults, ...(options.seed !== undefined ? { seed: options.seed } : {}) };
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'eventflow-chaos-'));
  const started = Date.now();
  const regions = options.regions ?? 1;
  if (regions === 2 && options.crash === true) throw new LocalRuntimeError('a two-region chaos run cannot crash: the local global endpoint keeps replicas in flight in memory');
  const crash = regions === 1 && options.crash !== false;
  const system = new SystemProcess({ dataDir, port: 0, faults, functionTimeoutMs: LOCAL_FUNCTION_TIMEOUT_MS, regions });
  let failover: { readonly at: number; readonly firstIndex: number } | undefined;
  try {
    await system.start();
    const plan = Array.from({ length: count }, (_, index) => planOrder(index));
    const load = new Load(() => system.endpoints.api, log);
    const crashes: Array<{ killedAt: number; restartedAt: number }> = [];
    await load.place(plan, options.concurrency ?? 16, options.ordersPerSecond ?? 12, async (placed) => {
      if (placed === Math.floor(count / 5) && (options.outageMs ?? 1500) > 0) {
        log(`delivery provider down for ${options.outageMs ?? 1500} ms`);
        await system.command({ type: 'outage', failing: true });
        setTimeout(() => void system.command({ type: 'outage', failing: false }).catch(() => undefined), options.outageMs ?? 1500).unref();
      }
      if (regions === 2 && placed === Math.floor(count / 3)) {
        log('primary region unhealthy: the global endpoint fails over to the secondary');
        await system.command({ type: 'health', healthy: false });
        failover = { at: Date.now(), firstIndex: load.placed.length };
      }
      if (regions === 2 && placed === Math.floor((2 * count) / 3)) {
        log('primary region healthy again: the global endpoint fails back');
        await system.command({ type: 'health', healthy: true });
      }
      if (placed === Math.floor(count / 2) && crash) {
        log('killing the system (SIGKILL) and starting it again on the same data');
        const killedAt = Date.now();
        await system.kill();
        await system.start();
        crashes.push({ killedAt, restartedAt: Date.now() });
      }
    });
    await system.command({ type: 'outage', failing: false });
    log('all orders placed; waiting for the system to settle');
    await system.command({ type: 'idle' });

    const operator = await actAsOperator(
      system.endpoints,
      () => system.command({ type: 'idle' }),
      () => system.command({ type: 'lift' }),
      log,
    );
    const observation = await observe(system.endpoints, dataDir, load.placed, operator.deadLetters, new FaultInjector(faults), crashes);
    const invariants = checkInvariants(observation, { types: notifyingFacts() });
    let regionsReport: RegionsReport | undefined;
    if (regions === 2) {
      const answer = ((await system.command({ type: 'regions' })) as { answer: RegionsAnswer }).answer;
      const secondary = answer.regions[1]?.region ?? '';
      invariants.push(regionArchivesAgree(observation.archive, readLines<ArchivedEvent>(join(dataDir, 'regions', secondary, 'archive.jsonl')), publishedThroughEndpoint()));
      const first = failover ? observation.orders.find((order) => order.orderId === load.placed[failover?.firstIndex ?? 0]?.orderId) : undefined;
      const ended = first?.view?.history.at(-1)?.at;
      regionsReport = {
        archived: Object.fromEntries(answer.regions.map((region) => [region.region, region.archived])),
        routed: answer.endpoint?.routed ?? {},
        replicated: answer.endpoint?.replicated ?? {},
        flips: answer.endpoint?.flips ?? 0,
        sagaStartRequestsPerOrder: answer.sagaStarts.requests / count,
        executionsStarted: answer.sagaStarts.started,
        failoverToFirstOutcomeMs: failover && ended ? Date.parse(ended) - failover.at : undefined,
      };
    }
    const seconds = (Date.now() - started) / 1000;
    const outcomes: Record<string, number> = {};
    for (const order of observation.orders) {
      const key = order.view ? (order.view.status === 'CANCELLED' ? `CANCELLED ${order.view.reason ?? ''}` : order.view.status) : 'LOST';
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    return {
      orders: count,
      seconds,
      ordersPerSecond: count / seconds,
      restarts: crashes.length,
      requestRetries: load.retries,
      outcomes,
      deadLetters: operator.deadLetters,
      executionsRedriven: operator.executionsRedriven,
      permanentlyFaultedOrders: observation.orders.filter((order) => observation.permanentlyFaulted(order.orderId)).length,
      invariants,
      ok: invariants.every((invariant) => invariant.violations === 0),
      ...(regionsReport ? { regions: regionsReport } : {}),
    };
  } finally {
    await system.stop();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface PlannedOrder {
  readonly customerId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly expected: ExpectedOutcome;
  readonly idempotencyKey: string;
}

/** The demo's mix without the last-unit race (whose winner is a matter of timing, not of faults). */
function planOrder(index: number): PlannedOrder {
  const mix = DEMO_MIX.filter((choice) => choice.productId !== 'product-last-one');
  const total = mix.reduce((sum, choice) => sum + choice.weight, 0);
  let point = (index * 37) % total;
  const choice =
    mix.find((candidate) => {
      point -= candidate.weight;
      return point < 0;
    }) ?? mix[0]!;
  return { customerId: choice.customerId, productId: choice.productId, quantity: 1 + (index % 3), expected: choice.expect as ExpectedOutcome, idempotencyKey: `chaos-${index}` };
}

/** Places orders over HTTP as a careful client does: every request carries an Idempotency-Key and is retried until answered. */
class Load {
  readonly placed: Array<PlannedOrder & { orderId: string }> = [];
  retries = 0;

  constructor(
    private readonly apiUrl: () => string,
    private readonly log: (line: string) => void,
  ) {}

  async place(plan: readonly PlannedOrder[], concurrency: number, ordersPerSecond: number, afterEach: (placed: number) => Promise<void>): Promise<void> {
    let next = 0;
    let placed = 0;
    const started = Date.now();
    let pause: Promise<void> = Promise.resolve();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < plan.length) {
          const index = next++;
          const order = plan[index] as PlannedOrder;
          await pause;
          const due = started + (index / ordersPerSecond) * 1000;
          if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
          const orderId = await this.placeOne(order);
          this.placed.push({ ...order, orderId });
          placed++;
          if (placed % Math.max(1, Math.floor(plan.length / 10)) === 0) this.log(`placed ${placed}/${plan.length}`);
          // Faults that stop the world (a crash) run while no new request starts.
          const step = afterEach(placed);
          pause = pause.then(() => step);
          await step;
        }
      }),
    );
  }

  private async placeOne(order: PlannedOrder): Promise<string> {
    const body = JSON.stringify({ customerId: order.customerId, productId: order.productId, quantity: order.quantity });
    let lastFailure: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${this.apiUrl()}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': order.idempotencyKey },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const answer = (await response.json()) as { orderId?: string; errors?: unknown };
        if (response.status === 201 && answer.orderId) return answer.orderId;
        if (response.status < 500) throw new LocalRuntimeError(`POST /orders answered ${response.status}: ${JSON.stringify(answer)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('POST /orders answered')) throw error;
        lastFailure = error;
      }
      // Down (a crash) or 503 (stored, not announced): the same key finds the same order again.
      this.retries++;
      if (attempt > 200) throw new LocalRuntimeError(`POST /orders for ${order.idempotencyKey} got no answer after ${attempt} attempts`, { cause: lastFailure });
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** Math.min(attempt, 6))));
    }
  }
}

/**
 * The operator's path once the incident is over: mend the dependencies, then until nothing is left, redrive
 * every dead letter to the one target that failed it, and every failed saga that did not state its outcome from
 * the state it failed in.
 */
async function actAsOperator(
  endpoints: LocalEndpoints,
  idle: () => Promise<unknown>,
  lift: () => Promise<unknown>,
  log: (line: string) => void,
): Promise<{ deadLetters: Observation['deadLetters']; executionsRedriven: number }> {
  const local = LOCAL_CLIENT_CONFIG;
  const sqs = new SQSClient({ ...local, endpoint: endpoints.sqs });
  const lambda = new LambdaClient({ ...local, endpoint: endpoints.lambda });
  const eventBridge = new EventBridgeClient({ ...local, endpoint: endpoints.eventBridge });
  const sfn = new SFNClient({ ...local, endpoint: endpoints.stepFunctions });
  try {
    await lift();
    // By message id: a message kept in one round (its event was redriven already) is redriven in a later one.
    const found = new Set<string>();
    const redriven = new Set<string>();
    let executionsRedriven = 0;
    for (let round = 1; round <= 5; round++) {
      let acted = 0;
      for (const queueUrl of (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
        const outcomes = await redrive(sqsSource(queueUrl, sqs, { waitSeconds: 0 }), { eventBridge, lambda });
        for (const outcome of outcomes) found.add(outcome.id);
        for (const outcome of outcomes.filter((candidate) => candidate.result === 'redriven')) redriven.add(outcome.id);
        acted += outcomes.length;
      }
      for (const execution of await failedExecutions(sfn)) {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
        if (described.error === 'StepFailed') continue; // cancelled after a step failure: the order has its outcome
        await sfn.send(new RedriveExecutionCommand({ executionArn: execution.executionArn }));
        executionsRedriven++;
        acted++;
      }
      log(`operator round ${round}: ${acted} dead letters and failed executions redriven`);
      await idle();
      if (acted === 0) break;
    }
    let remaining = 0;
    for (const queueUrl of (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []) {
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      remaining += Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return { deadLetters: { found: found.size, redriven: redriven.size, remaining }, executionsRedriven };
  } finally {
    for (const client of [sqs, lambda, eventBridge, sfn]) client.destroy();
  }
}

async function failedExecutions(sfn: SFNClient): Promise<ExecutionListItem[]> {
  const executions: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'FAILED', maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    executions.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return executions;
}

/** Gathers what a user can observe: the order views, the archive, the sinks' records, the tables, the queues. */
async function observe(
  endpoints: LocalEndpoints,
  dataDir: string,
  placed: ReadonlyArray<PlannedOrder & { orderId: string }>,
  deadLetters: Observation['deadLetters'],
  plan: FaultInjector,
  crashes: Observation['crashes'],
): Promise<Observation> {
  const views = new Map<string, OrderView | undefined>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < placed.length) {
        const { orderId } = placed[next++]!;
        const response = await fetch(`${endpoints.api}/orders/${orderId}`);
        views.set(orderId, response.status === 200 ? ((await response.json()) as OrderView) : undefined);
      }
    }),
  );
  const archive = readLines<ArchivedEvent>(join(dataDir, 'archive.jsonl'));
  const files = sinkFiles(dataDir);
  const providerRecords = readLines<ProviderRecord>(files.payments);
  const dynamo = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: endpoints.dynamodb });
  try {
    const products = (await scan(dynamo, physicalTableName(LOCAL_TABLE_PREFIX, INVENTORY_TABLE))) as unknown as Product[];
    const contacts = new Set((await scan(dynamo, physicalTableName(LOCAL_TABLE_PREFIX, CONTACTS_TABLE))).map((contact) => String(contact.customerId)));
    const orderCreatedKey = new Map(archive.filter((event) => event['detail-type'] === 'OrderCreated').map((event) => [event.detail.data?.orderId, event.detail.metadata?.idempotencyKey]));
    const forwardSteps = Object.entries(sagaTaskActions()).filter(([, actionId]) => {
      const trigger = loadOrderSystem().actions.find((action) => action.id === actionId)?.trigger;
      return trigger?.kind === 'saga-step' && !trigger.compensation;
    });
    return {
      orders: placed.map((order) => ({ orderId: order.orderId, expected: order.expected, productId: order.productId, quantity: order.quantity, view: views.get(order.orderId) })),
      archive,
      emails: readLines<ReceivedEmail>(files.emails),
      deliveries: readLines<ReceivedDelivery>(files.deliveries),
      charges: providerRecords.filter((record) => record.kind === 'charge'),
      refunds: providerRecords.filter((record) => record.kind === 'refund'),
      stock: DEMO_PRODUCTS.map((seeded) => {
        const now = products.find((product) => product.productId === seeded.productId);
        return {
          productId: seeded.productId,
          initial: seeded.available,
          available: Number(now?.available ?? 0),
          reserved: Number(now?.reserved ?? 0),
          shipped: Number(now?.shipped ?? 0),
        };
      }),
      contacts,
      deadLetters,
      crashes,
      permanentlyFaulted: (orderId) => {
        const key = orderCreatedKey.get(orderId);
        return key !== undefined && forwardSteps.some(([state, actionId]) => plan.failsForGood(actionId, `${key}:${state}`));
      },
    };
  } finally {
    dynamo.destroy();
  }
}

/** The facts SendEmail reads, in the versions it reads (from the model). */
function notifyingFacts(): Array<{ detailType: string; version: number }> {
  const sendEmail = loadOrderSystem().actions.find((action) => action.id === 'notifications.SendEmail');
  if (sendEmail?.trigger.kind !== 'subscription') return [];
  return sendEmail.trigger.consumes.map((selector) => (typeof selector === 'string' ? { detailType: selector, version: 1 } : { detailType: selector.event, version: selector.version ?? 1 }));
}

/** The detail types the model's publishing functions emit: what goes through the global endpoint. */
function publishedThroughEndpoint(): Set<string> {
  return new Set(
    deploymentPlan(loadOrderSystem())
      .functions.filter((action) => action.needs.publishes)
      .flatMap((action) => action.emits),
  );
}

async function scan(client: DynamoDBClient, table: string): Promise<Array<Record<string, unknown>>> {
  const documents = DynamoDBDocumentClient.from(client);
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}
