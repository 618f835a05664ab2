import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { EventflowError, loadOrderSystem } from '../model';
import { repoRoot } from '../model/paths';
import { SCHEMA_BASE_URL_ENV } from '../model/schema-location';
import { TABLES, physicalTableName, tableEnvVar } from '../model/tables';
import { handlerFile } from '../functions/handlers';
import { deploymentPlan } from '../model/deployment';
import { LOCAL_ENDPOINT_ID, LOCAL_NAMES, LOCAL_PLACEMENT, LOCAL_SECONDARY_REGION } from './placement';
import { LocalGlobalEndpoint } from './global-endpoint';
import { EventBridgeServer } from './bus/event-bridge-server';
import { FaultInjector, type FaultOptions } from './faults';
import { PaymentSink } from './payment-sink';
import { LocalEventBus } from './bus/local-event-bus';
import type { LocalQueue } from './bus/local-queue';
import { localQueueNames, wireRegion } from './region';

export { deadLetterFile, localQueueNames } from './region';
import { DeliverySink } from './delivery-sink';
import { EmailSink } from './email-sink';
import { HttpApiServer } from './http-api';
import { LOCAL_FUNCTION_TIMEOUT_MS, lambdaContext, localFunctionName } from './lambda-context';
import { LambdaServer } from './lambda-server';
import { LambdaService } from './lambda-service';
import { LambdaWorkers } from './lambda-workers';
import { EmfCollector, LOCAL_METRICS_PATH, divertEmf } from './emf';
import { LocalSagaRunner, type SagaPutEventsEntry } from './saga-runner';
import { SqsServer } from './sqs-server';
import { LocalTraceRecorder, LocalXRayDaemon } from './xray';
import { currentTraceHeader, withTraceHeader } from '../functions/shared/trace-context';
import { LocalSchemaStore } from './schema-store';
import { StepFunctionsServer } from './step-functions-server';
import { createModelTables, seedDemoData } from './tables';
import { LocalRuntimeError } from './errors';

export interface StartLocalOptions {
  /** Port of the HTTP API. @default PORT, else 3000 (0 picks a free port) */
  readonly port?: number;
  /** Where DynamoDB data, the archive and endpoints.json live. @default '.data' */
  readonly dataDir?: string;
  /** Keep DynamoDB in memory: nothing survives a restart. @default false */
  readonly inMemory?: boolean;
  /** The delivery provider answers 503, to watch retries, the DLQ and redrive. @default false */
  readonly failDelivery?: boolean;
  /** First retry delay of the bus (ms) and of the saga (ms). @default 50 */
  readonly retryBaseMs?: number;
  /**
   * First retry delay (ms) of a failed asynchronous Lambda invocation; the second waits twice as long. Lambda
   * waits a minute, then two: long enough for a duplicate copy that met IdempotencyAlreadyInProgressError to
   * find the first copy's record completed. Under load a delay shorter than an invocation sends those
   * duplicates to the on-failure queue instead. @default retryBaseMs
   */
  readonly lambdaRetryBaseMs?: number;
  /**
   * Worker threads the functions run in (see LambdaWorkers); 0 runs them on the main thread, where a
   * debugger's breakpoints in handlers are simplest. @default {@link defaultWorkers}
   */
  readonly workers?: number;
  /**
   * Faults to inject as AWS can hand them (see FaultInjector): repeated and reordered deliveries, failing task
   * and consumer invocations, rejected PutEvents entries and throttled calls. Never an edit of a handler.
   * @default - none
   */
  readonly faults?: FaultOptions | FaultInjector;
  /**
   * The functions' timeout (ms), which their Lambda context reports as the remaining time; Powertools keeps an
   * idempotency record in progress that long, so a crashed invocation blocks its retries for as long.
   * @default LOCAL_FUNCTION_TIMEOUT_MS (the deployed functions' 15 s)
   */
  readonly functionTimeoutMs?: number;
  /**
   * 2 runs the stage's second region beside the first, behind a local global endpoint: the secondary region's own
   * bus, archive, rules, DLQs and functions, the endpoint routing every producer's PutEvents by the primary's
   * health and replicating each event to the other bus. The saga, the API and the tables stay in the home
   * (primary) region, as the deployed design has them (README, "Two regions"). @default 1
   */
  readonly regions?: 1 | 2;
  /** How long the global endpoint's replica of an event takes to reach the other bus (ms). @default 250 */
  readonly replicationLagMs?: number;
}

