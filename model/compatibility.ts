import type { JsonSchema } from './schema-validation';

/** One way a newer schema of the same event version breaks consumers of the older one. */
export interface BreakingChange {
  /** JSONPath of the field in the event's data, e.g. `$.shippingAddress.city`. */
  readonly path: string;
  readonly change: string;
}

type Schema = { readonly [keyword: string]: unknown };

/**
 * What a newer schema breaks for consumers of an older one (both draft-04, of `detail.data`): a required
 * field removed or made optional, a new required field, a type narrowed or changed, an enum value removed.
 * Adding optional fields, widening types (integer → number) and adding enum values are compatible.
 */
export function breakingChanges(older: JsonSchema, newer: JsonSchema, path = '$'): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const oldTypes = typesOf(older);
  const newTypes = typesOf(newer);
  const lost = [...oldTypes].filter((type) => !newTypes.has(type) && !(type === 'integer' && newTypes.has('number')));
  if (oldTypes.size > 0 && newTypes.size > 0 && lost.length > 0) changes.push({ path, change: `type ${[...oldTypes].join('|')} became ${[...newTypes].join('|')}` });

  const oldEnum = older.enum as unknown[] | undefined;
  const newEnum = newer.enum as unknown[] | undefined;
  if (oldEnum && newEnum) for (const value of oldEnum) if (!newEnum.some((v) => JSON.stringify(v) === JSON.stringify(value))) changes.push({ path, change: `enum value ${JSON.stringify(value)} removed` });
  if (!oldEnum && newEnum) changes.push({ path, change: 'values restricted to an enum' });

  const oldRequired = new Set((older.required as string[] | undefined) ?? []);
  const newRequired = new Set((newer.required as string[] | undefined) ?? []);
  for (const field of oldRequired) if (!newRequired.has(field)) changes.push({ path: `${path}.${field}`, change: 'required field removed or made optional' });
  for (const field of newRequired) if (!oldRequired.has(field)) changes.push({ path: `${path}.${field}`, change: 'new required field' });

  const oldProperties = (older.properties as Record<string, Schema> | undefined) ?? {};
  const newProperties = (newer.properties as Record<string, Schema> | undefined) ?? {};
  for (const [field, oldField] of Object.entries(oldProperties)) {
    const newField = newProperties[field];
    if (newField) changes.push(...breakingChanges(oldField, newField, `${path}.${field}`));
  }
  if (isSchema(older.items) && isSchema(newer.items)) changes.push(...breakingChanges(older.items, newer.items, `${path}[]`));
  return changes;
}

function typesOf(schema: Schema): Set<string> {
  const type = schema.type;
  return new Set(Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : []);
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
