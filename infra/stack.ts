/**
 * The Pulumi program (`main` in Pulumi.yaml): the order system for the stage in `Pulumi.<stage>.yaml`.
 * Bad configuration fails at preview, naming the key, the allowed values and what it got.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadOrderSystem } from '../model';
import { OrderSystem } from './order-system';
import { parseStageConfig } from './stage-config';

const settings = new pulumi.Config('eventflow');
const keys = ['stage', 'accountId', 'allowedAccountIds', 'organizationId', 'archiveRetentionDays', 'logRetentionDays', 'lambdaRuntime', 'sagaType', 'globalEndpoint', 'paymentsAccount', 'deliveryProvider', 'notifications', 'alarmEmail'];
const raw = Object.fromEntries(keys.flatMap((key) => (settings.get(key) === undefined ? [] : [[key, settings.get(key)]])));
const config = parseStageConfig(raw, new pulumi.Config('aws').get('region'), `Pulumi.${pulumi.getStack()}.yaml`);

const system = new OrderSystem('order-system', { config, app: loadOrderSystem({ compileSchemas: false }), deliveryProviderSecret: settings.requireSecret('deliveryProviderApiKey') });

export const eventBusName = system.eventBusName;
export const eventBusArn = system.eventBusArn;
export const endpointId = system.endpointId;
export const apiUrl = system.apiUrl;
export const stateMachineArn = system.stateMachineArn;
export const deadLetterQueueUrls = system.deadLetterQueueUrls;
export const dashboardName = system.dashboardName;
export const schemaRegistryName = system.schemaRegistryName;
