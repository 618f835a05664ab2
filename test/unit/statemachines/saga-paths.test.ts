import { deploymentPlan, loadOrderSystem, type Action } from '../../../model';
import { readOrderSaga, renderOrderSaga, sagaTaskActions } from '../../../statemachines/order-saga';
import { SAGA_STEP_OUTPUTS, SagaInputError, priorSteps } from '../../../functions/shared';

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly ResultPath?: string;
  readonly Default?: string;
  readonly Choices?: ReadonlyArray<{ readonly Variable: string; readonly StringEquals?: string; readonly Next: string }>;
  readonly Catch?: ReadonlyArray<{ readonly Next: string }>;
}

/** One walk through the saga: the states it went through, the facts that happened, and whether it is compensating. */
interface Walk {
  readonly states: readonly string[];
  readonly facts: readonly string[];
  /** A step failed (a Catch was taken) or a compensation found nothing to undo: only compensations may follow. */
  readonly compensating: boolean;
  /** The outcomes a function task's result may still hold, by result path, until a Choice reads it. */
  readonly pending: ReadonlyMap<string, readonly string[]>;
}

/** A model step reached on a walk. */
interface Visit {
  readonly action: Action;
  readonly walk: Walk;
}

/**
 * Every path through the ASL, from StartAt to a Succeed or Fail state, following Next, every Choice branch and
 * every Catch. Facts happen as the model says: a function task's outcome is one of the facts its action emits
 * (read at the Choice that tests it, or at once when it emits only one), and a publish-only step states its fact.
 */
function walkAll(): { ends: Walk[]; visits: Visit[] } {
  const app = loadOrderSystem();
  const plan = deploymentPlan(app);
  // Rendered: the Catch and Retry policies are placeholders in the file, filled from the one policy.
  const definition = renderOrderSaga(app, { functionArn: (id) => `arn:aws:lambda:eu-west-1:111111111111:function:${id}`, eventBusName: 'bus' });
  const states = definition.States as unknown as Record<string, AslState>;
  const taskActions = sagaTaskActions();
  const publishOnly = new Map(app.actions.filter((a) => a.trigger.kind === 'saga-step' && !plan.isSagaTask(a.id)).map((a) => [a.name, a]));
  const ends: Walk[] = [];
  const visits: Visit[] = [];

  const visit = (name: string, walk: Walk): void => {
    const state = states[name];
    if (!state) throw new Error(`state ${name} does not exist (after ${walk.states.join(' → ')})`);
    if (walk.states.length > 200) throw new Error(`a loop: ${walk.states.slice(-10).join(' → ')}`);
    let here: Walk = { ...walk, states: [...walk.states, name] };
    const actionId = taskActions[name];
    const action = actionId ? app.action(actionId) : state.Type === 'Task' ? publishOnly.get(name) : undefined;
    if (action) {
      visits.push({ action, walk: here });
      if (actionId && state.ResultPath) {
        const outcomes = action.emits;
        here = outcomes.length === 1 ? { ...here, facts: [...here.facts, outcomes[0] as string] } : { ...here, pending: new Map([...here.pending, [state.ResultPath, outcomes]]) };
      } else if (!actionId) here = { ...here, facts: [...here.facts, ...action.emits] };
    }
    for (const caught of state.Catch ?? []) visit(caught.Next, { ...here, compensating: true });
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End) {
      ends.push(here);
      return;
    }
    if (state.Type !== 'Choice') return visit(state.Next as string, here);

    const tested = new Set<string>();
    for (const rule of state.Choices ?? []) {
      const resultPath = /^(\$\.[a-z]+)\.outcome$/.exec(rule.Variable)?.[1];
      const value = rule.StringEquals;
      if (!resultPath || value === undefined || !here.pending.has(resultPath)) {
        visit(rule.Next, here); // not an outcome (the cancellation's reason): both ways, no fact
        continue;
      }
      tested.add(value);
      const emitted = here.pending.get(resultPath)?.includes(value) === true;
      visit(rule.Next, emitted ? { ...here, facts: [...here.facts, value] } : { ...here, compensating: true });
    }
    if (!state.Default) return;
    const outcomeTests = (state.Choices ?? []).map((rule) => /^(\$\.[a-z]+)\.outcome$/.exec(rule.Variable)?.[1]).filter((path): path is string => path !== undefined && here.pending.has(path));
    const resultPath = outcomeTests[0];
    const remaining = resultPath ? (here.pending.get(resultPath) ?? []).filter((outcome) => !tested.has(outcome)) : [];
    if (remaining.length === 0) visit(state.Default, here);
    for (const outcome of remaining) visit(state.Default, { ...here, facts: [...here.facts, outcome] });
  };

  visit(definition.StartAt, { states: [], facts: ['OrderCreated'], compensating: false, pending: new Map() });
  return { ends, visits };
}

