/**
 * `npm run chaos [-- --orders N --rate N --concurrency N --seed N --data-dir DIR --no-crash --regions 2]`: the order system under
 * every fault of issue 10 (repeated and reordered deliveries, transient and permanent invocation failures,
 * rejected PutEvents entries and throttled calls, a delivery-provider outage, a crash and restart), then the
 * operator's redrive, then each invariant with its count. Exits 1 on any violation; writes its figures to
 * bench/results.json under `chaos`. With `--regions 2` the secondary region runs behind the global endpoint, which
 * fails over and back during the run (no crash); its figures go under `chaosTwoRegions`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventflowError } from '../../model';
import { repoRoot } from '../../model/paths';
import { CHAOS_FAULTS, runChaos } from './run-chaos';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '16' },
      rate: { type: 'string', default: '12' },
      seed: { type: 'string', default: String(CHAOS_FAULTS.seed) },
      'data-dir': { type: 'string' },
      'no-crash': { type: 'boolean', default: false },
      regions: { type: 'string', default: '1' },
    },
  });
  for (const key of ['orders', 'concurrency', 'seed', 'rate'] as const) {
    if (!/^[1-9]\d*$/.test(values[key] as string)) throw new EventflowError(`--${key} takes a whole number above 0, got ${JSON.stringify(values[key])}`);
  }
  if (values.regions !== '1' && values.regions !== '2') throw new EventflowError(`--regions takes 1 or 2, got ${JSON.stringify(values.regions)}`);
  const regions = values.regions === '2' ? 2 : 1;
  const out = process.stdout;
  const started = Date.now();
  const report = await runChaos({
    orders: Number(values.orders),
    concurrency: Number(values.concurrency),
    ordersPerSecond: Number(values.rate),
    seed: Number(values.seed),
    ...(values['no-crash'] ? { crash: false } : {}),
    regions,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    log: (line) => out.write(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
  });
  out.write(
    `\n${report.orders} orders in ${report.seconds.toFixed(1)} s (${report.ordersPerSecond.toFixed(1)} orders/s), ${report.restarts} crash and restart, ${report.requestRetries} client retries\n`,
  );
  out.write('Outcomes\n');
  for (const [outcome, count] of Object.entries(report.outcomes).sort()) out.write(`  ${outcome.padEnd(32)} ${count}\n`);
  out.write(`  orders a permanent fault hit in a forward step: ${report.permanentlyFaultedOrders}\n`);
  out.write(
    `Operator: ${report.deadLetters.found} dead letters found, ${report.deadLetters.redriven} redriven, ${report.deadLetters.remaining} left; ${report.executionsRedriven} failed executions redriven\n`,
  );
  if (report.regions) {
    const r = report.regions;
    out.write(`Regions: archived ${JSON.stringify(r.archived)}; endpoint routed ${JSON.stringify(r.routed)}, replicated ${JSON.stringify(r.replicated)}, ${r.flips} flips\n`);
    out.write(
      `  failover to the first order's outcome: ${r.failoverToFirstOutcomeMs ?? '?'} ms; ${r.sagaStartRequestsPerOrder.toFixed(2)} StartExecution requests per order, ${r.executionsStarted} executions started\n`,
    );
  }
  out.write('Invariants (violations / cases)\n');
  for (const invariant of report.invariants) {
    const explained = invariant.explained > 0 ? ` (${invariant.explained} explained by a fault)` : '';
    out.write(`  ${invariant.violations === 0 ? 'ok  ' : 'FAIL'} ${String(invariant.violations).padStart(5)} / ${String(invariant.checked).padEnd(6)} ${invariant.name}${explained}\n`);
    for (const example of invariant.examples) out.write(`         ${example}\n`);
  }
  const resultsFile = join(repoRoot(), 'bench', 'results.json');
  const results = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>) : {};
  const key = regions === 2 ? 'chaosTwoRegions' : 'chaos';
  writeFileSync(resultsFile, `${JSON.stringify({ ...results, [key]: { measuredAt: new Date().toISOString(), faults: CHAOS_FAULTS, ...report } }, null, 2)}\n`);
  out.write(report.ok ? '\nevery invariant holds\n' : '\ninvariants violated\n');
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof EventflowError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
