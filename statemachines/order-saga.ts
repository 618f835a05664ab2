import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Application } from '../model/application';
import { deploymentPlan } from '../model/deployment';
import { repoRoot } from '../model/paths';
import { schemaLocator, type SchemaLocator } from '../model/schema-location';
import { SagaDefinitionError } from './errors';

export { SagaDefinitionError } from './errors';

/** The ASL file, with `${...}` placeholders for what differs per stage or comes from the model and catalog. */
export const ORDER_SAGA_FILE = join(repoRoot(), 'statemachines', 'order-saga.asl.json');

/** The service integration the saga publishes facts with. */
export const PUT_EVENTS_RESOURCE = 'arn:aws:states:::events:putEvents';

/** An ASL document, as plain JSON. */
export type StateMachineDefinition = { readonly StartAt: string; readonly States: Readonly<Record<string, AslState>> } & { readonly [key: string]: unknown };
export type AslState = { readonly Type: string; readonly Resource?: string; readonly [key: string]: unknown };

/** What a stage supplies: where each saga task runs, and the bus facts go to. */
export interface SagaBindings {
  /** The ARN of the function that runs a model action (`inventory.ReserveItem`). */
  readonly functionArn: (actionId: string) => string;
  readonly eventBusName: string;
  /** The base URL of the region's published schemas, stamped as `metadata.schema`. @default - the registry name */
  readonly schemaBaseUrl?: string;
}

/** Errors worth retrying on a function task: Lambda's own service errors, a timeout, and the task's TransientStepError. */
const TRANSIENT_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'States.Timeout', 'TransientStepError'];

/**
 * A crashed invocation leaves its Powertools idempotency record in progress until the function's timeout; the
 * retry waits it out (ten tries up to 30 s apart outlast the 15 s timeout) rather than failing the step.
 */
const IN_PROGRESS_RETRY = { ErrorEquals: ['IdempotencyAlreadyInProgressError'], IntervalSeconds: 5, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' } as const;

/**
 * The saga's retry policies, written once; the ASL names one per state as `"Retry": "${Retry:<policy>}"`.
 * - `task`: a forward step, retried briefly; a step that keeps failing is caught and compensated.
 * - `compensation`: a compensation has no Catch (a failure stops the execution where a redrive resumes it), so it
 *   retries longer.
 * - `publish`: the `events:putEvents` integration fails the whole call on a partial failure; the retry sends every
 *   entry again (the idempotency key makes the repeat harmless).
 */
/**
 * The saga's catch policy, written once: a forward step that still fails after its retries hands the execution to
 * the compensation the ASL names (`"Catch": "${Catch:<state>}"`), with the error kept at `$.error` for it to read.
 */
export function sagaCatch(next: string): ReadonlyArray<{ readonly ErrorEquals: readonly string[]; readonly ResultPath: string; readonly Next: string }> {
  return [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: next }];
}

export const SAGA_RETRY_POLICIES = {
  task: [{ ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' }, IN_PROGRESS_RETRY],
  compensation: [{ ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }, IN_PROGRESS_RETRY],
  publish: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 8, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }],
} as const;

const WHOLE_PLACEHOLDER = /^\$\{([A-Za-z]+)(?::([A-Za-z.]+))?\}$/;

/** The raw definition, placeholders unfilled. */
export function readOrderSaga(): StateMachineDefinition {
  return JSON.parse(readFileSync(ORDER_SAGA_FILE, 'utf8')) as StateMachineDefinition;
}

/**
 * Fills every placeholder of the saga: `${FunctionArn:<action>}` from the bindings, `${EventBusName}`, and the
 * envelope metadata of the facts the saga states itself (`${source|schema|version|ttl|nextVersion:<Event>}`)
 * from the catalog, as typed JSON values. Throws on an unknown placeholder, an action the model does not run
 * as a saga step, or an event the catalog does not have.
 */
export function renderOrderSaga(app: Application, bindings: SagaBindings, now: Date = new Date()): StateMachineDefinition {
  return fill(readOrderSaga(), (kind, argument) => {
    switch (kind) {
      case 'FunctionArn': {
        if (argument === undefined || !deploymentPlan(app).isSagaTask(argument)) {
          throw new SagaDefinitionError(`\${FunctionArn:${argument}}: the model has no saga step "${argument}" that runs a function`);
        }
        return bindings.functionArn(argument);
      }
      case 'EventBusName':
        return bindings.eventBusName;
      case 'Catch': {
        if (argument === undefined || !(argument in readOrderSaga().States)) throw new SagaDefinitionError(`\${Catch:${argument}}: the saga has no state "${argument}" to hand a failure to`);
        return sagaCatch(argument);
      }
      case 'Retry': {
        const policy = argument as keyof typeof SAGA_RETRY_POLICIES | undefined;
        if (policy === undefined || !(policy in SAGA_RETRY_POLICIES))
          throw new SagaDefinitionError(`\${Retry:${argument}}: no such retry policy (known: ${Object.keys(SAGA_RETRY_POLICIES).join(', ')})`);
        return structuredClone(SAGA_RETRY_POLICIES[policy]);
      }
      case 'source':
      case 'schema':
      case 'version':
      case 'ttl':
      case 'nextVersion':
        return metadataValue(app, kind, argument, now, schemaLocator(bindings.schemaBaseUrl));
      default:
        throw new SagaDefinitionError(`unknown placeholder \${${kind}${argument ? `:${argument}` : ''}}`);
    }
  }) as StateMachineDefinition;
}

/** The model action each function-backed Task state runs, by state name (for the local executor's overrides). */
export function sagaTaskActions(): Record<string, string> {
  const tasks: Record<string, string> = {};
  for (const [name, state] of Object.entries(readOrderSaga().States)) {
    const match = typeof state.Resource === 'string' ? WHOLE_PLACEHOLDER.exec(state.Resource) : null;
    if (match?.[1] === 'FunctionArn' && match[2]) tasks[name] = match[2];
  }
  return tasks;
}

/** Names of the Task states that publish with `events:putEvents`. */
export function sagaPublishStates(): string[] {
  return Object.entries(readOrderSaga().States)
    .filter(([, state]) => state.Resource === PUT_EVENTS_RESOURCE)
    .map(([name]) => name);
}

function metadataValue(app: Application, kind: 'source' | 'schema' | 'version' | 'ttl' | 'nextVersion', event: string | undefined, now: Date, locate: SchemaLocator): unknown {
  const live = event ? app.catalog.liveVersions(event, now) : [];
  const entry = live[0];
  if (!entry) throw new SagaDefinitionError(`\${${kind}:${event}}: ${event} is not in the event catalog`);
  if (live.length > 1) {
    // A fact the saga states itself has one envelope; while two versions are live it must come from a task,
    // which double-publishes through the event library.
    throw new SagaDefinitionError(`${event} is double-published until ${entry.ttl}; the saga cannot state it directly, publish it from a task`);
  }
  return { source: entry.source, ...app.catalog.versionMetadata(entry, locate) }[kind];
}

function fill(value: unknown, resolve: (kind: string, argument: string | undefined) => unknown): unknown {
  if (typeof value === 'string') {
    const match = WHOLE_PLACEHOLDER.exec(value);
    if (match) return resolve(match[1] as string, match[2]);
    if (value.includes('${')) throw new SagaDefinitionError(`a placeholder must be a whole string value, found "${value}"`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, resolve));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, resolve)]));
  }
  return value;
}
