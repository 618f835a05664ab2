import * as pulumi from '@pulumi/pulumi';
// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import { Provider } from '@pulumi/aws/provider';
import type { Application } from '../model/application';
import { subscriptionPattern } from '../model/patterns';
import { FUNCTION_NEEDS, functionActions, handlerFile } from '../functions/handlers';
import { CrossAccountRoute } from './cross-account-route';
import { EventBus } from './event-bus';
import { GlobalEndpoint } from './global-endpoint';
import { bundleHandlers } from './internal/bundle';
import { Observability } from './observability';
import { RegionalServices } from './regional-services';
import { SchemaRegistry } from './schema-registry';
import { resourcePrefix, type StageConfig } from './stage-config';
import { DataTables } from './tables';

export interface OrderSystemArgs {
  readonly config: StageConfig;
  /** The application model everything is derived from. */
  readonly app: Application;
  /** The delivery provider's credential (API key, password or client secret), a Pulumi secret. */
  readonly deliveryProviderSecret: pulumi.Output<string>;
}

/**
 * The whole order system for one stage, derived from the application model: bus, registry, tables, the
 * regional services (functions, saga, rules, APIs), the cross-account route to payments, the global endpoint
 * with the same bus and services in the secondary region, and the alarms and dashboard.
 */
export class OrderSystem extends pulumi.ComponentResource {
  readonly eventBusName: pulumi.Output<string>;
  readonly eventBusArn: pulumi.Output<string>;
  readonly apiUrl: pulumi.Output<string>;
  readonly stateMachineArn: pulumi.Output<string>;
  readonly endpointId?: pulumi.Output<string>;
  readonly deadLetterQueueUrls: Record<string, pulumi.Output<string>>;
  readonly dashboardName: pulumi.Output<string>;
  readonly schemaRegistryName: pulumi.Output<string>;

  constructor(name: string, args: OrderSystemArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:OrderSystem', name, {}, opts);
    const { config, app } = args;
    const parent = { parent: this };
    const prefix = resourcePrefix(config.stage);
    const busArgs = { name: prefix, publishers: config.publishers, archiveRetentionDays: config.archiveRetentionDays, logRetentionDays: config.logRetentionDays };

    const bus = new EventBus('bus', busArgs, parent);
    this.eventBusName = bus.eventBusName;
    this.eventBusArn = bus.eventBusArn;
    this.schemaRegistryName = new SchemaRegistry('schemas', { registryName: prefix, catalog: app.catalog }, parent).registryName;
    const secondaryRegion = config.globalEndpoint?.secondaryRegion;
    const tables = new DataTables(
      'tables',
      { prefix, definitions: [...new Set(Object.values(FUNCTION_NEEDS).flatMap((needs) => needs.tables.map((t) => t.table)))], ...(secondaryRegion ? { replicaRegions: [secondaryRegion] } : {}) },
      parent,
    );
    const tableNames = new Map([...tables.tables].map(([definition, table]) => [definition, table.name]));
    const bundles = bundleHandlers(functionActions(app).map((action) => handlerFile(action.id)));
    const regional = { prefix, config, app, tableNames, bundles, deliveryProviderSecret: args.deliveryProviderSecret };

    const primary = new RegionalServices('primary', { ...regional, region: config.region, eventBusName: bus.eventBusName, eventBusArn: bus.eventBusArn }, parent);
    this.apiUrl = primary.apiUrl;
    this.stateMachineArn = primary.stateMachineArn;
    this.deadLetterQueueUrls = primary.deadLetterQueueUrls;
    const ruleNames: pulumi.Input<string>[] = [bus.centralLogRuleName, ...primary.ruleNames];
    const queueNames: pulumi.Input<string>[] = [bus.centralLogDeadLetterQueueName, ...primary.queueNames];

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

    if (secondaryRegion) {
      // The replica region gets the same bus and the same services, so the model's subscriptions apply in both.
      const inSecondary = { parent: this, providers: { aws: new Provider('secondary-region', { region: secondaryRegion }, parent) } };
      const replicaBus = new EventBus('replica-bus', busArgs, inSecondary);
      new RegionalServices('secondary', { ...regional, region: secondaryRegion, eventBusName: replicaBus.eventBusName, eventBusArn: replicaBus.eventBusArn }, inSecondary);
      const endpoint = new GlobalEndpoint(
        'global-endpoint',
        { endpointName: `${prefix}-endpoint`, primary: { region: config.region, eventBusArn: bus.eventBusArn }, secondary: { region: secondaryRegion, eventBusArn: replicaBus.eventBusArn } },
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
        functionNames: primary.functionNames,
        stateMachineArn: primary.stateMachineArn,
        accountId: config.accountId,
        ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      },
      parent,
    );
    this.dashboardName = observability.dashboardName;
    this.registerOutputs({ eventBusName: this.eventBusName, eventBusArn: this.eventBusArn, apiUrl: this.apiUrl, stateMachineArn: this.stateMachineArn, endpointId: this.endpointId, dashboardName: this.dashboardName });
  }
}
