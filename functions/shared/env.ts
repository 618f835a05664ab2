import { EventflowError } from '../../model/errors';
import type { TableDefinition } from '../../model/tables';
import { tableEnvVar } from '../../model/tables';

/** A function started without configuration it cannot run without. */
export class MissingConfigurationError extends EventflowError {}

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
