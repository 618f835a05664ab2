import type { EventCatalog, EventVersion } from './catalog';
import { ModelValidationError, type ModelProblem } from './errors';
import { subscriptionPattern, type EventPattern } from './patterns';
import type { TableDefinition } from './tables';
import { EventflowError } from './errors';

/** An event a consumer understands: a name (meaning version 1) or a name and a version. */
export type EventSelector = string | { readonly event: string; readonly version: number };

/** The action answers a synchronous API call (design table column "API (sync)"). */
export interface ApiTrigger {
  readonly kind: 'api';
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Route path with `{param}` placeholders, e.g. `/orders/{orderId}`. */
  readonly path: string;
}

/** An orchestrated step: the order saga runs it once the facts in `after` have happened. */
export interface SagaStepTrigger {
  readonly kind: 'saga-step';
  /** The facts that lead the saga to this step (design table column "Input events"). */
  readonly after: readonly EventSelector[];
  /** The step undoes earlier work (release a reservation, refund, cancel). */
  readonly compensation: boolean;
  /** The saga publishes the step's fact itself with `events:putEvents`; no function runs. */
  readonly publishOnly: boolean;
}

/** Where a choreographed subscription's rule delivers the events it matches. */
export type SubscriptionTarget = 'lambda' | 'state-machine' | 'api-destination';

/** A choreographed subscription: an EventBridge rule matches the consumed events and delivers them to the target. */
export interface SubscriptionTrigger {
  readonly kind: 'subscription';
  readonly consumes: readonly EventSelector[];
  readonly target: SubscriptionTarget;
  /** Extra content filter, merged into the derived pattern (EventBridge pattern syntax). */
  readonly filter?: EventPattern;
}

export type Trigger = ApiTrigger | SagaStepTrigger | SubscriptionTrigger;

/**
 * What an action's function touches beyond its input, so each deployment grants exactly that (IAM statements,
 * environment variables) and the local runtime wires the same. Only actions that run as a function have needs.
 */
export interface ActionNeeds {
  readonly tables: ReadonlyArray<{ readonly table: TableDefinition; readonly access: 'read' | 'write' }>;
  /** Calls PutEvents itself (the saga publishes for its tasks). */
  readonly publishes?: boolean;
  /** Starts the order's saga execution (StartExecution). */
  readonly startsSaga?: boolean;
  /** Reads the state of an order's saga execution (DescribeExecution). */
  readonly readsSaga?: boolean;
  readonly sendsEmail?: boolean;
}

/** One row of the design table: what starts the action and which facts it emits. */
export interface ActionDefinition {
  readonly description: string;
  readonly trigger: Trigger;
  /** Names of the events the action may emit; every live version of each is published. */
  readonly emits: readonly string[];
  /** What its function touches; required for an action that runs as a function, refused for one that does not. */
  readonly needs?: ActionNeeds;
}

export interface ServiceDefinition {
  readonly description: string;
  readonly actions: Readonly<Record<string, ActionDefinition>>;
}

/** The whole system as the design table states it: services, their actions, and how each action is started. */
export interface ApplicationDefinition {
  readonly name: string;
  readonly services: Readonly<Record<string, ServiceDefinition>>;
}

/** An action id as a name segment for deployed and local resources (`inventory.ReserveItem` → `inventory-ReserveItem`): AWS names allow no dots. */
export function actionSlug(actionId: string): string {
  return actionId.replace('.', '-');
}

/** How an action takes part in the system, as the design table distinguishes rows. */
export type ActionStyle = 'api' | 'orchestrated' | 'choreographed';

/** An action with its events resolved against the catalog. */
export interface Action {
  /** `<service>.<Action>`, unique in the model; resources and logs are named after it. */
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly description: string;
  readonly style: ActionStyle;
  readonly trigger: Trigger;
  /** The event versions that start or precede the action. */
  readonly inputs: readonly EventVersion[];
  /** Names of the events the action emits. */
  readonly emits: readonly string[];
  /**
   * The action runs as a function: an API route, a saga step that does work, or a subscription delivered to Lambda.
   * A publish-only saga step is the saga's own `events:putEvents`; a state-machine or API-destination
   * subscription is a rule target.
   */
  readonly runsAsFunction: boolean;
  /** What its function touches (no tables, nothing else, for an action that runs no function). */
  readonly needs: ActionNeeds;
}

