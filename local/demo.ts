import type { LocalSystem } from './start-local';

/** The mix of orders the demo places: mostly good ones, and each way an order can end otherwise. */
export const DEMO_MIX: ReadonlyArray<{ readonly weight: number; readonly customerId: string; readonly productId: string; readonly expect: string }> = [
  { weight: 70, customerId: 'customer-1', productId: 'product-1', expect: 'COMPLETED' },
  { weight: 10, customerId: 'customer-1', productId: 'product-sold-out', expect: 'CANCELLED ITEM_NOT_AVAILABLE' },
  { weight: 10, customerId: 'customer-declined', productId: 'product-1', expect: 'CANCELLED PAYMENT_DECLINED' },
  { weight: 10, customerId: 'customer-unknown', productId: 'product-1', expect: 'CANCELLED CUSTOMER_UNKNOWN' },
];

interface DemoOrder {
  readonly orderId: string;
  readonly correlationId: string;
  readonly outcome: string;
  readonly latencyMs: number;
}

/**
 * Places `count` orders over HTTP with the demo mix, `concurrency` at a time, showing progress; then prints
 * orders by final status and reason, events by type, the depth of every DLQ and on-failure queue, the producers'
 * PutEvents metrics (the EMF the functions wrote), p50/p99
 * order latency (POST until the order's final status is visible), and the full event trace of one order by its
 * correlation id. With two regions the endpoint fails over to the secondary a third of the way through and back
 * at two thirds, and the summary shows what each region ran.
 */
export async function runDemo(system: LocalSystem, count: number, out: NodeJS.WritableStream = process.stdout, concurrency = 8): Promise<DemoOrder[]> {
  const plan = Array.from({ length: count }, (_, i) => pick(i));
  const done: DemoOrder[] = [];
  let next = 0;
  // On a terminal the progress line rewrites itself; in a log it appears every tenth of the run.
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  let lastLogged = -1;
  const progress = () => {
    const line = `  placed ${Math.min(next, count)}/${count}, settled ${done.length}/${count}`;
    if (tty) out.write(`\r${line}`);
    else if (Math.floor((done.length * 10) / count) > lastLogged) {
      lastLogged = Math.floor((done.length * 10) / count);
      out.write(`${line}\n`);
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const choice = plan[index] as (typeof DEMO_MIX)[number];
        if (system.globalEndpoint && index === Math.floor(count / 3)) {
          await system.setPrimaryHealthy(false);
          out.write(`${tty ? '\n' : ''}  primary region unhealthy: the global endpoint fails over to ${system.regions[1]?.region}\n`);
        }
        if (system.globalEndpoint && index === Math.floor((2 * count) / 3)) {
          await system.setPrimaryHealthy(true);
          out.write(`${tty ? '\n' : ''}  primary region healthy: the global endpoint fails back to ${system.regions[0]?.region}\n`);
        }
        progress();
        done.push(await placeAndFollow(system.apiUrl, choice.customerId, choice.productId));
        progress();
      }
    }),
  );
  await system.idle();
  out.write(tty ? '\n\n' : '\n');

  const byOutcome = countBy(done.map((order) => order.outcome));
  out.write('Orders by final status and reason\n');
  for (const [outcome, n] of byOutcome) out.write(`  ${outcome.padEnd(32)} ${n}\n`);

  const correlationIds = new Set(done.map((order) => order.correlationId));
  const events = system.bus.archived().filter((event) => correlationIds.has((event.detail.metadata as { correlationId?: string } | undefined)?.correlationId ?? ''));
  // By version too: while a version is double-published, each fact travels once per live version.
  out.write('\nEvents by type and version\n');
  for (const [type, n] of countBy(events.map((event) => `${event['detail-type']} v${String((event.detail.metadata as { version?: number } | undefined)?.version)}`))) {
    out.write(`  ${type.padEnd(32)} ${n}\n`);
  }

  // Rule DLQs (`-dlq`: EventBridge could not deliver) and on-failure queues (`-async-failures`: a function failed after Lambda's retries).
  out.write('\nDead-letter queues\n');
  for (const [name, queue] of system.queues) out.write(`  ${name.padEnd(44)} ${queue.depth}\n`);

  writeMetrics(system, out);

  if (system.globalEndpoint) {
    const counts = system.globalEndpoint.counts();
    out.write('\nRegions (the saga, the API and the tables run in the home region; see README, "Two regions")\n');
    for (const region of system.regions) {
      out.write(
        `  ${region.region.padEnd(16)} events routed ${String(counts.routed[region.region] ?? 0).padStart(6)}, replicated ${String(counts.replicated[region.region] ?? 0).padStart(6)}, archived ${String(region.bus.archived().length).padStart(6)}\n`,
      );
    }
    const starts = system.stepFunctions.starts;
    out.write(`  saga StartExecution requests ${starts.requests}, executions started ${starts.started} (one per order, whichever region saw OrderCreated)\n`);
  }

  const latencies = done.map((order) => order.latencyMs).sort((a, b) => a - b);
  out.write(`\nOrder latency (POST until the final status is visible): p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms\n`);

  const sample = done.find((order) => order.outcome !== 'COMPLETED') ?? done[0];
  if (sample) {
    out.write(`\nTrace of order ${sample.orderId} (correlation id ${sample.correlationId}, ${sample.outcome})\n`);
    // Optional chaining: not every event on the bus is a catalog envelope (a redrive envelope has no metadata).
    for (const event of system.bus.archived().filter((e) => (e.detail.metadata as { correlationId?: string } | undefined)?.correlationId === sample.correlationId)) {
      out.write(`  ${event.time}  ${event.source.padEnd(24)} ${event['detail-type']} v${String((event.detail.metadata as { version?: number }).version)}\n`);
    }
  }
  return done;
}

