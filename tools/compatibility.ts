import type { JsonSchema } from '../model/schema-validation';

/** One way a newer schema of the same version (of an event or of a request) changes which documents it accepts. */
export interface BreakingChange {
  /** JSONPath of the field in the event's data or the request's body, e.g. `$.shippingAddress.city`. */
  readonly path: string;
  readonly change: string;
}

type Schema = { readonly [keyword: string]: unknown };

/** Keywords that only document: changing them changes no verdict. */
const DOCUMENTATION = new Set(['description', 'title', 'examples', 'default', '$schema', '$comment', 'x-eventflow']);
/** Keywords this module compares structurally; every other validation keyword is compared by value. */
const STRUCTURAL = new Set(['type', 'enum', 'required', 'properties', 'additionalProperties', 'items']);
/** Bounds whose larger value admits more documents. */
const UPPER_BOUNDS = new Set(['maxLength', 'maximum', 'maxItems', 'maxProperties']);
/** Bounds whose smaller value admits more documents. */
const LOWER_BOUNDS = new Set(['minLength', 'minimum', 'minItems', 'minProperties']);

/**
 * Who a change within a version breaks, in the words of its messages: the rules are the same for every versioned
 * contract, the people hurt differ.
 */
export interface Audience {
  /** What a change that admits more documents does, and to whom. */
  readonly admits: string;
  /** What a change that rejects documents the old version accepted does; `which` narrows them (` without it`). */
  readonly rejects: (which?: string) => string;
}

/** An event version's readers: consumers already deployed, and the events already published (archive, replays). */
export const EVENT_READERS: Audience = {
  admits: 'admits documents readers of the old version reject',
  rejects: (which = '') => `rejects documents the old version accepted${which} (published events, replays)`,
};

/**
 * A request version's parties: the clients built to it, and the action behind the route, which stores and publishes
 * what the contract let through (OrderCreated holds CreateOrder's fields within the same bounds).
 */
export const REQUEST_PARTIES: Audience = {
  admits: 'admits requests the old version refused, which the action behind it was not built for',
  rejects: (which = '') => `rejects requests the old version accepted${which} (clients built to it now get a 400)`,
};

/**
 * Every change between two schemas of the same event version (both draft-04, of `detail.data`) that changes which
 * documents it accepts, each with its path. Consumers validate strictly, against the version they read, so a
 * change either way breaks someone: a document the new schema admits and the old rejects goes to the DLQ of a
 * consumer already deployed; a document the old schema admitted (an event in flight, in the archive, replayed) and
 * the new one rejects goes to the DLQ of an upgraded consumer. Only documentation (description, title, examples)
 * may change within a version; anything else is a new version.
 *
 * A request version (the whole body schema) is held to the same rules, with `audience` {@link REQUEST_PARTIES}:
 * a narrower body refuses clients built to it, a wider one lets through what the action was not built for.
 */
export function breakingChanges(older: JsonSchema, newer: JsonSchema, path = '$', audience: Audience = EVENT_READERS): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const add = (at: string, change: string) => changes.push({ path: at, change });
  const admits = audience.admits;
  const rejects = audience.rejects();

  const oldTypes = typesOf(older);
  const newTypes = typesOf(newer);
  if (!sameSet(oldTypes, newTypes)) {
    const widened = [...oldTypes].every((type) => newTypes.has(type) || (type === 'integer' && newTypes.has('number')));
    add(path, `type ${describeTypes(oldTypes)} became ${describeTypes(newTypes)}: ${widened ? admits : rejects}`);
  }

  const oldEnum = older.enum as unknown[] | undefined;
  const newEnum = newer.enum as unknown[] | undefined;
  if (oldEnum && newEnum) {
    for (const value of oldEnum) if (!includesValue(newEnum, value)) add(path, `enum value ${JSON.stringify(value)} removed: ${rejects}`);
    for (const value of newEnum) if (!includesValue(oldEnum, value)) add(path, `enum value ${JSON.stringify(value)} added: ${admits}`);
  } else if (!oldEnum && newEnum) add(path, `values restricted to an enum: ${rejects}`);
  else if (oldEnum && !newEnum) add(path, `enum lifted: ${admits}`);

  const oldRequired = new Set((older.required as string[] | undefined) ?? []);
  const newRequired = new Set((newer.required as string[] | undefined) ?? []);
  for (const field of oldRequired) if (!newRequired.has(field)) add(`${path}.${field}`, `required field made optional or removed: ${admits} (those without it)`);
  for (const field of newRequired) if (!oldRequired.has(field)) add(`${path}.${field}`, `new required field: ${audience.rejects(' without it')}`);

  const oldClosed = older.additionalProperties === false;
  const newClosed = newer.additionalProperties === false;
  if (oldClosed && !newClosed) add(path, `other fields now allowed (additionalProperties): ${admits}`);
  if (!oldClosed && newClosed) add(path, `other fields now refused (additionalProperties: false): ${rejects}`);

  const oldProperties = (older.properties as Record<string, Schema> | undefined) ?? {};
  const newProperties = (newer.properties as Record<string, Schema> | undefined) ?? {};
  for (const [field, oldField] of Object.entries(oldProperties)) {
    const newField = newProperties[field];
    if (newField) changes.push(...breakingChanges(oldField, newField, `${path}.${field}`, audience));
    else add(`${path}.${field}`, `field removed: ${newClosed ? audience.rejects(' with it') : `its constraints are lifted, so the schema ${admits}`}`);
  }
  for (const field of Object.keys(newProperties)) {
    if (field in oldProperties) continue;
    add(`${path}.${field}`, `new field: ${oldClosed ? `${admits} (strict readers refuse a field they do not know)` : audience.rejects(' with any value here')}`);
  }

  if (isSchema(older.items) && isSchema(newer.items)) changes.push(...breakingChanges(older.items, newer.items, `${path}[]`, audience));
  else if (isSchema(older.items) !== isSchema(newer.items)) add(`${path}[]`, `item schema ${isSchema(older.items) ? 'removed' : 'added'}: ${isSchema(older.items) ? admits : rejects}`);

  for (const keyword of new Set([...Object.keys(older), ...Object.keys(newer)])) {
    if (DOCUMENTATION.has(keyword) || STRUCTURAL.has(keyword)) continue;
    const [before, after] = [older[keyword], newer[keyword]];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    add(path, `${keyword} ${describe(before)} became ${describe(after)}: ${direction(keyword, before, after, audience)}`);
  }
  return changes;
}

/** Which way a bound moved, where that is known; a pattern, a format or a new bound may do both. */
function direction(keyword: string, before: unknown, after: unknown, audience: Audience): string {
  const [admits, rejects] = [audience.admits, audience.rejects()];
  if (typeof before === 'number' && typeof after === 'number') {
    if (UPPER_BOUNDS.has(keyword)) return after > before ? admits : rejects;
    if (LOWER_BOUNDS.has(keyword)) return after < before ? admits : rejects;
  }
  if (before === undefined) return rejects;
  if (after === undefined) return admits;
  return `${admits}, or ${rejects}`;
}

function describe(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

function typesOf(schema: Schema): Set<string> {
  const type = schema.type;
  return new Set(Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : []);
}

function describeTypes(types: ReadonlySet<string>): string {
  return types.size === 0 ? '(any)' : [...types].join('|');
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}

function includesValue(values: readonly unknown[], value: unknown): boolean {
  return values.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value));
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