/** A choreographed subscription with its EventBridge pattern derived from the model. */
export interface Subscription {
  /** Same as the action id; names the rule. */
  readonly id: string;
  readonly service: string;
  readonly action: string;
  readonly target: SubscriptionTarget;
  readonly consumes: readonly EventVersion[];
  readonly pattern: EventPattern;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
const ACTION_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** The validated application model: the single source infra, the local runtime and the docs derive from. */
export class Application {
  readonly name: string;
  readonly actions: readonly Action[];
  readonly subscriptions: readonly Subscription[];

  private constructor(
    name: string,
    actions: readonly Action[],
    readonly catalog: EventCatalog,
  ) {
    this.name = name;
    this.actions = actions;
    this.subscriptions = actions.flatMap((action) =>
      action.trigger.kind === 'subscription'
        ? [
            {
              id: action.id,
              service: action.service,
              action: action.name,
              target: action.trigger.target,
              consumes: action.inputs,
              pattern: subscriptionPattern(action.inputs, action.trigger.filter),
            },
          ]
        : [],
    );
  }

  /**
   * Resolves a definition against the catalog and checks it; throws {@link ModelValidationError}
   * listing every problem (unknown or unproduced events, missing schemas, duplicate names, orphan schemas).
   */
  static load(definition: ApplicationDefinition, catalog: EventCatalog): Application {
    const problems: ModelProblem[] = [];
    const actions: Action[] = [];
    const seenActions = new Map<string, string>();
    const seenRoutes = new Map<string, string>();

    for (const [service, serviceDefinition] of Object.entries(definition.services)) {
      if (!SERVICE_NAME.test(service)) problems.push({ where: `services.${service}`, problem: 'a service name must be kebab-case' });
      for (const [name, actionDefinition] of Object.entries(serviceDefinition.actions)) {
        const where = `services.${service}.actions.${name}`;
        if (!ACTION_NAME.test(name)) problems.push({ where, problem: 'an action name must be PascalCase' });
        const other = seenActions.get(name);
        if (other) problems.push({ where, problem: `duplicate action name: ${other} has it too` });
        seenActions.set(name, where);
        if (actionDefinition.trigger.kind === 'api') {
          const route = `${actionDefinition.trigger.method} ${actionDefinition.trigger.path}`;
          if (!actionDefinition.trigger.path.startsWith('/')) problems.push({ where, problem: `route path must start with "/", got "${actionDefinition.trigger.path}"` });
          const owner = seenRoutes.get(route);
          if (owner) problems.push({ where, problem: `duplicate route ${route}: ${owner} serves it too` });
          seenRoutes.set(route, where);
        }
        actions.push(resolveAction(service, name, actionDefinition, catalog, where, problems));
      }
    }
    problems.push(...producerProblems(actions, catalog));
    if (problems.length > 0) throw new ModelValidationError(problems);
    return new Application(definition.name, actions, catalog);
  }

  /** The action with this id (`<service>.<Action>`); throws when there is none. */
  action(id: string): Action {
    const action = this.actions.find((candidate) => candidate.id === id);
    if (!action) throw new EventflowError(`No action "${id}" in the model; known: ${this.actions.map((a) => a.id).join(', ')}`);
    return action;
  }

  /** The actions that emit an event. */
  producersOf(eventName: string): Action[] {
    return this.actions.filter((action) => action.emits.includes(eventName));
  }

  /**
   * Actions still reading an event version whose ttl has passed at `now`: producers no longer publish it, so
   * they would wait for events that never come. Not checked at load (a deployed function must not stop
   * starting on a date); `npm run schemas:check` and the model's tests check it against the clock.
   */
  retiredInputs(now: Date): ModelProblem[] {
    return this.actions.flatMap((action) =>
      action.inputs
        .filter((input) => input.ttl !== null && Date.parse(input.ttl) <= now.getTime())
        .map((input) => ({
          where: `services.${action.service}.actions.${action.name}`,
          problem: `consumes ${input.name} v${input.version}, retired at ${input.ttl} and no longer published; consume v${input.nextVersion} instead`,
        })),
    );
  }

