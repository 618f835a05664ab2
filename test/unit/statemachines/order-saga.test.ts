import { loadOrderSystem } from '../../../model';
import { SAGA_RETRY_POLICIES, SagaDefinitionError, sagaCatch, readOrderSaga, renderOrderSaga, sagaPublishStates, sagaTaskActions } from '../../../statemachines/order-saga';
import { CatalogCopy } from '../../helpers/catalog-fixture';
import { FUNCTION_DEFAULTS } from '../../../infra/service-function';
import { Application, EventCatalog, ORDER_SYSTEM } from '../../../model';

// asl-validator ships no types; this is the call we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown, options: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };

const bindings = { functionArn: (id: string) => `arn:aws:lambda:eu-west-1:111111111111:function:eventflow-dev-${id.replace('.', '-')}`, eventBusName: 'eventflow-dev' };

describe('order saga definition', () => {
  it('renders to valid ASL (asl-validator, paths and ARNs checked)', () => {
    const definition = renderOrderSaga(loadOrderSystem(), bindings);

    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('runs every function-backed saga step of the model, and only those', () => {
    const modelSteps = loadOrderSystem()
      .actions.filter((a) => a.trigger.kind === 'saga-step' && !a.trigger.publishOnly)
      .map((a) => a.id)
      .sort();

    expect([...new Set(Object.values(sagaTaskActions()))].sort()).toEqual(modelSteps);
  });

  it('fills the envelope of the facts it states itself from the catalog', () => {
    const definition = renderOrderSaga(loadOrderSystem(), bindings);
    const entry = (definition.States.CompleteOrder as unknown as { Parameters: { Entries: Array<Record<string, unknown>> } }).Parameters.Entries[0]!;

    expect(entry).toMatchObject({
      EventBusName: 'eventflow-dev',
      Source: 'eventflow.orders',
      DetailType: 'OrderCompleted',
      Detail: { metadata: { version: 1, schema: 'eventflow.orders@OrderCompleted.v1', ttl: null, nextVersion: null } },
    });
  });

  it('publishes every saga step’s fact and the two outcomes', () => {
    expect(sagaPublishStates()).toEqual(expect.arrayContaining(['PublishReservation', 'PublishPaymentOutcome', 'CompleteOrder', 'CancelOrder', 'PublishRefund', 'PublishRelease']));
  });

  it('emits only catalog events from its putEvents states: a task’s validated entries, or a fact the model says a saga step states', () => {
    const states = readOrderSaga().States as Record<string, { Resource?: string; ResultPath?: string; Parameters?: { 'Entries.$'?: string; Entries?: Array<{ DetailType: string; Source: string }> } }>;
    const taskResults = new Set(Object.keys(sagaTaskActions()).map((state) => `${states[state]?.ResultPath}.entries`));
    const app = loadOrderSystem();
    const stated = app.actions.filter((a) => a.trigger.kind === 'saga-step' && a.trigger.publishOnly).flatMap((a) => a.emits);
    const emitted: string[] = [];

    for (const name of sagaPublishStates()) {
      const parameters = states[name]?.Parameters ?? {};
      if (parameters['Entries.$'] !== undefined) {
        expect({ state: name, fromTask: taskResults.has(parameters['Entries.$']) }).toEqual({ state: name, fromTask: true });
        continue;
      }
      for (const entry of parameters.Entries ?? []) {
        expect({ state: name, event: entry.DetailType, source: entry.Source }).toEqual({
          state: name,
          event: expect.stringMatching(new RegExp(`^(${stated.join('|')})$`)),
          source: `\${source:${entry.DetailType}}`,
        });
        expect(app.catalog.versionsOf(entry.DetailType)).not.toHaveLength(0);
        emitted.push(entry.DetailType);
      }
    }
    expect(emitted.sort()).toEqual([...stated].sort());
  });

  it('branches only on outcomes its tasks can return: a fact the model says the action emits, or nothing to do', () => {
    const states = readOrderSaga().States as Record<string, { Type: string; ResultPath?: string; Choices?: Array<{ Variable: string; StringEquals?: string }> }>;
    const actionAt = new Map(Object.entries(sagaTaskActions()).map(([state, actionId]) => [states[state]?.ResultPath, actionId]));
    const app = loadOrderSystem();
    const checked: string[] = [];

    for (const state of Object.values(states)) {
      for (const choice of state.Choices ?? []) {
        const resultPath = /^(\$\.[a-z]+)\.outcome$/.exec(choice.Variable)?.[1];
        if (!resultPath || choice.StringEquals === undefined) continue;
        const actionId = actionAt.get(resultPath);
        expect({ choice: choice.StringEquals, actionId }).toEqual({ choice: choice.StringEquals, actionId: expect.any(String) });
        const emits = app.action(actionId as string).emits;
        expect({ choice: choice.StringEquals, allowed: emits.includes(choice.StringEquals) || choice.StringEquals.startsWith('Nothing') }).toEqual({ choice: choice.StringEquals, allowed: true });
        checked.push(choice.StringEquals);
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['ItemNotAvailable', 'ErrorCustomerDescribed', 'PaymentFailed', 'ErrorItemUnreserved', 'NothingToRefund', 'NothingToRelease']));
  });

  it('retries only transient errors on function tasks, with full jitter', () => {
    const reserve = renderOrderSaga(loadOrderSystem(), bindings).States.ReserveItem as unknown as { Retry: Array<{ ErrorEquals: string[]; JitterStrategy: string; MaxAttempts: number }> };

    expect(reserve.Retry).toHaveLength(2);
    expect(reserve.Retry[0]).toMatchObject({ JitterStrategy: 'FULL', MaxAttempts: 3 });
    expect(reserve.Retry[0]?.ErrorEquals).not.toContain('States.ALL');
    expect(reserve.Retry[0]?.ErrorEquals).toContain('Lambda.TooManyRequestsException');
  });

  it('waits out a crashed invocation’s in-progress idempotency record before giving up on a task', () => {
    // Powertools keeps a record in progress until the invocation's timeout; a retry that gives up sooner would
    // cancel an order whose Lambda merely crashed.
    type Retrier = { ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number; BackoffRate: number; MaxDelaySeconds: number };
    for (const state of Object.keys(sagaTaskActions())) {
      const retriers = (renderOrderSaga(loadOrderSystem(), bindings).States[state] as unknown as { Retry: Retrier[] }).Retry;
      const inProgress = retriers.find((retrier) => retrier.ErrorEquals.includes('IdempotencyAlreadyInProgressError'));
      const waits = Array.from({ length: inProgress?.MaxAttempts ?? 0 }, (_, n) => Math.min(inProgress!.IntervalSeconds * inProgress!.BackoffRate ** n, inProgress!.MaxDelaySeconds));

      const longestWait = waits.reduce((sum, wait) => sum + wait, 0);

      expect({ state, outlastsFourTimeouts: longestWait > 4 * FUNCTION_DEFAULTS.timeoutSeconds }).toEqual({ state, outlastsFourTimeouts: true });
    }
  });

  it('writes the catch policy once: every Catch names the state it hands the failure to, and renders to the one policy', () => {
    const raw = readOrderSaga().States as Record<string, { Catch?: unknown }>;
    const rendered = renderOrderSaga(loadOrderSystem(), bindings).States as Record<string, { Catch?: unknown }>;
    const catching = Object.entries(raw).filter(([, state]) => state.Catch !== undefined);

    expect(catching.length).toBeGreaterThan(10);
    for (const [name, state] of catching) {
      const next = /^\$\{Catch:([A-Za-z]+)\}$/.exec(String(state.Catch))?.[1];
      expect({ name, next: next !== undefined && next in raw }).toEqual({ name, next: true });
      expect({ name, catch: rendered[name]?.Catch }).toEqual({ name, catch: sagaCatch(next as string) });
    }
  });

  it('writes each retry policy once: every state names a policy, and the rendered states carry it', () => {
    const raw = readOrderSaga().States as Record<string, { Retry?: unknown }>;
    const rendered = renderOrderSaga(loadOrderSystem(), bindings).States as Record<string, { Retry?: unknown }>;
    const named = Object.entries(raw).filter(([, state]) => state.Retry !== undefined);

    expect(named.length).toBeGreaterThan(15);
    for (const [name, state] of named) {
      const policy = /^\$\{Retry:([a-z]+)\}$/.exec(String(state.Retry))?.[1] as keyof typeof SAGA_RETRY_POLICIES | undefined;
      expect({ name, policy: policy !== undefined && policy in SAGA_RETRY_POLICIES }).toEqual({ name, policy: true });
      expect({ name, retry: rendered[name]?.Retry }).toEqual({ name, retry: SAGA_RETRY_POLICIES[policy as keyof typeof SAGA_RETRY_POLICIES] });
    }
  });

  it('has no Catch on compensations and outcomes: a failure there stops the execution at that state, where a redrive resumes', () => {
    const states = renderOrderSaga(loadOrderSystem(), bindings).States as Record<string, { Type: string; Catch?: Array<{ Next: string }>; Resource?: string; Next?: string }>;
    const compensations = ['RefundPayment', 'PublishRefund', 'ReleaseItem', 'PublishRelease', 'CompleteOrder', 'CancelOrder'];

    for (const state of compensations) expect({ state, catch: states[state]?.Catch }).toEqual({ state, catch: undefined });
    // Every Fail state left is reached only after the order's outcome was published.
    const fails = Object.entries(states)
      .filter(([, state]) => state.Type === 'Fail')
      .map(([name]) => name);
    expect(fails).toEqual(['CancelledAfterStepFailure']);
  });

  it('refuses a task the model does not run as a saga step', () => {
    const inventory = ORDER_SYSTEM.services.inventory!;
    const reserveBySubscription = { ...inventory.actions.ReserveItem!, trigger: { kind: 'subscription' as const, consumes: ['OrderCreated'], target: 'lambda' as const } };
    const app = Application.load(
      { ...ORDER_SYSTEM, services: { ...ORDER_SYSTEM.services, inventory: { ...inventory, actions: { ...inventory.actions, ReserveItem: reserveBySubscription } } } },
      loadOrderSystem().catalog,
    );

    expect(() => renderOrderSaga(app, bindings)).toThrow(new SagaDefinitionError('${FunctionArn:inventory.ReserveItem}: the model has no saga step "inventory.ReserveItem" that runs a function'));
  });

  it('refuses to state a fact itself while it is double-published', () => {
    const copy = new CatalogCopy();
    try {
      const v1 = copy.read('orders/OrderCancelled.v1.json');
      copy.write('orders/OrderCancelled.v1.json', { ...v1, 'x-eventflow': { ttl: '2999-01-01T00:00:00Z', nextVersion: 2 } });
      copy.write('orders/OrderCancelled.v2.json', v1);
      const app = Application.load(ORDER_SYSTEM, EventCatalog.load(copy.dir));

      expect(() => renderOrderSaga(app, bindings)).toThrow('OrderCancelled is double-published until 2999-01-01T00:00:00Z; the saga cannot state it directly, publish it from a task');
    } finally {
      copy.dispose();
    }
  });
});
