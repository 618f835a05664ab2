import { actionSlug, type Action, type ActionNeeds, type Application, type Subscription } from './application';
import { EventflowError } from './errors';
import type { RequestVersion } from './catalog';
import { physicalTableName, type TableDefinition } from './tables';
import { PlacementError } from './errors';
import { REGION_PATTERN } from './limits';
import { metricsNamespace } from './metrics';
import { s3BaseUrl } from './schema-location';

export { PlacementError } from './errors';

/**
 * Where one instance of the plan runs: a stage in one region of one account. A second region, a second stage or a
 * second stack is the same plan placed again; the local runtime is the `local` stage in a fake account.
 */
export interface Placement {
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
}

export { ENDPOINT_ID_MAX_LENGTH, ENDPOINT_ID_PATTERN } from './limits';

/** An HTTP route of the order API and the function behind it. */
export interface ApiRoute {
  readonly actionId: string;
  readonly method: string;
  readonly path: string;
  /** API Gateway's route key: `<METHOD> <path>`. */
  readonly routeKey: string;
  /** The body contract the API validates before the function runs (the newest version); none for a route without a body. */
  readonly request?: RequestVersion;
}

/** Stage names: lowercase, at most 16 characters, so every derived name stays inside AWS's limits. */
export const STAGE_NAME = /^[a-z][a-z0-9-]{0,15}$/;
const ACCOUNT = /^\d{12}$/;
/** Lambda function names: 1–64 letters, digits, '-' or '_' (Lambda API reference, CreateFunction). */
const FUNCTION_NAME_LIMIT = 64;
/** Rule names: 1–64 characters (EventBridge API reference, PutRule). */
const RULE_NAME_LIMIT = 64;
/** Bucket names: 3–63 lower-case letters, digits, '.' or '-' (S3 user guide, "General purpose bucket naming rules"). */
const BUCKET_NAME_LIMIT = 63;
/** State machine names: 1–80 characters (Step Functions API reference, CreateStateMachine). */
const STATE_MACHINE_NAME_LIMIT = 80;

/**
 * Every resource name and ARN of one placement, built in one place so infra, the local runtime and the tests name
 * each resource the same way. A name AWS would refuse throws rather than being cut short, since two long names cut
 * to the same length could collide.
 */
export class ResourceNames {
  /** The prefix of every name of the stage, and the name of its event bus in every region. */
  readonly prefix: string;
  readonly eventBusName: string;
  readonly eventBusArn: string;
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  /** The name of the order HTTP API. */
  readonly apiName: string;
  /** The CloudWatch namespace of the stage's custom metrics (the producers' PutEvents metrics). */
  readonly metricsNamespace: string;
  /** The bucket holding every event version's schema for download; bucket names are global, so account and region are in it. */
  readonly schemaBucketName: string;
  /** The base URL the bucket's schemas are stamped under (`metadata.schema`). */
  readonly schemaBaseUrl: string;
  /** The global endpoint's name (one per stage, spanning its regions). */
  readonly endpointName: string;
  /** The rule that routes payment facts to the payments account, and that account's bus. */
  readonly paymentsRouteRuleName: string;
  readonly paymentsBusName: string;
  /** The session name the deployment assumes the payments account's role with. */
  readonly deploySessionName: string;