/** One region of the local system: what infra deploys per region, on this machine. */
export interface LocalRegion {
  readonly region: string;
  readonly bus: LocalEventBus;
  readonly lambda: LambdaService;
  /** The rule DLQ of each subscription, by subscription id. */
  readonly deadLetterQueues: ReadonlyMap<string, LocalQueue>;
  /** Every queue of the region by name. */
  readonly queues: ReadonlyMap<string, LocalQueue>;
  /** The region's SQS endpoint. */
  readonly sqs: string;
}

/** Where each local stand-in listens. */
export interface LocalEndpoints {
  readonly api: string;
  readonly eventBridge: string;
  readonly stepFunctions: string;
  readonly dynamodb: string;
  readonly email: string;
  readonly deliveryProvider: string;
  /** The card processor (charges and refunds with an Idempotency-Key). */
  readonly paymentProvider: string;
  /** SQS (AWS JSON 1.0): every queue of {@link LocalSystem.queues}, at `<sqs>/000000000000/<queue name>`. */
  readonly sqs: string;
  /** Lambda's Invoke API: every function by its plan name, `eventflow-local-<service>-<Action>`. */
  readonly lambda: string;
  /** `GET` answers the metrics the functions wrote as EMF (JSON, see {@link LocalSystem.metrics}); on the Lambda endpoint. */
  readonly metrics: string;
  /** The schema bucket every `metadata.schema` points into (S3 GetObject, path style: `<schemas><key>`). */
  readonly schemas: string;
}

/** The running system, for programs and tests. */
export interface LocalSystem {
  readonly apiUrl: string;
  readonly endpoints: LocalEndpoints;
  readonly bus: LocalEventBus;
  readonly stepFunctions: StepFunctionsServer;
  readonly emailSink: EmailSink;
  readonly deliverySink: DeliverySink;
  /** The card processor the payment functions charge and refund through. */
  readonly paymentSink: PaymentSink;
  /** The X-Ray daemon every local segment goes to: one order's trace from the API to its consumers. */
  readonly xray: LocalXRayDaemon;
  /** The faults being injected, if any; `lift()` mends every dependency at once. */
  readonly faults?: FaultInjector;
  /** Worker threads the functions run in (0: the main thread). */
  readonly workers: number;
  /**
   * The rule DLQ of each subscription, by subscription id: events EventBridge could not deliver to the target
   * (queue `<service>-<Action>-dlq`, see {@link localQueueNames}).
   */
  readonly deadLetterQueues: ReadonlyMap<string, LocalQueue>;
  /**
   * Every queue by queue name, as the SQS endpoint serves them: the rule DLQs, and the on-failure destination
   * of each Lambda subscription's function (`<service>-<Action>-async-failures`: invocation records of events
   * the function failed after Lambda's retries).
   */
  readonly queues: ReadonlyMap<string, LocalQueue>;
  /** Every region running, the home (primary) region first; one unless started with `regions: 2`. */
  readonly regions: readonly LocalRegion[];
  /** The global endpoint in front of the two regions' buses, with `regions: 2`. */
  readonly globalEndpoint?: LocalGlobalEndpoint;
  /**
   * Flips the primary region's health as its CloudWatch alarm would flip the endpoint's Route 53 health check:
   * unhealthy sends every producer's events to the secondary region, healthy brings them back. Needs `regions: 2`.
   */
  setPrimaryHealthy(healthy: boolean): Promise<void>;
  /** The functions by name or ARN, invoked as Lambda invokes them (the Lambda endpoint serves this). */
  readonly lambda: LambdaService;
  /**
   * The metrics the functions wrote as EMF (the producers' PutEvents metrics), added up per namespace, metric and
   * dimensions as CloudWatch would show them; `GET` {@link LocalEndpoints.metrics} answers the same. The EMF lines
   * themselves stay off the terminal, as Lambda hands them to CloudWatch. A worker thread's lines arrive a moment
   * after its invocation's result (a separate channel between the threads), as CloudWatch shows them after the log.
   */
  readonly metrics: EmfCollector;
  /** Waits until no delivery, no asynchronous invocation and no execution is under way. */
  idle(): Promise<void>;
  /** DynamoDB requests served since start (for the benchmark's requests-per-order figure). */
  dynamoRequests(): Promise<number>;
  /** DynamoDB requests served since start by operation, table and consistency (for the benchmark's capacity units). */
  dynamoOperations(): Promise<readonly DynamoOperationCount[]>;
  stop(): Promise<void>;
}

