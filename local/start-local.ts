import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { EventflowError, loadOrderSystem } from '../model';
import { repoRoot } from '../model/paths';
import { TABLES, physicalTableName, tableEnvVar } from '../model/tables';
import { functionActions, handlerFile } from '../functions/handlers';
import { API_DESTINATION_DEFAULTS, LAMBDA_ASYNC_DEFAULTS } from '../infra/defaults';
import { EventBridgeServer } from './bus/event-bridge-server';
import { LocalEventBus, type BusEvent, type LocalTarget } from './bus/local-event-bus';
import { LocalQueue } from './bus/local-queue';
import { DeliverySink } from './delivery-sink';
import { EmailSink } from './email-sink';
import { HttpApiServer } from './http-api';
import { lambdaContext, localFunctionName } from './lambda-context';
import { LambdaWorkers } from './lambda-workers';
import { LocalSagaRunner, type SagaPutEventsEntry } from './saga-runner';
import { StepFunctionsServer } from './step-functions-server';
import { createModelTables, seedDemoData } from './tables';


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
   * Worker threads the functions run in (see LambdaWorkers); 0 runs them on the main thread, where a
   * debugger's breakpoints in handlers are simplest. @default {@link defaultWorkers}
   */
  readonly workers?: number;
}

/** Where each local stand-in listens. */
export interface LocalEndpoints {
  readonly api: string;
  readonly eventBridge: string;
  readonly stepFunctions: string;
  readonly dynamodb: string;
  readonly email: string;
  readonly deliveryProvider: string;
}

/** The running system, for programs and tests. */
export interface LocalSystem {
  readonly apiUrl: string;
  readonly endpoints: LocalEndpoints;
  readonly bus: LocalEventBus;
  readonly stepFunctions: StepFunctionsServer;
  readonly emailSink: EmailSink;
  readonly deliverySink: DeliverySink;
  /** Worker threads the functions run in (0: the main thread). */
  readonly workers: number;
  /** Dead-letter queues by subscription id (rule DLQs, and Lambda's on-failure queues). */
  readonly deadLetterQueues: ReadonlyMap<string, LocalQueue>;
  /** Waits until no delivery and no execution is under way. */
  idle(): Promise<void>;
  /** DynamoDB requests served since start (for the benchmark's requests-per-order figure). */
  dynamoRequests(): Promise<number>;
  stop(): Promise<void>;
}

/** The local bus's name, as publishers and the redrive tool address it. */
export const LOCAL_EVENT_BUS_NAME = 'eventflow-local';
const EVENT_BUS_NAME = LOCAL_EVENT_BUS_NAME;
/** Physical table names of the local runtime: `local-<logical name>`. */
export const LOCAL_TABLE_PREFIX = 'local';
const TABLE_PREFIX = LOCAL_TABLE_PREFIX;
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:000000000000:stateMachine:eventflow-local-order-saga';
const DELIVERY_API_KEY = 'local-delivery-key';

