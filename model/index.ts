import { Application } from './application';
import { EventCatalog } from './catalog';
import { ORDER_SYSTEM } from './order-system';

export { Application, actionSlug } from './application';
export { PRODUCER_ALARM_THRESHOLDS, PRODUCER_METRICS, PRODUCER_METRIC_DIMENSIONS, metricsNamespace } from './metrics';
export type { ProducerMetricName } from './metrics';
export { SCHEMA_BASE_URL_ENV, SCHEMA_MEDIA_TYPE, s3BaseUrl, schemaDocument, schemaLocator, schemaObjectKey, schemaUrl } from './schema-location';
export type { SchemaLocator } from './schema-location';
export { DeploymentPlan, ENDPOINT_ID_MAX_LENGTH, ENDPOINT_ID_PATTERN, PROVIDER_IDEMPOTENCY_HEADER, PlacementError, ResourceNames, STAGE_NAME, deploymentPlan, stagePrefix } from './deployment';
export type { ApiRoute, Placement } from './deployment';
export type {
  Action,
  ActionDefinition,
  ActionNeeds,
  ActionStyle,
  ApiTrigger,
  ApplicationDefinition,
  EventSelector,
  SagaStepTrigger,
  ServiceDefinition,
  Subscription,
  SubscriptionTarget,
  SubscriptionTrigger,
  Trigger,
} from './application';
export { CATALOG_DIR, EventCatalog, SOURCE_PREFIX, schemaRefOf } from './catalog';
export type { EventVersion } from './catalog';
export { CatalogError, EventflowError, ModelValidationError } from './errors';
export type { ModelProblem } from './errors';
export { ORDER_SYSTEM } from './order-system';
export { subscriptionPattern } from './patterns';
export type { EventPattern } from './patterns';
export { compileSchema, describeViolations } from './schema-validation';
export type { JsonSchema, SchemaCheck, Violation } from './schema-validation';
export { CONTACTS_TABLE, CUSTOMERS_TABLE, DELIVERIES_TABLE, IDEMPOTENCY_TABLE, INVENTORY_TABLE, ORDERS_TABLE, PAYMENTS_TABLE, TABLES, physicalTableName, tableEnvVar } from './tables';
export type { TableDefinition } from './tables';

let catalog: EventCatalog | undefined;
let application: Application | undefined;

/**
 * The event catalog, loaded and checked once per process. Schemas compile when the catalog loads, unless
 * `compileSchemas` is false (a program that never validates an event, such as the Pulumi stack, skips the cost).
 */
export function loadCatalog(options: { readonly compileSchemas?: boolean } = {}): EventCatalog {
  catalog ??= EventCatalog.load(undefined, options);
  return catalog;
}

/** The order system's model, loaded and checked once per process. */
export function loadOrderSystem(options: { readonly compileSchemas?: boolean } = {}): Application {
  application ??= Application.load(ORDER_SYSTEM, loadCatalog(options));
  return application;
}
