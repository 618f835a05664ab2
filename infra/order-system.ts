// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as dynamodb from '@pulumi/aws/dynamodb';
import { Provider } from '@pulumi/aws/provider';
import * as pulumi from '@pulumi/pulumi';
import type { Application } from '../model/application';
import { subscriptionPattern } from '../model/patterns';
import { tableEnvVar } from '../model/tables';
import { FUNCTION_NEEDS, functionActions, handlerFile } from '../functions/handlers';
import { ApiDestination } from './api-destination';
import { CrossAccountRoute } from './cross-account-route';
import { EventBus } from './event-bus';
import { GlobalEndpoint } from './global-endpoint';
import { bundleHandlers } from './internal/bundle';
import type { Statement } from './internal/policy';
import { Observability } from './observability';
import { OrderApi } from './order-api';
import { OrderSaga } from './order-saga';
import { SchemaRegistry } from './schema-registry';
import { ServiceFunction } from './service-function';
import type { StageConfig } from './stage-config';
import { Subscription } from './subscription';
import { DataTables } from './tables';

export interface OrderSystemArgs {
  readonly config: StageConfig;
  /** The application model everything is derived from. */
  readonly app: Application;
  /** The delivery provider's credential (API key, password or client secret), a Pulumi secret. */
  readonly deliveryProviderSecret: pulumi.Output<string>;
}

/**
 * The whole order system for one stage, derived from the application model: bus, registry, tables, one
 * function per action, the saga, a rule per choreographed subscription, the HTTP API, the global endpoint,
 * the cross-account route to payments, and the alarms and dashboard.
 */
export class OrderSystem extends pulumi.ComponentResource {
  readonly eventBusName: pulumi.Output<string>;
  readonly eventBusArn: pulumi.Output<string>;
  readonly apiUrl: pulumi.Output<string>;
  readonly stateMachineArn: pulumi.Output<string>;
  readonly endpointId?: pulumi.Output<string>;
  readonly deadLetterQueueUrls: Record<string, pulumi.Output<string>> = {};
  readonly dashboardName: pulumi.Output<string>;
  readonly schemaRegistryName: pulumi.Output<string>;

