/**
 * The Pulumi program (`main` in Pulumi.yaml): the order system for the stage in `Pulumi.<stage>.yaml`.
 * Bad configuration fails at preview, naming the key, the allowed values and what it got.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadOrderSystem } from '../model';
import { OrderSystem } from './order-system';
import { DELIVERY_PROVIDER_SECRET_KEYS, parseStageConfig, stageSettings } from './stage-config';

const allConfig = pulumi.runtime.allConfig();
const config = parseStageConfig(stageSettings(allConfig), new pulumi.Config('aws').get('region'), `Pulumi.${pulumi.getStack()}.yaml`, Object.keys(allConfig));
// Only the credential of the configured authorization type: a stage need not set the others.
const deliveryProviderSecret = new pulumi.Config('eventflow').requireSecret(DELIVERY_PROVIDER_SECRET_KEYS[config.deliveryProvider.authorization]);

const system = new OrderSystem('order-system', { config, app: loadOrderSystem({ compileSchemas: false }), deliveryProviderSecret });

export const eventBusName = system.eventBusName;
export const eventBusArn = system.eventBusArn;
export const endpointId = system.endpointId;
export const apiUrl = system.apiUrl;
export const stateMachineArn = system.stateMachineArn;
export const deadLetterQueueUrls = system.deadLetterQueueUrls;
export const dashboardName = system.dashboardName;
export const schemaRegistryName = system.schemaRegistryName;
