import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../model/paths';
import * as infraDefaults from '../../model/limits';
import * as eventBus from '../../infra/event-bus';
import * as orderApi from '../../infra/order-api';
import * as apiDestination from '../../infra/api-destination';
import * as serviceFunction from '../../infra/service-function';
import * as consume from '../../functions/shared/consume';
import * as publish from '../../functions/shared/publish';
import * as sdk from '../../functions/shared/sdk';
import * as stockLedger from '../../functions/inventory/stock-ledger';

/**
 * Every exported default, pinned: a default is a promise to every stack and consumer that relies on it (a retry
 * policy, a retention, an idempotency window), so changing one must be a decision made here, in review, not a
 * side effect. A new `*_DEFAULTS` export without a pin fails the second test.
 */
const PINNED: Record<string, unknown> = {
  // EventBridge's own defaults for a rule target, written out; DLQ messages kept as long as SQS allows (14 days).
  SUBSCRIPTION_DEFAULTS: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400, deadLetterRetentionSeconds: 1_209_600 },
  // The 2024 talk's API destination policy: a minute of retries, four attempts, then the DLQ.
  API_DESTINATION_DEFAULTS: { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 4 },
  // Lambda's asynchronous invocation defaults: two retries, six hours.
  LAMBDA_ASYNC_DEFAULTS: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 },
  EVENT_BUS_DEFAULTS: { archiveRetentionDays: 30, logRetentionDays: 14, schemaDiscovery: true },
  // An order is ~100 bytes; 8 KB stays inside the 16 KB WAF inspects of a body behind API Gateway.
  ORDER_API_DEFAULTS: { throttlingRateLimit: 100, throttlingBurstLimit: 200, logRetentionDays: 14, maxBodyBytes: 8192, stageName: 'api' },
  // EventBridge connections request OAuth tokens with POST unless told; no scope unless the provider needs one.
  OAUTH_DEFAULTS: { httpMethod: 'POST', scopes: [] },
  // The local runtime's function timeout (LOCAL_FUNCTION_TIMEOUT_MS) and Powertools' in-progress expiry follow timeoutSeconds.
  FUNCTION_DEFAULTS: { runtime: 'nodejs22.x', architecture: 'arm64', memorySize: 512, timeoutSeconds: 15, logRetentionDays: 14 },
  // Idempotency records outlive EventBridge's 24 hours of retries.
  CONSUMER_DEFAULTS: { expiresAfterSeconds: 86_400 },
  PUBLISH_DEFAULTS: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2000 },
  SDK_CLIENT_DEFAULTS: { cacheMiddleware: true },
  STOCK_LEDGER_DEFAULTS: { attempts: 5, baseDelayMs: 10 },
};

const modules: ReadonlyArray<Record<string, unknown>> = [infraDefaults, eventBus, orderApi, apiDestination, serviceFunction, consume, publish, sdk, stockLedger];
const exported = Object.fromEntries(modules.flatMap((module) => Object.entries(module).filter(([name]) => name.endsWith('_DEFAULTS'))));

describe('exported defaults', () => {
  it('are what the pins say', () => {
    expect(exported).toEqual(PINNED);
  });

  it('are all pinned: every `export const *_DEFAULTS` in the source is one of the pins', () => {
    const declared: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name.endsWith('.ts')) for (const match of readFileSync(path, 'utf8').matchAll(/^export const (\w+_DEFAULTS)\b/gm)) declared.push(match[1] as string);
      }
    };
    for (const folder of ['infra', 'functions', 'local', 'model', 'statemachines']) visit(join(repoRoot(), folder));
    expect(declared.sort()).toEqual(Object.keys(PINNED).sort());
  });
});
