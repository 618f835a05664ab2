import * as pulumi from '@pulumi/pulumi';
// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import { Provider } from '@pulumi/aws/provider';
import type { Application } from '../model/application';
import { subscriptionPattern } from '../model/patterns';
import { handlerFile } from '../functions/handlers';
import { deploymentPlan } from '../model/deployment';
import { CrossAccountRoute } from './cross-account-route';
import { EventBus } from './event-bus';
import { GlobalEndpoint } from './global-endpoint';
import { bundleHandlers } from './internal/bundle';
import { Observability, type WatchedRegion } from './observability';
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
 * with the same bus and services in the secondary region, each region's alarms in that region, and one dashboard.
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
    const plan = deploymentPlan(app);
    const names = plan.names({ stage: config.stage, region: config.region, accountId: config.accountId });
    const secondaryRegion = config.globalEndpoint?.secondaryRegion;
    const tables = new DataTables('tables', { prefix, definitions: plan.tables, ...(secondaryRegion ? { replicaRegions: [secondaryRegion] } : {}) }, parent);
    const tableNames = new Map([...tables.tables].map(([definition, table]) => [definition, table.name]));
    const bundles = bundleHandlers(plan.functions.map((action) => handlerFile(action.id)));

    // The replica bus and the endpoint come first: every region's publishers send through the endpoint.
    let secondary: { readonly provider: Provider; readonly bus: EventBus; readonly region: string } | undefined;
    let endpoint: GlobalEndpoint | undefined;
    if (secondaryRegion) {
      const provider = new Provider('secondary-region', { region: secondaryRegion }, parent);
      secondary = { provider, region: secondaryRegion, bus: new EventBus('replica-bus', busArgs, { parent: this, providers: { aws: provider } }) };
      endpoint = new GlobalEndpoint(
        'global-endpoint',
        { endpointName: names.endpointName, primary: { region: config.region, eventBusArn: bus.eventBusArn }, secondary: { region: secondaryRegion, eventBusArn: secondary.bus.eventBusArn } },
        parent,
      );
      this.endpointId = endpoint.endpointId;
    }
    // Every order's saga runs in the home region, whichever region's StartOrderSaga sees its OrderCreated first
    // (README, "Two regions").
    const regional = {
      prefix,
      config,
      app,
      tableNames,
      bundles,
      deliveryProviderSecret: args.deliveryProviderSecret,
      homeRegion: config.region,
      ...(endpoint && secondary ? { endpoint: { endpointId: endpoint.endpointId, eventBusArns: [bus.eventBusArn, secondary.bus.eventBusArn] } } : {}),
    };

    const primary = new RegionalServices('primary', { ...regional, region: config.region, eventBusName: bus.eventBusName, eventBusArn: bus.eventBusArn }, parent);
    this.apiUrl = primary.apiUrl;
    this.stateMachineArn = primary.stateMachineArn;
    this.deadLetterQueueUrls = primary.deadLetterQueueUrls;
    // What the primary region holds for its alarms; the payments route adds its own below.
    const ruleNames: Record<string, pulumi.Input<string>> = { 'central-log': bus.centralLogRuleName, ...primary.ruleNames };
    const queueNames: Record<string, pulumi.Input<string>> = { 'central-log-dlq': bus.centralLogDeadLetterQueueName, ...primary.queueNames };
    const otherRegions: WatchedRegion[] = [];

    if (config.paymentsAccount) {
      const payments = config.paymentsAccount;
      const provider = new Provider('payments-account', { region: payments.region, assumeRoles: [{ roleArn: payments.deployRoleArn, sessionName: names.deploySessionName }] }, parent);
      const paymentFacts = app.catalog.eventNames().flatMap((event) => {
        const versions = app.catalog.versionsOf(event);
        return versions[0]?.service === 'payment' ? versions : [];
      });
      const route = new CrossAccountRoute(
        'payments-route',
        {
          sourceEventBusName: bus.eventBusName,
          sourceAccountId: config.accountId,
          ruleName: names.paymentsRouteRuleName,
          pattern: subscriptionPattern(paymentFacts),
          target: { accountId: payments.accountId, region: payments.region, eventBusName: names.paymentsBusName },
          targetProvider: provider,
        },
        parent,
      );
      // The route's rule and DLQ are made with this component's provider (source account, primary region), not the
      // payments provider, so their alarms are the primary region's.
      ruleNames['payments-route'] = route.ruleName;
      if (route.deadLetterQueueName) queueNames['payments-route-dlq'] = route.deadLetterQueueName;
    }

    if (secondary) {
      // The replica region gets the same bus and the same services, so the model's subscriptions apply in both.
      const secondaryProvider = secondary.provider;
      const inSecondary = { parent: this, providers: { aws: secondaryProvider } };
      const replicaBus = secondary.bus;
      const services = new RegionalServices('secondary', { ...regional, region: secondary.region, eventBusName: replicaBus.eventBusName, eventBusArn: replicaBus.eventBusArn }, inSecondary);
      // An alarm sees only its own region's metrics: the secondary's resources are watched from the secondary.
      otherRegions.push({
        region: secondary.region,
        provider: secondaryProvider,
        eventBusName: replicaBus.eventBusName,
        ruleNames: { 'central-log': replicaBus.centralLogRuleName, ...services.ruleNames },
        queueNames: { 'central-log-dlq': replicaBus.centralLogDeadLetterQueueName, ...services.queueNames },
        functionNames: services.functionNames,
        stateMachineArn: services.stateMachineArn,
        // Both regions run the model's every function, so the same services publish in both.
        producerServices: plan.producerServices,
      });
    }

    const observability = new Observability(
      'observability',
      {
        prefix,
        region: config.region,
        eventBusName: bus.eventBusName,
        metricsNamespace: names.metricsNamespace,
        ruleNames,
        queueNames,
        functionNames: primary.functionNames,
        stateMachineArn: primary.stateMachineArn,
        producerServices: plan.producerServices,
        otherRegions,
        accountId: config.accountId,
        ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      },
      parent,
    );
    this.dashboardName = observability.dashboardName;
    this.registerOutputs({
      eventBusName: this.eventBusName,
      eventBusArn: this.eventBusArn,
      apiUrl: this.apiUrl,
      stateMachineArn: this.stateMachineArn,
      endpointId: this.endpointId,
      dashboardName: this.dashboardName,
    });
  }
}
