import * as pulumi from '@pulumi/pulumi';
import { actionSlug, type Application } from '../model/application';
import type { TableDefinition } from '../model/tables';
import { tableEnvVar } from '../model/tables';
import { FUNCTION_NEEDS, functionActions, handlerFile } from '../functions/handlers';
import { ApiDestination } from './api-destination';
import type { Bundle } from './internal/bundle';
import type { Statement } from './internal/policy';
import { OrderApi } from './order-api';
import { OrderSaga } from './order-saga';
import { ServiceFunction } from './service-function';
import type { StageConfig } from './stage-config';
import { Subscription } from './subscription';

export interface RegionalServicesArgs {
  readonly prefix: string;
  readonly region: string;
  readonly config: StageConfig;
  readonly app: Application;
  readonly eventBusName: pulumi.Input<string>;
  readonly eventBusArn: pulumi.Input<string>;
  /** The name of each model table (the same in every region of a global table). */
  readonly tableNames: ReadonlyMap<TableDefinition, pulumi.Input<string>>;
  readonly bundles: Promise<Map<string, Bundle>>;
  readonly deliveryProviderSecret: pulumi.Output<string>;
}

/**
 * Everything that consumes events in one region: a function per model action, the order saga, a rule per
 * choreographed subscription (DLQ and retry policy on each), the API destination and the HTTP API. Made once
 * per region of the bus, so the model's subscriptions apply wherever the global endpoint routes events.
 */
export class RegionalServices extends pulumi.ComponentResource {
  readonly apiUrl: pulumi.Output<string>;
  readonly stateMachineArn: pulumi.Output<string>;
  readonly ruleNames: pulumi.Output<string>[] = [];
  readonly queueNames: pulumi.Output<string>[] = [];
  readonly functionNames: pulumi.Output<string>[] = [];
  readonly deadLetterQueueUrls: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: RegionalServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:RegionalServices', name, {}, opts);
    const { app, config, prefix, region } = args;
    const parent = { parent: this };
    const account = config.accountId;
    const sagaArn = `arn:aws:states:${region}:${account}:stateMachine:${prefix}-order-saga`;
    const senderIdentity = `arn:aws:ses:${region}:${account}:identity/${config.senderEmail.split('@')[1]}`;

    const functions = new Map<string, ServiceFunction>();
    for (const action of functionActions(app)) {
      const needs = FUNCTION_NEEDS[action.id];
      if (!needs) throw new Error(`FUNCTION_NEEDS has no entry for ${action.id}`);
      const environment: Record<string, pulumi.Input<string>> = { EVENT_BUS_NAME: args.eventBusName };
      const statements: Statement[] = [];
      for (const { table, access } of needs.tables) {
        const tableName = args.tableNames.get(table);
        if (tableName === undefined) throw new Error(`no table ${table.logicalName} for ${action.id}`);
        environment[tableEnvVar(table)] = tableName;
        statements.push({
          Effect: 'Allow',
          Action: access === 'read' ? ['dynamodb:GetItem', 'dynamodb:Query'] : ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: pulumi.interpolate`arn:aws:dynamodb:${region}:${account}:table/${tableName}`,
        });
      }
      if (needs.publishes) statements.push({ Effect: 'Allow', Action: 'events:PutEvents', Resource: args.eventBusArn });
      if (needs.startsSaga || needs.readsSaga) environment.ORDER_SAGA_ARN = sagaArn;
      if (needs.startsSaga) statements.push({ Effect: 'Allow', Action: 'states:StartExecution', Resource: sagaArn });
      // The order view reads its saga's execution, which is named after the order (so any execution of the saga).
      if (needs.readsSaga) statements.push({ Effect: 'Allow', Action: 'states:DescribeExecution', Resource: `${sagaArn.replace(':stateMachine:', ':execution:')}:*` });
      if (needs.sendsEmail) {
        environment.SENDER_EMAIL = config.senderEmail;
        statements.push({ Effect: 'Allow', Action: 'ses:SendEmail', Resource: senderIdentity });
      }
      const file = handlerFile(action.id);
      const created = new ServiceFunction(
        `${name}-fn-${actionSlug(action.id)}`,
        {
          functionName: `${prefix}-${actionSlug(action.id)}`.slice(0, 64),
          service: action.service,
          handlerFile: file,
          bundle: args.bundles.then((all) => all.get(file)),
          environment,
          statements,
          runtime: config.lambdaRuntime,
          logRetentionDays: config.logRetentionDays,
        },
        parent,
      );
      functions.set(action.id, created);
      this.functionNames.push(created.functionName);
    }
    const fn = (id: string) => functions.get(id) as ServiceFunction;

