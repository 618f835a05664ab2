import { synthesizeShared } from '../../helpers/synth-cache';
import { PROVIDER_IDEMPOTENCY_HEADER, deploymentPlan, loadOrderSystem } from '../../../model';
import { REDRIVE_INPUT_PATH } from '../../../model/redrive';
import type { SynthResult } from '../../../infra/synth/synthesize';
import { ofType, type RecordedResource } from '../../helpers/pulumi-mocks';

interface Statement {
  Action: string | string[];
  Resource: string | string[];
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * The dev stage has a global endpoint (eu-west-1, replica in eu-central-1): every producer publishes through it, and
 * every region's StartOrderSaga and GetOrder use the home region's saga (README, "Two regions").
 */
describe('the dev stack in two regions (Pulumi.dev.yaml under mocks)', () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthesizeShared('dev');
  }, 60_000);
  const plan = deploymentPlan(loadOrderSystem());
  const functions = () => ofType(result.resources, 'aws:lambda/function:Function');
  const environment = (fn: RecordedResource) => (fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
  const functionsOf = (actionId: string) => functions().filter((fn) => fn.inputs.name === `eventflow-dev-${actionId.replace('.', '-')}`);
  const policyOf = (fn: RecordedResource): Statement[] => {
    const role = String(fn.inputs.role);
    const policies = ofType(result.resources, 'aws:iam/rolePolicy:RolePolicy').filter((policy) => role.endsWith(`/${String(policy.inputs.role)}`) || role === policy.inputs.role);
    return policies.flatMap((policy) => (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement);
  };

  it('gives every publishing function, in both regions, the endpoint id the stack exports', () => {
    const publishers = plan.functions.filter((action) => action.needs.publishes);
    expect(publishers.map((action) => action.id).sort()).toEqual(['notifications.SendEmail', 'orders.CreateOrder']);
    for (const action of publishers) {
      const deployed = functionsOf(action.id);
      expect(deployed.map((fn) => fn.region).sort()).toEqual(['eu-central-1', 'eu-west-1']);
      for (const fn of deployed)
        expect({ fn: `${action.id}@${fn.region}`, endpointId: environment(fn).EVENT_BUS_ENDPOINT_ID }).toEqual({ fn: `${action.id}@${fn.region}`, endpointId: result.outputs.endpointId });
    }
    // A function that does not publish has no endpoint to publish to.
    for (const fn of functionsOf('orders.StartOrderSaga')) expect(environment(fn).EVENT_BUS_ENDPOINT_ID).toBeUndefined();
  });

  it('lets a publisher PutEvents on both regions’ buses, since the endpoint may route a call to either', () => {
    for (const fn of functionsOf('orders.CreateOrder')) {
      const putEvents = policyOf(fn).filter((statement) => list(statement.Action).includes('events:PutEvents'));
      expect(putEvents.flatMap((statement) => list(statement.Resource)).sort()).toEqual([
        'arn:aws:events:eu-central-1:111111111111:event-bus/eventflow-dev',
        'arn:aws:events:eu-west-1:111111111111:event-bus/eventflow-dev',
      ]);
    }
  });

  it('points StartOrderSaga and GetOrder in both regions at the home region’s saga, and grants exactly that', () => {
    const home = 'arn:aws:states:eu-west-1:111111111111:stateMachine:eventflow-dev-order-saga';
    for (const actionId of ['orders.StartOrderSaga', 'orders.GetOrder']) {
      const deployed = functionsOf(actionId);
      expect(deployed).toHaveLength(2);
      for (const fn of deployed) {
        expect({ fn: `${actionId}@${fn.region}`, saga: environment(fn).ORDER_SAGA_ARN }).toEqual({ fn: `${actionId}@${fn.region}`, saga: home });
        const sagaResources = policyOf(fn)
          .filter((statement) => list(statement.Action).some((action) => action.startsWith('states:')))
          .flatMap((statement) => list(statement.Resource));
        expect(sagaResources.length).toBeGreaterThan(0);
        expect(sagaResources.filter((resource) => !resource.startsWith('arn:aws:states:eu-west-1:111111111111:'))).toEqual([]);
      }
    }
  });

  it('sends the delivery provider each event’s idempotency key, on the rule and on its redrive rule', () => {
    const targets = ofType(result.resources, 'aws:cloudwatch/eventTarget:EventTarget').filter((target) => String(target.inputs.arn).includes(':api-destination/'));
    expect(targets.length).toBeGreaterThanOrEqual(2);
    for (const target of targets) {
      const headers = (target.inputs.httpTarget as { headerParameters?: Record<string, string> } | undefined)?.headerParameters;
      const expected = target.inputs.inputPath === REDRIVE_INPUT_PATH ? `${REDRIVE_INPUT_PATH}.detail.metadata.idempotencyKey` : PROVIDER_IDEMPOTENCY_HEADER.path;
      expect(headers).toEqual({ [PROVIDER_IDEMPOTENCY_HEADER.name]: expected });
    }
  });
});
