/**
 * `npm run bench`: every benchmark, figures printed and written to bench/results.json.
 *
 * Keys of bench/results.json:
 * - `machine`: Node.js version, CPU count and model, total memory (GiB).
 * - `stackEval`: cold evaluations of the dev stack under Pulumi mocks (goal: ≤ 3,000 ms).
 *   `runs`, `resources`, `evalMs {min, median, max}` (mocks installed → last output), `processMs` (whole process).
 * - `busMatching`: the local bus's rule matching (goal: ≥ 50,000 events/s against 1,000 rules).
 *   `rules`, `unindexedRules` (tested against every event), `events`, `eventsPerSecond`, `matchesPerEvent`.
 * - `localSystem`: the whole system on this machine (`startLocal`, in memory). `workers`: threads the functions ran in.
 *   `oneAtATime {orders, p50Ms, p99Ms, maxMs}`: POST /orders until every consequence has run (goal p50 ≤ 60, p99 ≤ 150);
 *   `saturation {orders, concurrency, ordersPerSecond}`; `storage {dynaliteRequestsPerSecond (a fresh dynalite, warmed, the system stopped), requestsPerOrder (goal ≤ 25),
 *   storageBoundOrdersPerSecond, achievedRatio (goal ≥ 0.6)}`; `bareExecutor {executions, executionsPerSecond}`: the ceiling.
 * - `chaos` (written by `npm run chaos`, kept here): `faults` injected, `orders`, `seconds`, `ordersPerSecond`, `restarts`,
 *   `requestRetries`, `outcomes` by final status and reason, `deadLetters {found, redriven, remaining}`, `executionsRedriven`,
 *   `permanentlyFaultedOrders`, `invariants [{name, checked, violations, examples}]`, `ok`.
 * - `chaosTwoRegions` (written by `npm run chaos -- --regions 2`, kept here): the same, plus `regions` (archived, routed
 *   and replicated events per region, flips, StartExecution requests per order, failover to the first outcome).
 * - `twoRegions`: `oneRegion` and `twoRegions`, each `{oneAtATime {orders, p50Ms, p99Ms} (POST until the outcome is
 *   visible), perOrder {startOrderSagaInvocations, startExecutionRequests, dynamoRequests}}`, and with two regions
 *   `failover {samples, medianMs, maxMs}` (primary marked unhealthy → the next order's outcome).
 * - `regionCapacity` (bench/region-capacity.ts, which documents every field): the work an order costs, counted on the
 *   local system; the cost per 1M orders for a Standard and an Express saga; the orders/s one account-region sustains
 *   and the quota that binds first; the README section and docs/region-capacity.svg are generated from it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchBusMatching } from './bus-matching';
import { benchLocalSystem } from './local-system';
import { benchRegionCapacity } from './region-capacity';
import { benchStackEval } from './stack-eval';
import type { RegionsResult } from './two-regions';

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
process.stdout.write(`machine: ${JSON.stringify(machine)}\n`);

const stackEval = benchStackEval(5);
process.stdout.write(
  `stack under mocks, cold (${stackEval.runs} runs, ${stackEval.resources} resources): eval ms min ${stackEval.evalMs.min} / median ${stackEval.evalMs.median} / max ${stackEval.evalMs.max}; ` +
    `whole process ms median ${stackEval.processMs.median} (goal ≤ 3000 eval)\n`,
);

const busMatching = benchBusMatching();
process.stdout.write(
  `bus matching: ${busMatching.eventsPerSecond} events/s against ${busMatching.rules} rules (${busMatching.unindexedRules} unindexed), ${busMatching.matchesPerEvent} matches per event (goal ≥ 50000 events/s)\n`,
);

benchLocalSystem()
  .then((localSystem) => {
    const { oneAtATime: a, saturation: b, storage: c, bareExecutor: d } = localSystem;
    process.stdout.write(`local system, one order at a time (${a.orders}): p50 ${a.p50Ms} ms, p99 ${a.p99Ms} ms, max ${a.maxMs} ms (goal p50 ≤ 60, p99 ≤ 150)\n`);
    process.stdout.write(
      `local system at saturation (${b.orders} orders, ${b.concurrency} in flight, functions ${localSystem.workers === 0 ? 'on the main thread' : `in ${localSystem.workers} worker threads`}): ${b.ordersPerSecond} orders/s\n`,
    );
    process.stdout.write(
      `storage: dynalite ${c.dynaliteRequestsPerSecond} requests/s, ${c.requestsPerOrder} DynamoDB requests per order (goal ≤ 25) → bound ${c.storageBoundOrdersPerSecond} orders/s; achieved ${c.achievedRatio} of it (goal ≥ 0.6)\n`,
    );
    process.stdout.write(`bare executor (same ASL, in-memory tasks): ${d.executionsPerSecond} executions/s\n`);
    // One system per process: each region count in its own, one after the other so they do not compete for cores.
    const measure = (regions: 1 | 2): RegionsResult =>
      JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'two-regions.ts'), String(regions)], { encoding: 'utf8' })) as RegionsResult;
    const twoRegions = { oneRegion: measure(1), twoRegions: measure(2) };
    const [one, two] = [twoRegions.oneRegion, twoRegions.twoRegions];
    process.stdout.write(
      `two regions: outcome visible p50 ${two.oneAtATime.p50Ms} ms (one region ${one.oneAtATime.p50Ms} ms); per order ${two.perOrder.startOrderSagaInvocations} StartOrderSaga invocations (one region ${one.perOrder.startOrderSagaInvocations}), ` +
        `${two.perOrder.startExecutionRequests} StartExecution, ${two.perOrder.dynamoRequests} DynamoDB requests (one region ${one.perOrder.dynamoRequests}); failover → next outcome median ${two.failover?.medianMs} ms, max ${two.failover?.maxMs} ms\n`,
    );
    // Figures other commands write (the chaos run's) are kept.
    const file = join(__dirname, 'results.json');
    const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(file, `${JSON.stringify({ ...kept, measuredAt: new Date().toISOString(), machine, stackEval, busMatching, localSystem, twoRegions }, null, 2)}\n`);
    // After the write above: it counts in a process of its own, then adds its key to the file.
  })
  .then(() => benchRegionCapacity());
