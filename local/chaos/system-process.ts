/**
 * The order system under fault injection, in a process of its own so the chaos run can kill it as a crash would
 * (SIGKILL: nothing is flushed or closed) and start it again on the same data. Reads its options as JSON from
 * argv[2]; tells its parent `{ type: 'ready', endpoints }`, then obeys: `outage` (the delivery provider answers
 * 503 or not), `lift` (every dependency mended: faults stop), `idle` (answers once nothing is under way) and
 * `stop`.
 */
import type { FaultOptions } from '../faults';
import { startLocal, type LocalSystem } from '../start-local';

/** What the chaos run asks of the system process. */
export interface SystemProcessOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly faults: FaultOptions;
  readonly functionTimeoutMs: number;
  /** 2 runs the secondary region behind the global endpoint. @default 1 */
  readonly regions?: 1 | 2;
}

/** What each region saw, for the two-region checks and figures. */
export interface RegionsAnswer {
  readonly regions: ReadonlyArray<{ readonly region: string; readonly archived: number }>;
  readonly endpoint?: { readonly routed: Readonly<Record<string, number>>; readonly replicated: Readonly<Record<string, number>>; readonly flips: number };
  /** The home region's StartExecution requests, and how many started an execution. */
  readonly sagaStarts: { readonly requests: number; readonly started: number };
}

/**
 * Lambda's asynchronous retries wait a minute, then two; here 2 s, then 4 s. Under the chaos load an invocation
 * can take a second or more, and a duplicate copy retried sooner still finds the first copy in progress.
 */
const CHAOS_LAMBDA_RETRY_BASE_MS = 2_000;

/** What the chaos run can ask. */
export type SystemRequest =
  | { readonly type: 'outage'; readonly failing: boolean }
  | { readonly type: 'lift' }
  | { readonly type: 'idle' }
  | { readonly type: 'stop' }
  | { readonly type: 'health'; readonly healthy: boolean }
  | { readonly type: 'regions' };

/** A request as sent; the answer carries the same id. */
export type SystemCommand = SystemRequest & { readonly id: number };

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SystemProcessOptions;
  const system: LocalSystem = await startLocal({
    dataDir: options.dataDir,
    port: options.port,
    workers: 0,
    retryBaseMs: 20,
    lambdaRetryBaseMs: CHAOS_LAMBDA_RETRY_BASE_MS,
    faults: options.faults,
    functionTimeoutMs: options.functionTimeoutMs,
    regions: options.regions ?? 1,
  });
  const send = (message: unknown) => process.send?.(message);
  process.on('message', (command: SystemCommand) => {
    switch (command.type) {
      case 'outage':
        system.deliverySink.failing = command.failing;
        return send({ id: command.id });
      case 'lift':
        system.faults?.lift();
        return send({ id: command.id });
      case 'health':
        return void system.setPrimaryHealthy(command.healthy).then(() => send({ id: command.id }));
      case 'regions': {
        const answer: RegionsAnswer = {
          regions: system.regions.map((region) => ({ region: region.region, archived: region.bus.archived().length })),
          ...(system.globalEndpoint ? { endpoint: system.globalEndpoint.counts() } : {}),
          sagaStarts: { ...system.stepFunctions.starts },
        };
        return send({ id: command.id, answer });
      }
      case 'idle':
        return void system.idle().then(() => send({ id: command.id }));
      case 'stop':
        return void system.stop().then(() => process.exit(0));
    }
  });
  // The parent going away ends this process too, as a crashed container takes its processes with it.
  process.on('disconnect', () => void system.stop().then(() => process.exit(0)));
  send({ type: 'ready', endpoints: system.endpoints });
}

main().catch((error: unknown) => {
  process.stderr.write(`the system process could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
