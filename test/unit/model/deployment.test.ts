import { Application, ModelValidationError, ORDER_SYSTEM, PlacementError, ResourceNames, deploymentPlan, loadCatalog, loadOrderSystem, type ApplicationDefinition } from '../../../model';
import { IDEMPOTENCY_TABLE, ORDERS_TABLE, TABLES } from '../../../model/tables';
import { thrownBy } from '../../helpers/thrown';

const DEV = { stage: 'dev', region: 'eu-west-1', accountId: '111111111111' };

/** The same model with its services, and each service's actions, declared in reverse order. */
function reversed(definition: ApplicationDefinition): ApplicationDefinition {
  const services = Object.entries(definition.services)
    .reverse()
    .map(([name, service]) => [name, { ...service, actions: Object.fromEntries(Object.entries(service.actions).reverse()) }] as const);
  return { ...definition, services: Object.fromEntries(services) };
}

describe('DeploymentPlan', () => {
  const plan = deploymentPlan(loadOrderSystem());

  it('runs as a function exactly the API routes, the saga steps that do work and the Lambda subscriptions', () => {
    const functions = plan.functions.map((action) => action.id);

    expect(functions).toEqual(expect.arrayContaining(['orders.CreateOrder', 'orders.GetOrder', 'inventory.ReserveItem', 'notifications.SendEmail', 'orders.StartOrderSaga']));
    // Publish-only saga steps are the saga's own events:putEvents; the delivery provider is an API destination.
    expect(functions).not.toContain('orders.CompleteOrder');
    expect(functions).not.toContain('orders.CancelOrder');
    expect(functions).not.toContain('delivery.NotifyDeliveryProvider');
    expect(plan.sagaTasks.map((action) => action.id)).toEqual(expect.arrayContaining(['inventory.ReserveItem', 'payment.MakePayment', 'payment.RefundPayment']));
    expect(plan.sagaTasks.every((action) => functions.includes(action.id))).toBe(true);
    expect(plan.apiRoutes.map((route) => route.routeKey).sort()).toEqual(['GET /orders/{orderId}', 'POST /orders']);
  });

  it('answers each function’s needs from the model, and refuses an action that runs no function', () => {
    expect(plan.needs('orders.CreateOrder')).toEqual({ tables: [{ table: ORDERS_TABLE, access: 'write' }], publishes: true });
    expect(() => plan.needs('orders.CompleteOrder')).toThrow(/orders.CompleteOrder runs no function/);
    // Every table the functions use, once; every model table is used by some function.
    expect(new Set(plan.tables).size).toBe(plan.tables.length);
    expect([...plan.tables].sort((a, b) => a.logicalName.localeCompare(b.logicalName))).toEqual([...TABLES].sort((a, b) => a.logicalName.localeCompare(b.logicalName)));
  });

  it('is the same plan, with the same names, whatever order the model declares things in', () => {
    const other = deploymentPlan(Application.load(reversed(ORDER_SYSTEM), loadCatalog()));
    const ids = (actions: readonly { id: string }[]) => actions.map((a) => a.id).sort();

    expect(ids(other.functions)).toEqual(ids(plan.functions));
    expect(ids(other.sagaTasks)).toEqual(ids(plan.sagaTasks));
    const names = plan.names(DEV);
    const otherNames = other.names(DEV);
    for (const action of plan.functions) expect(otherNames.functionName(action.id)).toBe(names.functionName(action.id));
    for (const subscription of plan.subscriptions) expect(otherNames.ruleName(subscription.id)).toBe(names.ruleName(subscription.id));
  });

  describe('model checks of needs', () => {
    const withAction = (service: string, name: string, change: Record<string, unknown>): ApplicationDefinition => {
      const services: ApplicationDefinition['services'] = ORDER_SYSTEM.services;
      const current = services[service]!;
      return { ...ORDER_SYSTEM, services: { ...ORDER_SYSTEM.services, [service]: { ...current, actions: { ...current.actions, [name]: { ...current.actions[name]!, ...change } } } } };
    };

    it('requires needs of an action that runs as a function', () => {
      const error = thrownBy(() => Application.load(withAction('orders', 'GetOrder', { needs: undefined }), loadCatalog()), ModelValidationError);
      expect(error.problems).toContainEqual({ where: 'services.orders.actions.GetOrder', problem: expect.stringMatching(/must declare its needs/) });
    });

    it('refuses needs on a publish-only saga step', () => {
      const error = thrownBy(
        () => Application.load(withAction('orders', 'CompleteOrder', { needs: { tables: [{ table: IDEMPOTENCY_TABLE, access: 'write' }] } }), loadCatalog()),
        ModelValidationError,
      );
      expect(error.problems).toContainEqual({ where: 'services.orders.actions.CompleteOrder', problem: expect.stringMatching(/runs no function/) });
    });
  });
});

