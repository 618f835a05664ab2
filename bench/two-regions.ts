/**
 * The two-region figures beside the same measures in one region (`npm run bench` runs `tsx bench/two-regions.ts 1`
 * and `… 2`, each in a process of its own: the handlers read their configuration once per process). The system in
 * memory, no faults; prints one JSON line:
 * - `oneAtATime {orders, p50Ms, p99Ms}`: POST /orders until the order's outcome is visible, primary healthy, and
 *   `singleRegion` the same in one region measured in the same run: the latency the second region and its guard add;
 * - `perOrder {startOrderSagaInvocations, startExecutionRequests, dynamoRequests}`: the guard's extra work (each
 *   OrderCreated runs StartOrderSaga in both regions; beside `localSystem.storage.requestsPerOrder`);
 * - `failover {samples, medianMs, maxMs}`: the primary marked unhealthy, then the first order placed reaching its
 *   outcome through the secondary region's bus (local health flips are immediate; AWS adds its alarm periods and
 *   the Route 53 health check).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../local/demo';
import { LOCAL_NAMES } from '../local/placement';
import { startLocal, type LocalSystem } from '../local/start-local';

const ORDER = JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 });

/** Places an order and returns the time until its outcome is visible (GET /orders), then lets everything settle. */
async function placeAndSettle(system: LocalSystem): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${system.apiUrl}/orders`, { method: 'POST', body: ORDER });
  if (response.status !== 201) throw new Error(`POST /orders answered ${response.status}`);
  const { orderId } = (await response.json()) as { orderId: string };
  for (;;) {
    const view = (await (await fetch(`${system.apiUrl}/orders/${orderId}`)).json()) as { status: string };
    if (view.status !== 'PENDING') {
      const elapsed = performance.now() - started;
      // The replicas and the other region's StartOrderSaga finish before the next order, as in the single-region run.
      await system.idle();
      return elapsed;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface RegionsResult {
  readonly regions: 1 | 2;
  readonly oneAtATime: { readonly orders: number; readonly p50Ms: number; readonly p99Ms: number };
  readonly perOrder: { readonly startOrderSagaInvocations: number; readonly startExecutionRequests: number; readonly dynamoRequests: number };
  /** With two regions only. */
  readonly failover?: { readonly samples: number; readonly medianMs: number; readonly maxMs: number };
}

/** One system of `regions` regions, measured the same way; one per process. */
export async function benchRegions(regions: 1 | 2, orders = 200, failovers = 10): Promise<RegionsResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventflow-bench-regions-'));
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  const system = await startLocal({ port: 0, dataDir, inMemory: true, retryBaseMs: 1, regions });
  try {
    for (let i = 0; i < 20; i++) await placeAndSettle(system);
    const invocations = () => system.regions.reduce((sum, region) => sum + (region.lambda.accepted.get(LOCAL_NAMES.functionName('orders.StartOrderSaga')) ?? 0), 0);
    const [invocationsBefore, startsBefore, requestsBefore] = [invocations(), system.stepFunctions.starts.requests, await system.dynamoRequests()];
    const latencies: number[] = [];
    for (let i = 0; i < orders; i++) latencies.push(await placeAndSettle(system));
    const perOrder = {
      startOrderSagaInvocations: Number(((invocations() - invocationsBefore) / orders).toFixed(2)),
      startExecutionRequests: Number(((system.stepFunctions.starts.requests - startsBefore) / orders).toFixed(2)),
      dynamoRequests: Number((((await system.dynamoRequests()) - requestsBefore) / orders).toFixed(1)),
    };
    const failoverMs: number[] = [];
    for (let i = 0; regions === 2 && i < failovers; i++) {
      const flipped = performance.now();
      await system.setPrimaryHealthy(false);
      const flip = performance.now() - flipped;
      // The flip, then the next order's outcome (not the settling after it, which waits out the replication lag).
      failoverMs.push(flip + (await placeAndSettle(system)));
      await system.setPrimaryHealthy(true);
    }
    latencies.sort((a, b) => a - b);
    failoverMs.sort((a, b) => a - b);
    return {
      regions,
      oneAtATime: { orders, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) },
      perOrder,
      ...(regions === 2 ? { failover: { samples: failovers, medianMs: percentile(failoverMs, 0.5), maxMs: Math.round(failoverMs[failoverMs.length - 1] ?? 0) } } : {}),
    };
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchRegions(process.argv[2] === '1' ? 1 : 2).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