/**
 * Starts the whole order system on this machine: dynalite, the bus (PutEvents, the model's rules, retries,
 * DLQs, archive), Step Functions running the real ASL, the HTTP API, and sinks for e-mail and the delivery
 * provider. The handlers run unchanged: their SDK clients reach these endpoints through AWS_ENDPOINT_URL_*.
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
  const emailSink = await new EmailSink().start();
  const deliverySink = await new DeliverySink().start();
  deliverySink.failing = options.failDelivery ?? false;
  const bus = new LocalEventBus({ name: EVENT_BUS_NAME, archiveFile: join(dataDir, 'archive.jsonl'), retryBaseMs });
  const eventBridge = await new EventBridgeServer(new Map([[bus.name, bus]])).start();
  let runner: LocalSagaRunner | undefined;
  const stepFunctions = await new StepFunctionsServer(STATE_MACHINE_ARN, () => {
    if (!runner) throw new Error('the saga runner is not ready yet');
    return runner;
  }).start();

  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.url,
    AWS_ENDPOINT_URL_SESV2: emailSink.url,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    EVENT_BUS_NAME,
    ORDER_SAGA_ARN: STATE_MACHINE_ARN,
    SENDER_EMAIL: 'orders@eventflow.local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  for (const table of TABLES) process.env[tableEnvVar(table)] = physicalTableName(TABLE_PREFIX, table);
  await prepareTables(dynamoUrl);

  // Handlers are loaded only now, after the environment they read at init is set.
  const functions = await startFunctions(functionActions(app).map((action) => action.id), workers);
  const invoke = (actionId: string) => (event: unknown) => functions.invoke(actionId, event);

  runner = new LocalSagaRunner({
    app,
    eventBusName: EVENT_BUS_NAME,
    retryIntervalMs: retryBaseMs,
    tasks: Object.fromEntries(app.actions.filter((a) => a.trigger.kind === 'saga-step' && !a.trigger.publishOnly).map((a) => [a.id, invoke(a.id)])),
    putEvents: async (entries: readonly SagaPutEventsEntry[]) =>
      bus.putEvents(entries.map((entry) => ({ ...entry, Detail: JSON.stringify(entry.Detail) }))).map((result) => {
        if ('ErrorCode' in result) throw Object.assign(new Error(result.ErrorMessage), { name: 'EventBridge.FailedEntry' });
        return result.EventId;
      }),
  });

  const deadLetterQueues = new Map<string, LocalQueue>();
  for (const subscription of app.subscriptions) {
    const queue = new LocalQueue(`${subscription.id}-dlq`, options.inMemory ? undefined : deadLetterFile(dataDir, subscription.id));
    deadLetterQueues.set(subscription.id, queue);
    bus.addRule(subscription.id, subscription.pattern, targetFor(subscription.id, subscription.target, queue, invoke, deliverySink));
  }

  const api = await new HttpApiServer(
    app.actions.flatMap((action) =>
      action.trigger.kind === 'api'
        ? [{ method: action.trigger.method, path: action.trigger.path, handler: invoke(action.id) as (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> }]
        : [],
    ),
  ).start(options.port ?? Number(process.env.PORT ?? 3000));

  const endpoints: LocalEndpoints = { api: api.url, eventBridge: eventBridge.url, stepFunctions: stepFunctions.url, dynamodb: dynamoUrl, email: emailSink.url, deliveryProvider: deliverySink.url };
  writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);

  const idle = async () => {
    for (let round = 0; round < 50; round++) {
      await bus.idle();
      await stepFunctions.idle();
      await bus.idle();
      if (bus.pending === 0 && stepFunctions.running === 0) return;
    }
  };
  return {
    apiUrl: api.url,
    endpoints,
    bus,
    stepFunctions,
    emailSink,
    deliverySink,
    workers,
    deadLetterQueues,
    idle,
    dynamoRequests: dynamo.requests,
    stop: async () => {
      await api.stop();
      await idle();
      await Promise.all([stepFunctions.stop(), eventBridge.stop(), emailSink.stop(), deliverySink.stop(), functions.stop()]);
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

/** The functions, in `workers` worker threads or, with 0, on this thread. */
async function startFunctions(actionIds: readonly string[], workers: number): Promise<{ invoke(actionId: string, event: unknown): Promise<unknown>; stop(): Promise<void> }> {
  if (workers > 0) return LambdaWorkers.start(workers, actionIds);
  const handlers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  for (const actionId of actionIds) handlers.set(actionId, ((await import(handlerFile(actionId))) as { handler: (event: unknown, context: unknown) => Promise<unknown> }).handler);
  return {
    invoke: (actionId, event) => (handlers.get(actionId) as (event: unknown, context: unknown) => Promise<unknown>)(event, lambdaContext(localFunctionName(actionId))),
    stop: async () => undefined,
  };
}

/** A subscription's target as the local bus calls it, with the policy its deployed counterpart has. */
function targetFor(id: string, kind: string, queue: LocalQueue, invoke: (actionId: string) => (event: unknown) => Promise<unknown>, deliverySink: DeliverySink): LocalTarget {
  if (kind === 'api-destination') {
    return {
      id: `api-destination/${id}`,
      retryPolicy: API_DESTINATION_DEFAULTS,
      deadLetterQueue: queue,
      invoke: async (event: BusEvent) => {
        // An API destination sends the event as the body, with the connection's key, and waits at most 5 s.
        const response = await fetch(deliverySink.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': DELIVERY_API_KEY }, body: JSON.stringify(event), signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw Object.assign(new Error(`delivery provider answered ${response.status}`), { name: `HTTP${response.status}` });
      },
    };
  }
  // EventBridge hands the event to Lambda asynchronously; Lambda retries twice, then the on-failure queue.
  return { id: `lambda/${id}`, retryPolicy: LAMBDA_ASYNC_DEFAULTS, deadLetterQueue: queue, invoke: invoke(id) };
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

/** Where the local DLQ of a subscription keeps its messages. */
export function deadLetterFile(dataDir: string, subscriptionId: string): string {
  return join(dataDir, 'dlq', `${subscriptionId}.json`);
}

/** dynalite in its own process (local/dynalite-server.cjs), persisted at `path` or in memory; the benchmark measures a fresh one. */
export async function startDynamoProcess(path: string | undefined): Promise<{ url: string; requests: () => Promise<number>; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(join(repoRoot(), 'local', 'dynalite-server.cjs'), path ? [path] : [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const port = await new Promise<number>((done, fail) => {
    child.once('message', (message: { type: string; port: number }) => done(message.port));
    child.once('exit', (code) => fail(new Error(`dynalite exited with ${code} before it listened`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () =>
      new Promise((done) => {
        const onMessage = (message: { type: string; requests: number }) => {
          if (message.type !== 'count') return;
          child.off('message', onMessage);
          done(message.requests);
        };
        child.on('message', onMessage);
        child.send({ type: 'count' });
      }),
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