describe('ResourceNames', () => {
  const names = new ResourceNames(DEV);

  // Formats: EventBridge, Step Functions, Lambda and DynamoDB resource types in the Service Authorization Reference,
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html#amazoneventbridge-resources-for-iam-policies
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html#awsstepfunctions-resources-for-iam-policies
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html#awslambda-resources-for-iam-policies
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html#amazondynamodb-resources-for-iam-policies
  it('names every resource of a placement in the formats AWS documents', () => {
    expect(names.eventBusArn).toBe('arn:aws:events:eu-west-1:111111111111:event-bus/eventflow-dev');
    expect(names.stateMachineArn).toBe('arn:aws:states:eu-west-1:111111111111:stateMachine:eventflow-dev-order-saga');
    expect(names.executionArnPattern).toBe('arn:aws:states:eu-west-1:111111111111:execution:eventflow-dev-order-saga:*');
    expect(names.functionArn('orders.CreateOrder')).toBe('arn:aws:lambda:eu-west-1:111111111111:function:eventflow-dev-orders-CreateOrder');
    expect(names.tableArn(ORDERS_TABLE)).toBe('arn:aws:dynamodb:eu-west-1:111111111111:table/eventflow-dev-orders');
    expect(names.ruleArn('orders.StartOrderSaga')).toBe('arn:aws:events:eu-west-1:111111111111:rule/eventflow-dev/eventflow-dev-orders-StartOrderSaga');
    expect([names.apiDestinationName('delivery.NotifyDeliveryProvider'), names.paymentsRouteRuleName, names.paymentsBusName]).toEqual([
      'eventflow-dev-delivery-provider',
      'eventflow-dev-to-payments-account',
      'eventflow-dev-payments',
    ]);
  });

  it('keeps the names and moves the ARNs to another region', () => {
    const secondary = names.inRegion('eu-central-1');

    expect(secondary.eventBusName).toBe(names.eventBusName);
    expect(secondary.functionName('orders.CreateOrder')).toBe(names.functionName('orders.CreateOrder'));
    expect(secondary.stateMachineArn).toBe('arn:aws:states:eu-central-1:111111111111:stateMachine:eventflow-dev-order-saga');
  });

  it('refuses a placement AWS could not hold, saying what was wrong', () => {
    expect(() => new ResourceNames({ ...DEV, stage: 'Dev' })).toThrow(PlacementError);
    expect(() => new ResourceNames({ ...DEV, stage: 'a-very-long-stage-name' })).toThrow(/stage must be 1–16/);
    expect(() => new ResourceNames({ ...DEV, region: 'mars-1' })).toThrow(/region must be an AWS region/);
    expect(() => new ResourceNames({ ...DEV, accountId: '123' })).toThrow(/accountId must be 12 digits, got "123"/);
  });

  it('refuses a name longer than AWS allows rather than cutting it short', () => {
    const longest = new ResourceNames({ ...DEV, stage: 'abcdefghijklmnop' });
    expect(() => longest.functionName('notifications.SendEmailToEveryCustomerWeHaveEverHad')).toThrow(/AWS allows 64/);
  });
});
