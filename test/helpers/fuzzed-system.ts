import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { startLocal, type LocalSystem, type StartLocalOptions } from '../../local/start-local';
import { LOCAL_CLIENT_CONFIG } from '../../local/placement';

/**
 * Every uncaught exception and unhandled rejection the process meets while the calling suite runs, for suites that
 * prove no input can crash a server. Registers its own beforeAll and afterAll. Jest gives each test file a copy of
 * `process` whose listeners Node never calls; the real one is reached here.
 */
export function watchCrashes(): readonly unknown[] {
  const crashes: unknown[] = [];
  const realProcess = runInThisContext('process') as NodeJS.Process;
  const onCrash = (error: unknown): void => void crashes.push(error);
  beforeAll(() => {
    realProcess.on('uncaughtException', onCrash);
    realProcess.on('unhandledRejection', onCrash);
  });
  afterAll(() => {
    realProcess.off('uncaughtException', onCrash);
    realProcess.off('unhandledRejection', onCrash);
  });
  return crashes;
}

/** The local system in memory, as the bad-input suites fuzz it, with a DynamoDB client on its tables. */
export interface FuzzedSystem {
  readonly system: LocalSystem;
  readonly dynamo: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startFuzzedSystem(label: string, options: Omit<StartLocalOptions, 'dataDir' | 'inMemory' | 'port' | 'workers'> = {}): Promise<FuzzedSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), `eventflow-${label}-`));
  const system = await startLocal({ ...options, port: 0, inMemory: true, dataDir, workers: 0 });
  const dynamo = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: system.endpoints.dynamodb });
  return {
    system,
    dynamo,
    stop: async () => {
      dynamo.destroy();
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Counts by key, and prints them at the end when BAD_INPUT_SUMMARY is set (what each kind of bad input got). */
export function tallyOf(label: string): { readonly count: (key: string, by?: number) => void; readonly get: (key: string) => number | undefined } {
  const tally = new Map<string, number>();
  afterAll(() => {
    if (process.env.BAD_INPUT_SUMMARY) process.stdout.write(`\n${label}: ${JSON.stringify(Object.fromEntries([...tally].sort()), null, 1)}\n`);
  });
  return { count: (key, by = 1) => void tally.set(key, (tally.get(key) ?? 0) + by), get: (key) => tally.get(key) };
}
