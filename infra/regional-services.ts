import * as pulumi from '@pulumi/pulumi';
import { actionSlug, type Application } from '../model/application';
import { deploymentPlan } from '../model/deployment';
import type { TableDefinition } from '../model/tables';
import { tableEnvVar } from '../model/tables';
import { handlerFile } from '../functions/handlers';
import { ApiDestination, type ConnectionAuth } from './api-destination';
import type { Bundle } from './internal/bundle';
import type { Statement } from './internal/policy';
import { OrderApi } from './order-api';
import { OrderSaga } from './order-saga';
import { SchemaBucket } from './schema-bucket';
import { SCHEMA_BASE_URL_ENV } from '../model/schema-location';
import { ServiceFunction } from './service-function';
import type { DeliveryProviderAuth, StageConfig } from './stage-config';
import { Subscription } from './subscription';
import { InfraDefinitionError } from './errors';

export interface RegionalServicesArgs {
  readonly prefix: string;
  readonly region: string;
  readonly config: StageConfig;
  readonly app: Application;
  readonly eventBusName: pulumi.Input<string>;
  readonly eventBusArn: pulumi.Input<string>;
  /**
   * The region every order's saga runs in. A function in another region starts and reads executions there, so
   * an OrderCreated seen in both regions meets one execution name. @default region
   */
  readonly homeRegion?: string;
  /**
   * The stage's global endpoint: publishers send to it, and may then land on the bus of any of `endpointBusArns`.
   * @default - publishers send to this region's bus
   */
  readonly endpoint?: { readonly endpointId: pulumi.Input<string>; readonly eventBusArns: ReadonlyArray<pulumi.Input<string>> };
  /** The name of each model table (the same in every region of a global table). */
  readonly tableNames: ReadonlyMap<TableDefinition, pulumi.Input<string>>;
  readonly bundles: Promise<Map<string, Bundle>>;
  /** The credential of the delivery provider's authorization type (API key, password or client secret), a Pulumi secret. */
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
  /** Where this region's events point `metadata.schema`. */
  readonly schemaBaseUrl: string;
  /** Every rule, queue and function name, keyed by what it serves (subscription or action id), for the alarms. */
  readonly ruleNames: Record<string, pulumi.Output<string>> = {};
  readonly queueNames: Record<string, pulumi.Output<string>> = {};
  readonly functionNames: Record<string, pulumi.Output<string>> = {};
  readonly deadLetterQueueUrls: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: RegionalServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:RegionalServices', name, {}, opts);
    const { app, config, prefix, region } = args;
    const parent = { parent: this };
    const account = config.accountId;
    const plan = deploymentPlan(app);
    const names = plan.names({ stage: config.stage, region, accountId: account });
    if (names.prefix !== prefix) throw new InfraDefinitionError(`the stage prefix ${prefix} differs from the plan's ${names.prefix}`);
    const home = names.inRegion(args.homeRegion ?? region);
    const sagaArn = home.stateMachineArn;
    const senderIdentity = `arn:aws:ses:${region}:${account}:identity/${config.senderEmail.split('@')[1]}`;

    // The region's downloadable schemas: every event stated here carries a URL into this bucket.
    const schemas = new SchemaBucket(`${name}-schemas`, { bucketName: names.schemaBucketName, region, catalog: app.catalog, readers: config.publishers }, parent);
    this.schemaBaseUrl = schemas.baseUrl;