/** The local bus's name, as publishers and the redrive tool address it (the plan's, for the `local` stage). */
export const LOCAL_EVENT_BUS_NAME = LOCAL_NAMES.eventBusName;
const EVENT_BUS_NAME = LOCAL_EVENT_BUS_NAME;
/** Physical table names of the local runtime: `<prefix>-<logical name>`, as a deployed stage names them. */
export const LOCAL_TABLE_PREFIX = LOCAL_NAMES.prefix;
const TABLE_PREFIX = LOCAL_TABLE_PREFIX;
/** The local saga's state machine, as ListExecutions and RedriveExecution address it. */
export const STATE_MACHINE_ARN = LOCAL_NAMES.stateMachineArn;

/**
 * Starts the whole order system on this machine: dynalite, the bus (PutEvents, the model's rules, retries,
 * DLQs, archive), Lambda (asynchronous invocations with retries and on-failure queues), SQS for the queues,
 * Step Functions running the real ASL, the HTTP API, and sinks for e-mail and the delivery provider. The
 * handlers run unchanged: their SDK clients reach these endpoints through AWS_ENDPOINT_URL_*.
 * One system per process (the handlers read their configuration from the process environment).
 */
export async function startLocal(options: StartLocalOptions = {}): Promise<LocalSystem> {
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 0) throw new EventflowError(`workers must be a whole number of threads, 0 or more, got ${workers}`);
  const app = loadOrderSystem();
  const dataDir = resolve(options.dataDir ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const retryBaseMs = options.retryBaseMs ?? 50;

  const dynamo = await startDynamoProcess(options.inMemory ? undefined : join(dataDir, 'dynamodb'));
  const dynamoUrl = dynamo.url;
  const functionTimeoutMs = options.functionTimeoutMs ?? LOCAL_FUNCTION_TIMEOUT_MS;
  const faults = options.faults instanceof FaultInjector ? options.faults : options.faults ? new FaultInjector(options.faults) : undefined;
  // What outside systems received, and where each execution and delivery stands, outlive a crash as on AWS.
  const durable = !options.inMemory;
  const sinks = sinkFiles(dataDir);
  const emailSink = await new EmailSink(durable ? sinks.emails : undefined).start();
  const deliverySink = await new DeliverySink(durable ? sinks.deliveries : undefined).start();
  deliverySink.failing = options.failDelivery ?? false;
  const paymentSink = await new PaymentSink(durable ? sinks.payments : undefined).start();
  const bus = new LocalEventBus({
    name: EVENT_BUS_NAME,
    archiveFile: join(dataDir, 'archive.jsonl'),
    retryBaseMs,
    ...(durable ? { deliveryLog: join(dataDir, 'deliveries.log') } : {}),
    ...(faults ? { faults } : {}),
  });
  const twoRegions = options.regions === 2;
  if (options.regions !== undefined && options.regions !== 1 && options.regions !== 2) throw new EventflowError(`regions must be 1 or 2, got ${String(options.regions)}`);
  const secondaryDir = join(dataDir, 'regions', LOCAL_SECONDARY_REGION);
  const secondaryBus = twoRegions
    ? new LocalEventBus({
        name: EVENT_BUS_NAME,
        region: LOCAL_SECONDARY_REGION,
        archiveFile: join(secondaryDir, 'archive.jsonl'),
        retryBaseMs,
        ...(durable ? { deliveryLog: join(secondaryDir, 'deliveries.log') } : {}),
        ...(faults ? { faults } : {}),
      })
    : undefined;
  const globalEndpoint = secondaryBus
    ? new LocalGlobalEndpoint({ id: LOCAL_ENDPOINT_ID, primary: bus, secondary: secondaryBus, ...(options.replicationLagMs !== undefined ? { replicationLagMs: options.replicationLagMs } : {}) })
    : undefined;
  const eventBridge = await new EventBridgeServer(new Map([[bus.name, bus]]), globalEndpoint ? new Map([[globalEndpoint.id, globalEndpoint]]) : new Map()).start();
  const queues = new Map<string, LocalQueue>();
  const sqs = await new SqsServer(queues).start();
  // Each region's schema bucket, as infra uploads them; events are stamped with the primary region's URLs.
  const schemaStore = await new LocalSchemaStore(app.catalog, [LOCAL_NAMES.schemaBucketName, ...(twoRegions ? [LOCAL_NAMES.inRegion(LOCAL_SECONDARY_REGION).schemaBucketName] : [])]).start();
  const schemaBaseUrl = schemaStore.baseUrl(LOCAL_NAMES.schemaBucketName);
  const lambda = new LambdaService({ retryBaseMs: options.lambdaRetryBaseMs ?? retryBaseMs, ...(options.inMemory ? {} : { journalFile: join(dataDir, 'lambda', 'async-journal.jsonl') }) });
  const metrics = new EmfCollector();
  const lambdaServer = await new LambdaServer(lambda, { metrics: () => metrics.snapshot() }).start();
  // The X-Ray daemon and the segments AWS services would write: API Gateway's, Lambda's, Step Functions'.
  const xray = await new LocalXRayDaemon().start();
  const recorder = new LocalTraceRecorder(xray.address);
  let runner: LocalSagaRunner | undefined;
  const stepFunctions = await new StepFunctionsServer(
    STATE_MACHINE_ARN,
    () => {
      if (!runner) throw new LocalRuntimeError('the saga runner is not ready yet');
      return runner;
    },
    { recorder, ...(durable ? { dir: join(dataDir, 'step-functions') } : {}) },
  ).start();

  Object.assign(process.env, {
    AWS_REGION: LOCAL_PLACEMENT.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
    AWS_ENDPOINT_URL_SESV2: emailSink.url,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_ENDPOINT_URL_LAMBDA: lambdaServer.url,
    AWS_ENDPOINT_URL_S3: schemaStore.url,
    AWS_XRAY_DAEMON_ADDRESS: xray.address,
    [SCHEMA_BASE_URL_ENV]: schemaBaseUrl,
    EVENT_BUS_NAME,
    ...(globalEndpoint ? { EVENT_BUS_ENDPOINT_ID: globalEndpoint.id } : {}),
    ORDER_SAGA_ARN: STATE_MACHINE_ARN,
    SENDER_EMAIL: 'orders@eventflow.local',
    PAYMENT_PROVIDER_URL: paymentSink.url,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_NAMESPACE: LOCAL_NAMES.metricsNamespace,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  for (const table of TABLES) process.env[tableEnvVar(table)] = physicalTableName(TABLE_PREFIX, table);
  await prepareTables(dynamoUrl);

  // Handlers are loaded only now, after the environment they read at init is set.
  const plan = deploymentPlan(app);
  const functions = await startFunctions(
    plan.functions.map((action) => action.id),
    workers,
    functionTimeoutMs,
    metrics,
  );
  // Faults hit what AWS retries: saga tasks and consumers, keyed on the work so a retry meets the same plan.
  const faulted = new Set([...plan.sagaTasks.map((a) => a.id), ...plan.subscriptions.map((s) => s.id)]);
  const invoke = (actionId: string) => async (event: unknown) => {
    if (faults && faulted.has(actionId)) faults.beforeInvocation(actionId, invocationKey(event), orderIdOf(event));
    // Lambda writes a segment per invocation and runs the function in it, under the caller's trace header.
    return recorder.around(LOCAL_NAMES.functionName(actionId), 'AWS::Lambda::Function', currentTraceHeader(), (header) => withTraceHeader(header, () => functions.invoke(actionId, event, header)));
  };

  runner = new LocalSagaRunner({
    app,
    eventBusName: EVENT_BUS_NAME,
    schemaBaseUrl,
    retryIntervalMs: retryBaseMs,
    // Ten tries a quarter of the timeout apart outlast a crashed task's in-progress record.
    inProgressRetryMs: Math.ceil(functionTimeoutMs / 4),
    tasks: Object.fromEntries(plan.sagaTasks.map((a) => [a.id, invoke(a.id)])),
    putEvents: async (entries: readonly SagaPutEventsEntry[]) => {
      // The optimized integration's errors are the service's exception names prefixed with its name.
      if (faults?.throttleCall()) throw Object.assign(new Error('Rate exceeded'), { name: 'EventBridge.ThrottlingException' });
      return bus.putEvents(entries.map((entry) => ({ ...entry, Detail: JSON.stringify(entry.Detail) }))).map((result) => {
        // A partial failure fails the task (FailedEntryCount > 0), and its Retry sends every entry again.
        if ('ErrorCode' in result) throw Object.assign(new Error(result.ErrorMessage), { name: 'EventBridge.FailedEntry' });
        return result.EventId;
      });
    },
  });

  const primary = wireRegion({ plan, names: LOCAL_NAMES, bus, lambda, invoke, deliverySink, ...(options.inMemory ? {} : { dataDir }) });
  const { deadLetterQueues } = primary;
  for (const [name, queue] of primary.queues) queues.set(name, queue);
  const regions: LocalRegion[] = [{ region: LOCAL_PLACEMENT.region, bus, lambda, deadLetterQueues, queues, sqs: sqs.url }];
  let secondarySqs: SqsServer | undefined;
  if (secondaryBus) {
    // The same functions: in AWS each region runs its own copy of the code, with the home region's saga ARN.
    const secondaryLambda = new LambdaService({
      region: LOCAL_SECONDARY_REGION,
      retryBaseMs: options.lambdaRetryBaseMs ?? retryBaseMs,
      ...(options.inMemory ? {} : { journalFile: join(secondaryDir, 'lambda', 'async-journal.jsonl') }),
    });
    const secondary = wireRegion({
      plan,
      names: LOCAL_NAMES.inRegion(LOCAL_SECONDARY_REGION),
      bus: secondaryBus,
      lambda: secondaryLambda,
      invoke,
      deliverySink,
      ...(options.inMemory ? {} : { dataDir: secondaryDir }),
    });
    secondarySqs = await new SqsServer(secondary.queues, { region: LOCAL_SECONDARY_REGION }).start();
    regions.push({ region: LOCAL_SECONDARY_REGION, bus: secondaryBus, lambda: secondaryLambda, deadLetterQueues: secondary.deadLetterQueues, queues: secondary.queues, sqs: secondarySqs.url });
    secondaryLambda.resume();
    if (durable) secondaryBus.recover();
  }
  lambda.resume();
  // Work accepted before a crash goes on: deliveries the bus had not finished, executions that were running.
  if (durable) bus.recover();
  stepFunctions.resumeInterrupted();

  const api = await new HttpApiServer(
    plan.apiRoutes.map((route) => ({
      method: route.method,
      path: route.path,
      handler: invoke(route.actionId) as (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
      ...(route.request ? { requestModel: app.catalog.requestModelDocument(route.request) } : {}),
    })),
    { recorder, apiName: LOCAL_NAMES.apiName },
  ).start(options.port ?? Number(process.env.PORT ?? 3000));

  const endpoints: LocalEndpoints = {
    api: api.url,
    eventBridge: eventBridge.url,
    stepFunctions: stepFunctions.url,
    dynamodb: dynamoUrl,
    email: emailSink.url,
    deliveryProvider: deliverySink.url,
    paymentProvider: paymentSink.url,
    sqs: sqs.url,
    lambda: lambdaServer.url,
    metrics: `${lambdaServer.url}${LOCAL_METRICS_PATH}`,
    schemas: schemaBaseUrl,
  };
  writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);

  const idle = async () => {
    for (let round = 0; round < 50; round++) {
      for (const region of regions) {
        await region.bus.idle();
        await region.lambda.idle();
      }
      await stepFunctions.idle();
      await globalEndpoint?.idle();
      await bus.idle();
      if (regions.every((region) => region.bus.pending === 0 && region.lambda.pending === 0) && stepFunctions.running === 0) return;
    }
  };
  return {
    apiUrl: api.url,
    endpoints,
    bus,
    stepFunctions,
    emailSink,
    deliverySink,
    paymentSink,
    xray,
    ...(faults ? { faults } : {}),
    workers,
    deadLetterQueues,
    queues,
    lambda,
    metrics,
    regions,
    ...(globalEndpoint ? { globalEndpoint } : {}),
    setPrimaryHealthy: async (healthy: boolean) => {
      if (!globalEndpoint) throw new EventflowError('setPrimaryHealthy needs a global endpoint: start the system with regions: 2');
      globalEndpoint.setPrimaryHealthy(healthy);
    },
    idle,
    dynamoRequests: dynamo.requests,
    dynamoOperations: dynamo.operations,
    stop: async () => {
      await api.stop();
      await idle();
      await Promise.all([
        stepFunctions.stop(),
        eventBridge.stop(),
        sqs.stop(),
        schemaStore.stop(),
        xray.stop(),
        ...(secondarySqs ? [secondarySqs.stop()] : []),
        lambdaServer.stop(),
        emailSink.stop(),
        deliverySink.stop(),
        paymentSink.stop(),
        functions.stop(),
      ]);
      await dynamo.stop();
    },
  };
}

/**
 * Worker threads for the functions when none are asked for: one per core beyond the two the main thread and
 * dynalite keep busy. Measured on 2 cores, one worker bought 15–20 % throughput at saturation for ~15 % more
 * latency per order (a thread hop per invocation; p50 at the edge of its 60 ms goal) while all three competed
 * for the same two cores, so a 2-core machine runs the functions on the main thread.
 */
export function defaultWorkers(cores = availableParallelism()): number {
  return Math.max(0, cores - 2);
}

/** The functions, in `workers` worker threads or, with 0, on this thread; the EMF lines they write go to `emf`. */
async function startFunctions(
  actionIds: readonly string[],
  workers: number,
  timeoutMs: number,
  emf: EmfCollector,
): Promise<{ invoke(actionId: string, event: unknown, traceHeader?: string): Promise<unknown>; stop(): Promise<void> }> {
  if (workers > 0) return LambdaWorkers.start(workers, actionIds, timeoutMs, { emf });
  const handlers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  for (const actionId of actionIds) handlers.set(actionId, ((await import(handlerFile(actionId))) as { handler: (event: unknown, context: unknown) => Promise<unknown> }).handler);
  // On this thread the functions write to this process's stdout, as the runtime itself does.
  const stopDiverting = divertEmf(process.stdout, emf);
  return {
    invoke: (actionId, event) => (handlers.get(actionId) as (event: unknown, context: unknown) => Promise<unknown>)(event, lambdaContext(localFunctionName(actionId), timeoutMs)),
    stop: async () => stopDiverting(),
  };
}

/** Creates the model's tables that do not exist yet and seeds the demo data into the ones it created. */
async function prepareTables(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint });
  try {
    await seedDemoData(client, TABLE_PREFIX, await createModelTables(client, TABLE_PREFIX));
  } finally {
    client.destroy();
  }
}