    const sagaTasks = app.actions.filter((a) => a.trigger.kind === 'saga-step' && !a.trigger.publishOnly);
    const saga = new OrderSaga(
      `${name}-saga`,
      {
        stateMachineName: `${prefix}-order-saga`,
        app,
        functionArns: Object.fromEntries(sagaTasks.map((a) => [a.id, fn(a.id).functionArn])),
        eventBusName: args.eventBusName,
        eventBusArn: args.eventBusArn,
        type: config.sagaType,
        logRetentionDays: config.logRetentionDays,
      },
      parent,
    );
    this.stateMachineArn = saga.stateMachineArn;

    for (const subscription of app.subscriptions) {
      const ruleName = `${prefix}-${actionSlug(subscription.id)}`.slice(0, 64);
      const resourceName = `${name}-sub-${actionSlug(subscription.id)}`;
      let created: Subscription;
      if (subscription.target === 'api-destination') {
        const delivery = config.deliveryProvider;
        const secret = args.deliveryProviderSecret;
        created = new ApiDestination(
          resourceName,
          {
            eventBusName: args.eventBusName,
            destinationName: `${prefix}-delivery-provider`,
            endpoint: delivery.endpoint,
            httpMethod: delivery.httpMethod,
            rateLimitPerSecond: delivery.rateLimitPerSecond,
            auth:
              delivery.authorization === 'API_KEY'
                ? { type: 'API_KEY', apiKeyName: delivery.apiKeyName, apiKeyValue: secret }
                : delivery.authorization === 'BASIC'
                  ? { type: 'BASIC', username: delivery.apiKeyName, password: secret }
                  : { type: 'OAUTH_CLIENT_CREDENTIALS', authorizationEndpoint: delivery.endpoint, clientId: delivery.apiKeyName, clientSecret: secret },
            pattern: subscription.pattern,
            ruleName,
          },
          parent,
        ).subscription;
      } else if (subscription.target === 'lambda') {
        const target = fn(subscription.id);
        created = new Subscription(
          resourceName,
          { eventBusName: args.eventBusName, ruleName, pattern: subscription.pattern, target: { kind: 'lambda', functionArn: target.functionArn, functionName: target.functionName, functionRoleName: target.roleName } },
          parent,
        );
      } else {
        created = new Subscription(resourceName, { eventBusName: args.eventBusName, ruleName, pattern: subscription.pattern, target: { kind: 'state-machine', stateMachineArn: saga.stateMachineArn } }, parent);
      }
      this.ruleNames.push(created.ruleName);
      if (created.redriveRuleName) this.ruleNames.push(created.redriveRuleName);
      if (created.deadLetterQueueUrl && created.deadLetterQueueName) {
        this.deadLetterQueueUrls[subscription.id] = created.deadLetterQueueUrl;
        this.queueNames.push(created.deadLetterQueueName);
      }
      if (created.asyncFailureQueueName) this.queueNames.push(created.asyncFailureQueueName);
    }

    const api = new OrderApi(
      `${name}-api`,
      {
        apiName: `${prefix}-orders`,
        routes: app.actions.flatMap((a) => (a.trigger.kind === 'api' ? [{ routeKey: `${a.trigger.method} ${a.trigger.path}`, functionName: fn(a.id).functionName, functionArn: fn(a.id).functionArn }] : [])),
        logRetentionDays: config.logRetentionDays,
      },
      parent,
    );
    this.apiUrl = api.apiUrl;
    this.registerOutputs({ apiUrl: this.apiUrl, stateMachineArn: this.stateMachineArn });
  }
}