// The ASL stays a hand-written file (the deployed definition, the local run and the docs' diagram read it); this
// walks every path through it and holds each step to the model's `after` relation, so the two cannot drift apart.
describe('the order saga’s paths against the model', () => {
  const app = loadOrderSystem();
  const { ends, visits } = walkAll();
  const afterOf = (action: Action) => action.inputs.map((input) => input.name);
  const isCompensation = (action: Action) => action.trigger.kind === 'saga-step' && action.trigger.compensation;

  it('reaches every step only after a fact the model says leads to it, or, once compensating, only compensations', () => {
    const violations = visits.flatMap(({ action, walk }) => {
      if (walk.compensating) return isCompensation(action) ? [] : [`${action.id} runs after a failure: ${walk.states.join(' → ')}`];
      return afterOf(action).some((fact) => walk.facts.includes(fact)) ? [] : [`${action.id} runs after ${walk.facts.join(', ')}, none of ${afterOf(action).join(', ')}: ${walk.states.join(' → ')}`];
    });

    expect(visits.length).toBeGreaterThan(20);
    expect(violations).toEqual([]);
  });

  it('realizes every edge of the model: each step is reached after each fact that leads to it', () => {
    const steps = app.actions.filter((action) => action.trigger.kind === 'saga-step');
    const missing = steps.flatMap((step) =>
      afterOf(step)
        .filter((fact) => !visits.some(({ action, walk }) => action.id === step.id && !walk.compensating && walk.facts.includes(fact)))
        .map((fact) => `${fact} → ${step.id}`),
    );

    expect(steps.length).toBeGreaterThan(8);
    expect(missing).toEqual([]);
  });

  it('ends every path with exactly one outcome: completed after CompleteOrder, cancelled after CancelOrder', () => {
    const wrong = ends.flatMap((walk) => {
      const last = walk.states.at(-1);
      const completed = walk.states.includes('CompleteOrder');
      const cancelled = walk.states.includes('CancelOrder');
      if (completed === cancelled) return [`${completed ? 'both outcomes' : 'no outcome'}: ${walk.states.join(' → ')}`];
      if (last === 'OrderCompleted' && !completed) return [`completes without CompleteOrder: ${walk.states.join(' → ')}`];
      return [];
    });

    expect(ends.length).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });
});

describe('the saga state’s named step outputs', () => {
  it('are where the ASL puts each step’s result, and each names a fact its step emits', () => {
    const app = loadOrderSystem();
    const states = readOrderSaga().States as unknown as Record<string, AslState>;
    const stateOf = Object.fromEntries(Object.entries(sagaTaskActions()).map(([state, actionId]) => [actionId, state]));
    const expected: Record<keyof typeof SAGA_STEP_OUTPUTS, string> = {
      reservation: 'ItemReserved',
      item: 'ItemDescribed',
      customer: 'CustomerDescribed',
      estimate: 'DeliveryEstimated',
      payment: 'PaymentMade',
    };

    for (const [name, actionId] of Object.entries(SAGA_STEP_OUTPUTS)) {
      const state = states[stateOf[actionId] ?? ''];
      expect({ name, resultPath: state?.ResultPath }).toEqual({ name, resultPath: `$.${name}` });
      expect({ name, emits: app.action(actionId).emits.includes(expected[name as keyof typeof expected]) }).toEqual({ name, emits: true });
    }
  });

  it('refuses a task run before the steps it reads, naming them', () => {
    const input = { order: { orderId: 'o', customerId: 'c', productId: 'p', quantity: 1 }, cause: { correlationId: 'c', idempotencyKey: 'k' }, stepKey: 'k:MakePayment' };

    expect(() => priorSteps(input, 'item', 'estimate')).toThrow(new SagaInputError("the saga's state lacks item, estimate: this step runs before the steps it reads"));
  });
});
