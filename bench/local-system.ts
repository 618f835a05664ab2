import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SDK_CLIENT_DEFAULTS } from '../functions/shared/sdk';
import { IDEMPOTENCY_TABLE, deploymentPlan, loadOrderSystem, physicalTableName } from '../model';
import { createModelTables } from '../local/tables';
import { LocalSagaRunner } from '../local/saga-runner';
import { percentile } from '../local/demo';
import { startDynamoProcess, startLocal, type LocalSystem } from '../local/start-local';

/** The local system's figures (see bench/run.ts for the keys). */
export interface LocalSystemResult {
  /** Worker threads the functions ran in (0: the main thread), as startLocal chose for this machine. */
  readonly workers: number;
  readonly oneAtATime: { readonly orders: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly saturation: { readonly orders: number; readonly concurrency: number; readonly ordersPerSecond: number };
  readonly storage: { readonly dynaliteRequestsPerSecond: number; readonly requestsPerOrder: number; readonly storageBoundOrdersPerSecond: number; readonly achievedRatio: number };
  readonly bareExecutor: { readonly executions: number; readonly executionsPerSecond: number };
}

const ORDER = { customerId: 'customer-1', productId: 'product-1', quantity: 1 };

async function placeAndSettle(system: LocalSystem): Promise<void> {
  const response = await fetch(`${system.apiUrl}/orders`, { method: 'POST', body: JSON.stringify(ORDER) });
  if (response.status !== 201) throw new Error(`POST /orders answered ${response.status}`);
  await response.arrayBuffer();
}

/**
 * (a) one order at a time, POST until every consequence has run (saga, e-mail, status view, delivery
 * provider); (b) orders per second at saturation; (c) dynalite's own requests per second (a fresh, warmed
 * process, the system stopped) with the system's request mix, and DynamoDB requests per order counted during
 * (a), giving the storage-bound limit;
 * (d) the same ASL on the bare executor with in-memory tasks, the ceiling.
 */
export async function benchLocalSystem(sequential = 200, concurrent = 400, concurrency = 16): Promise<LocalSystemResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventflow-bench-'));
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  const system = await startLocal({ port: 0, dataDir, inMemory: true, retryBaseMs: 1 });
  let measured: { latencies: number[]; requestsPerOrder: number; ordersPerSecond: number };
  try {
    measured = await loadSystem(system, sequential, concurrent, concurrency);
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const { latencies, requestsPerOrder, ordersPerSecond } = measured;
  const workers = system.workers;
  latencies.sort((a, b) => a - b);
  const dynaliteRequestsPerSecond = await dynaliteThroughput();
  const storageBound = dynaliteRequestsPerSecond / requestsPerOrder;
  return {
    workers,
    oneAtATime: { orders: sequential, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), maxMs: Math.round(latencies[latencies.length - 1] as number) },
    saturation: { orders: concurrent, concurrency, ordersPerSecond: Math.round(ordersPerSecond) },
    storage: {
      dynaliteRequestsPerSecond: Math.round(dynaliteRequestsPerSecond),
      requestsPerOrder: Number(requestsPerOrder.toFixed(1)),
      storageBoundOrdersPerSecond: Math.round(storageBound),
      achievedRatio: Number((ordersPerSecond / storageBound).toFixed(2)),
    },
    bareExecutor: await bareExecutor(),
  };
}

/** (a) and (b) against the running system; DynamoDB requests per order counted during (a). */
async function loadSystem(system: LocalSystem, sequential: number, concurrent: number, concurrency: number) {
  for (let i = 0; i < 20; i++) {
    await placeAndSettle(system);
    await system.idle();
  }
  const latencies: number[] = [];
  const requestsBefore = await system.dynamoRequests();
  for (let i = 0; i < sequential; i++) {
    const started = performance.now();
    await placeAndSettle(system);
    await system.idle();
    latencies.push(performance.now() - started);
  }
  const requestsPerOrder = ((await system.dynamoRequests()) - requestsBefore) / sequential;

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < concurrent) {
        next++;
        await placeAndSettle(system);
      }
    }),
  );
  await system.idle();
  return { latencies, requestsPerOrder, ordersPerSecond: concurrent / ((performance.now() - started) / 1000) };
}

/**
 * dynalite's own requests per second on this machine: a fresh dynalite process with nothing else running (the
 * system is stopped first, so its threads cannot slow the measure and flatter the ratio), 32 requests in
 * flight, half writes and half reads (the system's mix), on a table shaped like the idempotency table.
 */
async function dynaliteThroughput(requests = 4000): Promise<number> {
  const dynamo = await startDynamoProcess(undefined);
  // Configured as the functions' clients are, so the bound and the system pay the same per request.
  const client = new DynamoDBClient({ ...SDK_CLIENT_DEFAULTS, endpoint: dynamo.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await createModelTables(client, 'bench');
    const table = physicalTableName('bench', IDEMPOTENCY_TABLE);
    // A fresh process runs cold code: warm it with as many requests as are measured, then take the faster of
    // two measured rounds, so the bound is dynalite at its best, never a flattering underestimate.
    await measure(client, table, requests, 'warm');
    return Math.max(await measure(client, table, requests, 'a'), await measure(client, table, requests, 'b'));
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

async function measure(client: DynamoDBClient, table: string, requests: number, round: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < requests) {
        const i = next++;
        if (i % 2 === 0) await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: `${round}-${i}` }, status: { S: 'COMPLETED' } } }));
        else await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: `${round}-${i - 1}` } } }));
      }
    }),
  );
  return requests / ((performance.now() - started) / 1000);
}

/** The saga's ASL on the bare executor: every task answers from memory; publishing does nothing. */
async function bareExecutor(executions = 2000): Promise<{ executions: number; executionsPerSecond: number }> {
  const app = loadOrderSystem();
  // Every function-backed step answers the first fact the model says it emits (the happy path's).
  const entry = { EventBusName: 'b', Source: 's', DetailType: 'd', Detail: {} };
  const steps = deploymentPlan(app).sagaTasks;
  const tasks = Object.fromEntries(steps.map((action) => [action.id, async () => ({ outcome: action.emits[0], data: { paymentId: 'p', deliveryId: 'd' }, entries: [entry] })]));
  const runner = new LocalSagaRunner({ app, tasks, eventBusName: 'b', putEvents: async (entries) => entries.map(() => 'id') });
  const input = { order: { orderId: 'o', customerId: 'c', productId: 'p', quantity: 1 }, cause: { correlationId: 'c', idempotencyKey: 'k' } };
  const started = performance.now();
  for (let i = 0; i < executions; i++) {
    const execution = await runner.run(`bench-${i}`, input);
    if (execution.status !== 'SUCCEEDED') throw new Error(`bare execution failed: ${execution.error} ${execution.cause}`);
  }
  return { executions, executionsPerSecond: Math.round(executions / ((performance.now() - started) / 1000)) };
}