  constructor(name: string, args: OrderSystemArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:OrderSystem', name, {}, opts);
    const { config, app } = args;
    const parent = { parent: this };
    const prefix = `eventflow-${config.stage}`;

    const bus = new EventBus('bus', { name: prefix, publishers: config.publishers, archiveRetentionDays: config.archiveRetentionDays, logRetentionDays: config.logRetentionDays }, parent);
    this.eventBusName = bus.eventBusName;
    this.eventBusArn = bus.eventBusArn;
    this.schemaRegistryName = new SchemaRegistry('schemas', { registryName: prefix, catalog: app.catalog }, parent).registryName;
    const tables = new DataTables('tables', { prefix, definitions: [...new Set(Object.values(FUNCTION_NEEDS).flatMap((needs) => needs.tables.map((t) => t.table)))] }, parent);

    const actions = functionActions(app);
    const bundles = bundleHandlers(actions.map((action) => handlerFile(action.id)));
    const functions = new Map<string, ServiceFunction>();
    const sagaArn = pulumi.interpolate`arn:aws:states:${config.region}:${config.accountId}:stateMachine:${prefix}-order-saga`;
    const senderIdentity = `arn:aws:ses:${config.region}:${config.accountId}:identity/${config.senderEmail.split('@')[1]}`;
    for (const action of actions) {
      const needs = FUNCTION_NEEDS[action.id];
      if (!needs) throw new Error(`FUNCTION_NEEDS has no entry for ${action.id}`);
      const environment: Record<string, pulumi.Input<string>> = { EVENT_BUS_NAME: bus.eventBusName };
      const statements: Statement[] = [];
      for (const { table, access } of needs.tables) {
        const resource = tables.tables.get(table) as dynamodb.Table;
        environment[tableEnvVar(table)] = resource.name;
        statements.push({ Effect: 'Allow', Action: access === 'read' ? ['dynamodb:GetItem', 'dynamodb:Query'] : ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: resource.arn });
      }
      if (needs.publishes) statements.push({ Effect: 'Allow', Action: 'events:PutEvents', Resource: bus.eventBusArn });
      if (needs.startsSaga) {
        environment.ORDER_SAGA_ARN = sagaArn;
        statements.push({ Effect: 'Allow', Action: 'states:StartExecution', Resource: sagaArn });
      }
      if (needs.sendsEmail) {
        environment.SENDER_EMAIL = config.senderEmail;
        statements.push({ Effect: 'Allow', Action: 'ses:SendEmail', Resource: senderIdentity });
      }
      const functionName = `${prefix}-${action.service}-${action.name}`.slice(0, 64);
      functions.set(
        action.id,
        new ServiceFunction(
          `fn-${action.id.replace('.', '-')}`,
          { functionName, service: action.service, handlerFile: handlerFile(action.id), bundle: bundles.then((all) => all.get(handlerFile(action.id))), environment, statements, runtime: config.lambdaRuntime, logRetentionDays: config.logRetentionDays },
          parent,
        ),
      );
    }
    const fn = (id: string) => functions.get(id) as ServiceFunction;

    const sagaTasks = app.actions.filter((a) => a.trigger.kind === 'saga-step' && !a.trigger.publishOnly);
    const saga = new OrderSaga(
      'saga',
      {
        stateMachineName: `${prefix}-order-saga`,
        app,
        functionArns: Object.fromEntries(sagaTasks.map((a) => [a.id, fn(a.id).functionArn])),
        eventBusName: bus.eventBusName,
        eventBusArn: bus.eventBusArn,
        type: config.sagaType,
        logRetentionDays: config.logRetentionDays,
      },
      parent,
    );
    this.stateMachineArn = saga.stateMachineArn;

    const ruleNames: pulumi.Input<string>[] = [bus.centralLogRuleName];
    const queueNames: pulumi.Input<string>[] = [bus.centralLogDeadLetterQueueName];
    for (const subscription of app.subscriptions) {
      const ruleName = `${prefix}-${subscription.id.replace('.', '-')}`.slice(0, 64);
      const resourceName = `sub-${subscription.id.replace('.', '-')}`;
      let created: Subscription;
      if (subscription.target === 'api-destination') {
        const delivery = config.deliveryProvider;
        created = new ApiDestination(
          resourceName,
          {
            eventBusName: bus.eventBusName,
            destinationName: `${prefix}-delivery-provider`,
            endpoint: delivery.endpoint,
            httpMethod: delivery.httpMethod,
            rateLimitPerSecond: delivery.rateLimitPerSecond,
            auth:
              delivery.authorization === 'API_KEY'
                ? { type: 'API_KEY', apiKeyName: delivery.apiKeyName, apiKeyValue: args.deliveryProviderSecret }
                : delivery.authorization === 'BASIC'
                  ? { type: 'BASIC', username: delivery.apiKeyName, password: args.deliveryProviderSecret }
                  : { type: 'OAUTH_CLIENT_CREDENTIALS', authorizationEndpoint: delivery.endpoint, clientId: delivery.apiKeyName, clientSecret: args.deliveryProviderSecret },
            pattern: subscription.pattern,
            ruleName,
          },
          parent,
        ).subscription;
      } else if (subscription.target === 'lambda') {
        const target = fn(subscription.id);
        created = new Subscription(
          resourceName,
          { eventBusName: bus.eventBusName, ruleName, pattern: subscription.pattern, target: { kind: 'lambda', functionArn: target.functionArn, functionName: target.functionName, functionRoleName: target.roleName } },
          parent,
        );
      } else {
        created = new Subscription(resourceName, { eventBusName: bus.eventBusName, ruleName, pattern: subscription.pattern, target: { kind: 'state-machine', stateMachineArn: saga.stateMachineArn } }, parent);
      }
      ruleNames.push(created.ruleName);
      if (created.deadLetterQueueUrl && created.deadLetterQueueName) {
        this.deadLetterQueueUrls[subscription.id] = created.deadLetterQueueUrl;
        queueNames.push(created.deadLetterQueueName);
      }
      if (created.asyncFailureQueueName) queueNames.push(created.asyncFailureQueueName);
    }

    const api = new OrderApi(
      'api',
      {
        apiName: `${prefix}-orders`,
        routes: app.actions.flatMap((a) => (a.trigger.kind === 'api' ? [{ routeKey: `${a.trigger.method} ${a.trigger.path}`, functionName: fn(a.id).functionName, functionArn: fn(a.id).functionArn }] : [])),
        logRetentionDays: config.logRetentionDays,
      },
      parent,
    );
    this.apiUrl = api.apiUrl;

    if (config.paymentsAccount) {
      const payments = config.paymentsAccount;
      const provider = new Provider('payments-account', { region: payments.region, assumeRoles: [{ roleArn: payments.deployRoleArn, sessionName: `${prefix}-deploy` }] }, parent);
      const paymentFacts = app.catalog.eventNames().flatMap((event) => {
        const versions = app.catalog.versionsOf(event);
        return versions[0]?.service === 'payment' ? versions : [];
      });
      const route = new CrossAccountRoute(
        'payments-route',
        {
          sourceEventBusName: bus.eventBusName,
          sourceAccountId: config.accountId,
          ruleName: `${prefix}-to-payments-account`,
          pattern: subscriptionPattern(paymentFacts),
          target: { accountId: payments.accountId, region: payments.region, eventBusName: `${prefix}-payments` },
          targetProvider: provider,
        },
        parent,
      );
      ruleNames.push(route.ruleArn.apply((arn) => arn.split('/').pop() ?? arn));
    }

    if (config.globalEndpoint) {
      const secondary = new Provider('secondary-region', { region: config.globalEndpoint.secondaryRegion }, parent);
      const endpoint = new GlobalEndpoint(
        'global-endpoint',
        { endpointName: `${prefix}-endpoint`, eventBusName: prefix, primary: { region: config.region, eventBusArn: bus.eventBusArn }, secondary: { region: config.globalEndpoint.secondaryRegion, provider: secondary } },
        parent,
      );
      this.endpointId = endpoint.endpointId;
    }

    const observability = new Observability(
      'observability',
      {
        prefix,
        region: config.region,
        eventBusName: bus.eventBusName,
        ruleNames,
        queueNames,
        functionNames: [...functions.values()].map((f) => f.functionName),
        stateMachineArn: saga.stateMachineArn,
        ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      },
      parent,
    );
    this.dashboardName = observability.dashboardName;
    this.registerOutputs({ eventBusName: this.eventBusName, eventBusArn: this.eventBusArn, apiUrl: this.apiUrl, stateMachineArn: this.stateMachineArn, endpointId: this.endpointId, dashboardName: this.dashboardName });
  }
}