  constructor(readonly placement: Placement) {
    const { stage, region, accountId } = placement;
    if (!STAGE_NAME.test(stage)) throw new PlacementError(`stage must be 1–16 lowercase letters, digits or '-', starting with a letter, got ${JSON.stringify(stage)}`);
    if (!REGION_PATTERN.test(region)) throw new PlacementError(`region must be an AWS region such as eu-west-1, got ${JSON.stringify(region)}`);
    if (!ACCOUNT.test(accountId)) throw new PlacementError(`accountId must be 12 digits, got ${JSON.stringify(accountId)}`);
    this.prefix = stagePrefix(stage);
    this.eventBusName = this.prefix;
    this.eventBusArn = `arn:aws:events:${region}:${accountId}:event-bus/${this.eventBusName}`;
    this.stateMachineName = limited(`${this.prefix}-order-saga`, STATE_MACHINE_NAME_LIMIT, 'state machine name');
    this.stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${this.stateMachineName}`;
    this.apiName = `${this.prefix}-orders`;
    this.metricsNamespace = metricsNamespace(this.prefix);
    this.schemaBucketName = limited(`${this.prefix}-schemas-${accountId}-${region}`, BUCKET_NAME_LIMIT, 'schema bucket name');
    this.schemaBaseUrl = s3BaseUrl(this.schemaBucketName, region);
    this.endpointName = `${this.prefix}-endpoint`;
    this.paymentsRouteRuleName = limited(`${this.prefix}-to-payments-account`, RULE_NAME_LIMIT, 'payments route rule name');
    this.paymentsBusName = `${this.prefix}-payments`;
    this.deploySessionName = `${this.prefix}-deploy`;
  }

  /** The same stage in another region: the names stay, the ARNs move. */
  inRegion(region: string): ResourceNames {
    return new ResourceNames({ ...this.placement, region });
  }

  tableName(table: TableDefinition): string {
    return physicalTableName(this.prefix, table);
  }

  tableArn(table: TableDefinition): string {
    return `arn:aws:dynamodb:${this.placement.region}:${this.placement.accountId}:table/${this.tableName(table)}`;
  }

  functionName(actionId: string): string {
    return limited(`${this.prefix}-${actionSlug(actionId)}`, FUNCTION_NAME_LIMIT, `function name of ${actionId}`);
  }

  functionArn(actionId: string): string {
    return `arn:aws:lambda:${this.placement.region}:${this.placement.accountId}:function:${this.functionName(actionId)}`;
  }

  /** Any execution of the saga (DescribeExecution is authorized per execution; each is named after its order). */
  get executionArnPattern(): string {
    return `arn:aws:states:${this.placement.region}:${this.placement.accountId}:execution:${this.stateMachineName}:*`;
  }

  ruleName(subscriptionId: string): string {
    return limited(`${this.prefix}-${actionSlug(subscriptionId)}`, RULE_NAME_LIMIT, `rule name of ${subscriptionId}`);
  }

  /** The API destination a subscription delivers to (`delivery.NotifyDeliveryProvider` → `<prefix>-delivery-provider`). */
  apiDestinationName(subscriptionId: string): string {
    return `${this.prefix}-${subscriptionId.split('.')[0]}-provider`;
  }

  ruleArn(subscriptionId: string): string {
    return `arn:aws:events:${this.placement.region}:${this.placement.accountId}:rule/${this.eventBusName}/${this.ruleName(subscriptionId)}`;
  }
}

/** The prefix of every resource name of a stage, and the name of its event bus in every region. */
export function stagePrefix(stage: string): string {
  return `eventflow-${stage}`;
}

function limited(name: string, limit: number, what: string): string {
  if (name.length > limit) throw new PlacementError(`${what} ${JSON.stringify(name)} is ${name.length} characters; AWS allows ${limit}. Use a shorter stage name.`);
  return name;
}

/**
 * What a deployment of the application consists of, answered once from the model: which actions run as
 * functions and what each needs, which are saga tasks, the API's routes, the subscriptions and the tables.
 * Infra instantiates it per region with a provider; the local runtime instantiates it on one machine.
 */
export class DeploymentPlan {
  /** Actions that run as a function (API routes, saga steps that do work, subscriptions delivered to Lambda). */
  readonly functions: readonly Action[];
  /** Saga steps that run a function (the rest are the saga's own `events:putEvents`). */
  readonly sagaTasks: readonly Action[];
  readonly apiRoutes: readonly ApiRoute[];
  readonly subscriptions: readonly Subscription[];
  /** Every table a function uses, once, in the model's order. */
  readonly tables: readonly TableDefinition[];
  /**
   * Services with a function that publishes (the Powertools `service` of the producer metrics), once each, in the
   * model's order. The saga's own putEvents steps are not here: Step Functions reports those.
   */
  readonly producerServices: readonly string[];

  constructor(readonly app: Application) {
    this.functions = app.actions.filter((action) => action.runsAsFunction);
    this.sagaTasks = app.actions.filter((action) => action.trigger.kind === 'saga-step' && action.runsAsFunction);
    this.apiRoutes = app.actions.flatMap((action): ApiRoute[] => {
      if (action.trigger.kind !== 'api') return [];
      const request = app.catalog.currentRequest(action.id);
      return [{ actionId: action.id, method: action.trigger.method, path: action.trigger.path, routeKey: `${action.trigger.method} ${action.trigger.path}`, ...(request ? { request } : {}) }];
    });
    this.subscriptions = app.subscriptions;
    this.tables = [...new Set(this.functions.flatMap((action) => action.needs.tables.map(({ table }) => table)))];
    this.producerServices = [...new Set(this.functions.filter((action) => action.emits.length > 0).map((action) => action.service))];
  }

  /** What the function of an action needs; throws for an action that runs no function. */
  needs(actionId: string): ActionNeeds {
    const action = this.functions.find((candidate) => candidate.id === actionId);
    if (!action) throw new EventflowError(`${actionId} runs no function in the model (known functions: ${this.functions.map((a) => a.id).join(', ')})`);
    return action.needs;
  }

  isSagaTask(actionId: string): boolean {
    return this.sagaTasks.some((action) => action.id === actionId);
  }

  /** Every name of the plan placed in one stage, region and account. */
  names(placement: Placement): ResourceNames {
    return new ResourceNames(placement);
  }
}

const plans = new WeakMap<Application, DeploymentPlan>();

/** The deployment plan of an application, derived once per model. */
export function deploymentPlan(app: Application): DeploymentPlan {
  let plan = plans.get(app);
  if (!plan) {
    plan = new DeploymentPlan(app);
    plans.set(app, plan);
  }
  return plan;
}

/**
 * The header an API destination sends each event's idempotency key in, and where in the event it reads it:
 * EventBridge delivers at least once, and a replay or the other region can deliver the same fact again, so the
 * provider (as payment APIs do with this header) answers a key it has seen without acting twice.
 */
export const PROVIDER_IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', path: '$.detail.metadata.idempotencyKey' } as const;