    const functions = new Map<string, ServiceFunction>();
    for (const action of plan.functions) {
      const needs = action.needs;
      const environment: Record<string, pulumi.Input<string>> = { EVENT_BUS_NAME: args.eventBusName };
      if (action.emits.length > 0) environment[SCHEMA_BASE_URL_ENV] = schemas.baseUrl;
      const statements: Statement[] = [];
      for (const { table, access } of needs.tables) {
        const tableName = args.tableNames.get(table);
        if (tableName === undefined) throw new InfraDefinitionError(`no table ${table.logicalName} for ${action.id}`);
        environment[tableEnvVar(table)] = tableName;
        statements.push({
          Effect: 'Allow',
          Action: access === 'read' ? ['dynamodb:GetItem', 'dynamodb:Query'] : ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: names.tableArn(table),
        });
      }
      if (needs.publishes && args.endpoint) {
        // The endpoint routes each PutEvents to either region's bus; IAM authorizes it on the bus that receives it.
        environment.EVENT_BUS_ENDPOINT_ID = args.endpoint.endpointId;
        statements.push({ Effect: 'Allow', Action: 'events:PutEvents', Resource: [...args.endpoint.eventBusArns] });
      } else if (needs.publishes) statements.push({ Effect: 'Allow', Action: 'events:PutEvents', Resource: args.eventBusArn });
      if (needs.startsSaga || needs.readsSaga) environment.ORDER_SAGA_ARN = sagaArn;
      if (needs.startsSaga) statements.push({ Effect: 'Allow', Action: 'states:StartExecution', Resource: sagaArn });
      // The order view reads its saga's execution, which is named after the order (so any execution of the saga).
      if (needs.readsSaga) statements.push({ Effect: 'Allow', Action: 'states:DescribeExecution', Resource: home.executionArnPattern });
      if (needs.sendsEmail) {
        environment.SENDER_EMAIL = config.senderEmail;
        statements.push({ Effect: 'Allow', Action: 'ses:SendEmail', Resource: senderIdentity });
      }
      const file = handlerFile(action.id);
      const created = new ServiceFunction(
        `${name}-fn-${actionSlug(action.id)}`,
        {
          functionName: names.functionName(action.id),
          service: action.service,
          metricsNamespace: names.metricsNamespace,
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
      this.functionNames[action.id] = created.functionName;
    }
    const fn = (id: string) => functions.get(id) as ServiceFunction;

    const saga = new OrderSaga(
      `${name}-saga`,
      {
        stateMachineName: names.stateMachineName,
        app,
        functionArns: Object.fromEntries(plan.sagaTasks.map((a) => [a.id, fn(a.id).functionArn])),
        eventBusName: args.eventBusName,
        eventBusArn: args.eventBusArn,
        schemaBaseUrl: schemas.baseUrl,
        type: config.sagaType,
        logRetentionDays: config.logRetentionDays,
      },
      parent,
    );
    this.stateMachineArn = saga.stateMachineArn;

    for (const subscription of plan.subscriptions) {
      const ruleName = names.ruleName(subscription.id);
      const resourceName = `${name}-sub-${actionSlug(subscription.id)}`;
      let created: Subscription;
      if (subscription.target === 'api-destination') {
        const delivery = config.deliveryProvider;
        created = new ApiDestination(
          resourceName,
          {
            eventBusName: args.eventBusName,
            destinationName: names.apiDestinationName(subscription.id),
            endpoint: delivery.endpoint,
            httpMethod: delivery.httpMethod,
            rateLimitPerSecond: delivery.rateLimitPerSecond,
            auth: connectionAuth(delivery, args.deliveryProviderSecret),
            pattern: subscription.pattern,
            ruleName,
          },
          parent,
        ).subscription;
      } else if (subscription.target === 'lambda') {
        const target = fn(subscription.id);
        created = new Subscription(
          resourceName,
          {
            eventBusName: args.eventBusName,
            ruleName,
            pattern: subscription.pattern,
            target: { kind: 'lambda', functionArn: target.functionArn, functionName: target.functionName, functionRoleName: target.roleName },
          },
          parent,
        );
      } else {
        created = new Subscription(
          resourceName,
          { eventBusName: args.eventBusName, ruleName, pattern: subscription.pattern, target: { kind: 'state-machine', stateMachineArn: saga.stateMachineArn } },
          parent,
        );
      }
      this.ruleNames[subscription.id] = created.ruleName;
      if (created.redriveRuleName) this.ruleNames[`${subscription.id}-redrive`] = created.redriveRuleName;
      if (created.deadLetterQueueUrl && created.deadLetterQueueName) {
        this.deadLetterQueueUrls[subscription.id] = created.deadLetterQueueUrl;
        this.queueNames[`${subscription.id}-dlq`] = created.deadLetterQueueName;
      }
      if (created.asyncFailureQueueName) this.queueNames[`${subscription.id}-async-failures`] = created.asyncFailureQueueName;
    }

    const api = new OrderApi(
      `${name}-api`,
      {
        apiName: names.apiName,
        routes: plan.apiRoutes.map((route) => ({
          routeKey: route.routeKey,
          functionName: fn(route.actionId).functionName,
          functionArn: fn(route.actionId).functionArn,
          ...(route.request ? { requestModel: { name: route.request.modelName, schema: app.catalog.requestModelDocument(route.request) } } : {}),
        })),
        logRetentionDays: config.logRetentionDays,
      },
      parent,
    );
    this.apiUrl = api.apiUrl;
    this.registerOutputs({ apiUrl: this.apiUrl, stateMachineArn: this.stateMachineArn });
  }
}

/** The stage's delivery-provider settings as the connection takes them, with the credential of its authorization type. */
function connectionAuth(delivery: DeliveryProviderAuth, secret: pulumi.Output<string>): ConnectionAuth {
  switch (delivery.authorization) {
    case 'API_KEY':
      return { type: 'API_KEY', apiKeyName: delivery.apiKeyName, apiKeyValue: secret };
    case 'BASIC':
      return { type: 'BASIC', username: delivery.basic.username, password: secret };
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const { tokenEndpoint, clientId, httpMethod, scopes } = delivery.oauth;
      return { type: 'OAUTH_CLIENT_CREDENTIALS', authorizationEndpoint: tokenEndpoint, clientId, clientSecret: secret, httpMethod, scopes };
    }
  }
}