/** Where the sinks keep what they received (JSON lines). */
export function sinkFiles(dataDir: string): { readonly emails: string; readonly deliveries: string; readonly payments: string } {
  return { emails: join(dataDir, 'sinks', 'emails.jsonl'), deliveries: join(dataDir, 'sinks', 'deliveries.jsonl'), payments: join(dataDir, 'sinks', 'payments.jsonl') };
}

/** What identifies one piece of work across its retries: a saga task's step key, or the event's id. */
function invocationKey(event: unknown): string {
  const input = event as { stepKey?: unknown; id?: unknown } | null;
  return String(input?.stepKey ?? input?.id ?? JSON.stringify(event));
}

/** The order an invocation is about, if it says. */
function orderIdOf(event: unknown): string | undefined {
  const input = event as { order?: { orderId?: unknown }; detail?: { data?: { orderId?: unknown } } } | null;
  const orderId = input?.order?.orderId ?? input?.detail?.data?.orderId;
  return typeof orderId === 'string' ? orderId : undefined;
}

/**
 * DynamoDB requests of one kind served so far: `operation` as its X-Amz-Target names it (`GetItem`), or
 * `TransactWriteItems.<Put|Update|Delete|ConditionCheck>` once per item of a transaction; `consistent` for a
 * strongly consistent read.
 */
