import { ENDPOINT_ID_MAX_LENGTH, ENDPOINT_ID_PATTERN, REGION_ID } from '../../model/limits';
import type { TableDefinition } from '../../model/tables';
import { tableEnvVar } from '../../model/tables';
import { InvalidConfigurationError, MissingConfigurationError } from './errors';

export { InvalidConfigurationError, MissingConfigurationError } from './errors';

/** Reads a required environment variable once, at init; fails fast naming the variable. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new MissingConfigurationError(`environment variable ${name} is required but not set`);
  }
  return value;
}

/** The physical name of a model table, from the variable infra and the local runtime set (e.g. ORDERS_TABLE_NAME). */
export function tableName(definition: TableDefinition): string {
  return requiredEnv(tableEnvVar(definition));
}

/**
 * Where this function publishes: its region's bus by name and, when the stage has a global endpoint, the
 * endpoint's id (EVENT_BUS_ENDPOINT_ID), so events go to the endpoint and it routes them to the healthy region.
 */
export function eventBusFromEnv(): { readonly eventBusName: string; readonly endpointId?: string } {
  const eventBusName = requiredEnv('EVENT_BUS_NAME');
  const endpointId = process.env.EVENT_BUS_ENDPOINT_ID?.trim();
  if (!endpointId) return { eventBusName };
  if (endpointId.length > ENDPOINT_ID_MAX_LENGTH || !ENDPOINT_ID_PATTERN.test(endpointId)) {
    throw new InvalidConfigurationError(
      `environment variable EVENT_BUS_ENDPOINT_ID must be a global endpoint id such as "abcde.veo" (pattern ${ENDPOINT_ID_PATTERN.source}, at most ${ENDPOINT_ID_MAX_LENGTH} characters), got ${JSON.stringify(endpointId)}`,
    );
  }
  return { eventBusName, endpointId };
}

const STATE_MACHINE_ARN = new RegExp(`^arn:aws[a-z-]*:states:(${REGION_ID}):\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$`);

/**
 * The order saga this function starts or reads (ORDER_SAGA_ARN) and the region it lives in. Every order's saga runs
 * in the stage's home region, so a function in another region calls that region's Step Functions endpoint.
 */
export function sagaFromEnv(): { readonly stateMachineArn: string; readonly region: string } {
  const stateMachineArn = requiredEnv('ORDER_SAGA_ARN');
  const region = STATE_MACHINE_ARN.exec(stateMachineArn)?.[1];
  if (!region)
    throw new InvalidConfigurationError(
      `environment variable ORDER_SAGA_ARN must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>), got ${JSON.stringify(stateMachineArn)}`,
    );
  return { stateMachineArn, region };
}