  /** The actions that consume or follow an event (subscriptions and saga steps). */
  consumersOf(eventName: string): Action[] {
    return this.actions.filter((action) => action.inputs.some((input) => input.name === eventName));
  }
}

function resolveAction(service: string, name: string, definition: ActionDefinition, catalog: EventCatalog, where: string, problems: ModelProblem[]): Action {
  const trigger = definition.trigger;
  const selectors = trigger.kind === 'subscription' ? trigger.consumes : trigger.kind === 'saga-step' ? trigger.after : [];
  if (trigger.kind === 'subscription' && selectors.length === 0) problems.push({ where, problem: 'a subscription must consume at least one event' });
  if (trigger.kind === 'saga-step' && definition.emits.length === 0) problems.push({ where, problem: 'a saga step must emit at least one fact' });

  const inputs: EventVersion[] = [];
  for (const selector of selectors) {
    const { event, version } = typeof selector === 'string' ? { event: selector, version: 1 } : selector;
    const entry = catalog.find(event, version);
    if (!entry) {
      const known = catalog.versionsOf(event).map((v) => `v${v.version}`);
      problems.push({
        where,
        problem: known.length > 0 ? `consumes ${event} v${version}, but the catalog has only ${known.join(', ')}` : `consumes ${event}, which has no schema in the catalog`,
      });
    } else if (inputs.includes(entry)) {
      problems.push({ where, problem: `consumes ${event} v${version} twice` });
    } else {
      inputs.push(entry);
    }
  }

  for (const event of definition.emits) {
    const versions = catalog.versionsOf(event);
    if (versions.length === 0) problems.push({ where, problem: `emits ${event}, which has no schema in the catalog` });
    else if (versions[0]?.service !== service) {
      problems.push({ where, problem: `emits ${event}, but its schema is owned by ${versions[0]?.service} (catalog/${versions[0]?.file}); producers own their schemas` });
    }
  }
  if (new Set(definition.emits).size !== definition.emits.length) problems.push({ where, problem: 'lists an emitted event twice' });

  const style: ActionStyle = trigger.kind === 'api' ? 'api' : trigger.kind === 'saga-step' ? 'orchestrated' : 'choreographed';
  const runsAsFunction = trigger.kind === 'api' || (trigger.kind === 'saga-step' && !trigger.publishOnly) || (trigger.kind === 'subscription' && trigger.target === 'lambda');
  if (runsAsFunction && !definition.needs) problems.push({ where, problem: 'runs as a function, so it must declare its needs (tables and calls), even if none' });
  if (!runsAsFunction && definition.needs) problems.push({ where, problem: 'declares needs, but runs no function (a publish-only saga step or a rule target)' });
  const needs = definition.needs ?? { tables: [] };
  return { id: `${service}.${name}`, service, name, description: definition.description, style, trigger, inputs, emits: definition.emits, runsAsFunction, needs };
}

function producerProblems(actions: readonly Action[], catalog: EventCatalog): ModelProblem[] {
  const emitted = new Set(actions.flatMap((action) => action.emits));
  const problems: ModelProblem[] = [];
  for (const action of actions) {
    for (const input of action.inputs) {
      if (!emitted.has(input.name)) problems.push({ where: `services.${action.service}.actions.${action.name}`, problem: `consumes ${input.name}, which no action emits` });
    }
  }
  for (const name of catalog.eventNames()) {
    if (!emitted.has(name)) problems.push({ where: `catalog/${catalog.versionsOf(name)[0]?.file}`, problem: `orphan schema: no action emits ${name}` });
  }
  problems.push(...requestContractProblems(actions, catalog));
  return problems;
}

/** Methods whose requests carry a body the API must validate. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Every API action that takes a body has a request contract in the catalog (the gateway validates nothing it has
 * no model for), and every request contract belongs to an API action that takes a body.
 */
function requestContractProblems(actions: readonly Action[], catalog: EventCatalog): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const takesBody = new Set(actions.filter((action) => action.trigger.kind === 'api' && BODY_METHODS.has(action.trigger.method)).map((action) => action.id));
  for (const actionId of takesBody) {
    if (!catalog.currentRequest(actionId)) {
      const [service, name] = actionId.split('.');
      problems.push({ where: `services.${service}.actions.${name}`, problem: `takes a request body but has no request contract: add catalog/${service}/requests/${name}.v1.json` });
    }
  }
  for (const request of catalog.requestVersions()) {
    if (!takesBody.has(request.actionId)) problems.push({ where: `catalog/${request.file}`, problem: `orphan request schema: no API action ${request.actionId} takes a body (POST, PUT or PATCH)` });
  }
  return problems;
}