/**
 * The metrics the functions wrote as EMF, as CloudWatch would add them up: the producers' own view of their PutEvents
 * calls (attempted, failed per error code, retries, given up), which EventBridge's metrics cannot show.
 */
function writeMetrics(system: LocalSystem, out: NodeJS.WritableStream): void {
  const { series } = system.metrics.snapshot();
  const namespaces = [...new Set(series.map((one) => one.namespace))];
  out.write(`\nProducer metrics (EMF the functions wrote${namespaces.length > 0 ? `, namespace ${namespaces.join(', ')}` : ''}; GET ${system.endpoints.metrics})\n`);
  if (series.length === 0) out.write('  none written\n');
  for (const one of series) {
    const dimensions = Object.entries(one.dimensions)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    out.write(`  ${one.metric.padEnd(28)} ${dimensions.padEnd(44)} ${String(one.sum).padStart(6)}\n`);
  }
}

function pick(index: number): (typeof DEMO_MIX)[number] {
  // Deterministic, evenly spread: every run of the demo places the same mix.
  const slot = (index * 37) % 100;
  let total = 0;
  for (const choice of DEMO_MIX) {
    total += choice.weight;
    if (slot < total) return choice;
  }
  return DEMO_MIX[0] as (typeof DEMO_MIX)[number];
}

async function placeAndFollow(apiUrl: string, customerId: string, productId: string): Promise<DemoOrder> {
  const started = performance.now();
  const created = await fetch(`${apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId, productId, quantity: 1 }) });
  const { orderId } = (await created.json()) as { orderId: string };
  for (;;) {
    const order = (await (await fetch(`${apiUrl}/orders/${orderId}`)).json()) as { status: string; reason: string | null; correlationId: string };
    if (order.status !== 'PENDING')
      return { orderId, correlationId: order.correlationId, outcome: order.reason ? `${order.status} ${order.reason}` : order.status, latencyMs: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function countBy(values: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** The `q` quantile (0–1) of values sorted ascending, rounded; 0 for none. The demo and the benchmark report with it. */
export function percentile(sorted: readonly number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}