export interface DynamoOperationCount {
  readonly operation: string;
  readonly table: string;
  readonly consistent: boolean;
  readonly requests: number;
}

/** dynalite in its own process (local/dynalite-server.cjs), persisted at `path` or in memory; the benchmark measures a fresh one. */
export async function startDynamoProcess(
  path: string | undefined,
): Promise<{ url: string; requests: () => Promise<number>; operations: () => Promise<DynamoOperationCount[]>; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(join(repoRoot(), 'local', 'dynalite-server.cjs'), path ? [path] : [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const port = await new Promise<number>((done, fail) => {
    child.once('message', (message: { type: string; port: number }) => done(message.port));
    child.once('exit', (code) => fail(new LocalRuntimeError(`dynalite exited with ${code} before it listened`)));
  });
  const count = () =>
    new Promise<{ requests: number; operations?: Record<string, number> }>((done) => {
      const onMessage = (message: { type: string; requests: number; operations?: Record<string, number> }) => {
        if (message.type !== 'count') return;
        child.off('message', onMessage);
        done(message);
      };
      child.on('message', onMessage);
      child.send({ type: 'count' });
    });
  return {
    url: `http://127.0.0.1:${port}`,
    requests: async () => (await count()).requests,
    operations: async () =>
      Object.entries((await count()).operations ?? {}).map(([key, requests]) => {
        const [operation = '', table = '', consistency = ''] = key.split('|');
        return { operation, table, consistent: consistency === 'consistent', requests };
      }),
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
