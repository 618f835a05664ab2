import type { JsonSchema } from '../model/schema-validation';

/**
 * API Gateway's request validator, as a REST API runs it on a body before the integration: the messages it puts in
 * `$context.error.validationErrorString`, in its order. Written by hand because no maintained library reproduces
 * them: ajv (which the functions use) words and orders its errors its own way, and API Gateway's wording is that of
 * the Java validator java-json-tools/json-schema-validator (message templates in its `validation.properties`), seen
 * verbatim in real gateway responses. What this follows of that validator:
 * - at each level every keyword that applies to the instance's type is checked, in keyword-name order (its
 *   validators sit in a sorted map), and a level with a failure anywhere in the report is not descended into, so a
 *   missing required property hides the errors inside the others;
 * - an object's members are visited in sorted order; a missing or extra member list is sorted;
 * - the instance's type is `integer` for a whole number, else `number`. (The Java validator also calls `2.0`
 *   a number where JavaScript's JSON parser cannot tell it from `2`: the one case where this local API is more
 *   lenient than API Gateway.)
 *
 * Only the keywords below are known; a model using any other throws when the validator is built, so the local API
 * never claims to validate as API Gateway does what it cannot.
 * @see https://github.com/java-json-tools/json-schema-validator/blob/master/src/main/resources/com/github/fge/jsonschema/validator/validation.properties
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
const KNOWN_KEYWORDS = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'items',
  'minItems',
  'maxItems',
]);

type NodeType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

/** A request model that validates as API Gateway does; built once per model. */
export class GatewayRequestValidator {
  constructor(private readonly schema: JsonSchema) {
    checkKeywords(schema, '#');
  }

  /** The validator's messages for a parsed body, empty when it passes. */
  messages(body: unknown): string[] {
    const report: string[] = [];
    visit(this.schema, body, report);
    return report;
  }
}

/** The messages as `$context.error.validationErrorString` holds them: `[first, second]`, inner quotes escaped. */
export function validationErrorString(messages: readonly string[]): string {
  return `[${messages.map((message) => JSON.stringify(message).slice(1, -1)).join(', ')}]`;
}

/**
 * Fills a gateway response template as API Gateway does: plain substitution of `$context` variables, no VTL.
 * `messageString` is the message already quoted.
 */
export function renderGatewayResponse(template: string, context: { readonly message: string; readonly validationErrorString: string }): string {
  return template.replace(/\$context\.error\.(messageString|message|validationErrorString)/g, (_, variable: string) =>
    variable === 'messageString' ? JSON.stringify(context.message) : variable === 'message' ? context.message : context.validationErrorString,
  );
}

function checkKeywords(schema: JsonSchema, where: string): void {
  for (const [keyword, value] of Object.entries(schema)) {
    if (!KNOWN_KEYWORDS.has(keyword)) throw new RangeError(`${where}: the local API cannot validate "${keyword}" as API Gateway does; use ${[...KNOWN_KEYWORDS].slice(3).join(', ')}`);
    if (keyword === 'properties') for (const [name, child] of Object.entries(value as Record<string, JsonSchema>)) checkKeywords(child, `${where}/properties/${name}`);
    if ((keyword === 'additionalProperties' || keyword === 'items') && typeof value === 'object' && value !== null) checkKeywords(value as JsonSchema, `${where}/${keyword}`);
  }
}

function nodeType(value: unknown): NodeType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean' || typeof value === 'string') return typeof value as 'boolean' | 'string';
  return 'object';
}

/** Java's natural order of strings: by UTF-16 code unit, which is also JavaScript's default sort. */
const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** A JSON value as the Java validator prints one in a message (compact JSON). */
const json = (value: unknown): string => JSON.stringify(value);

/** Code points, as the Java validator counts a string's length. */
const length = (text: string): number => [...text].length;

function visit(schema: JsonSchema, instance: unknown, report: string[]): void {
  const type = nodeType(instance);
  for (const keyword of sorted(Object.keys(schema))) {
    const message = check(keyword, schema, instance, type);
    if (message) report.push(message);
  }
  if (report.length > 0) return;
  if (type === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const members = instance as Record<string, unknown>;
    for (const name of sorted(Object.keys(members))) {
      const child = Object.hasOwn(properties, name) ? properties[name] : typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as JsonSchema) : undefined;
      if (child) visit(child, members[name], report);
    }
  } else if (type === 'array' && typeof schema.items === 'object' && schema.items !== null && !Array.isArray(schema.items)) {
    for (const item of instance as unknown[]) visit(schema.items as JsonSchema, item, report);
  }
}

/** One keyword's message, or undefined when it holds or does not apply to the instance's type. */
function check(keyword: string, schema: JsonSchema, instance: unknown, type: NodeType): string | undefined {
  const value = schema[keyword];
  switch (keyword) {
    case 'type': {
      // The Java validator's draft-4 type digest lets a `number` schema take integers and lists both.
      const declared = Array.isArray(value) ? (value as string[]) : [value as string];
      const allowed = sorted(new Set(declared.flatMap((name) => (name === 'number' ? ['integer', 'number'] : [name]))));
      return allowed.includes(type) ? undefined : `instance type (${type}) does not match any allowed primitive type (allowed: ${json(allowed)})`;
    }
    case 'enum':
      return (value as unknown[]).some((candidate) => json(candidate) === json(instance)) ? undefined : `instance value (${json(instance)}) not found in enum (possible values: ${json(value)})`;
    case 'required': {
      if (type !== 'object') return undefined;
      const missing = sorted((value as string[]).filter((name) => !Object.hasOwn(instance as object, name)));
      return missing.length > 0 ? `object has missing required properties (${json(missing)})` : undefined;
    }
    case 'additionalProperties': {
      if (type !== 'object' || value !== false) return undefined;
      const declared = (schema.properties ?? {}) as Record<string, unknown>;
      const extra = sorted(Object.keys(instance as object).filter((name) => !Object.hasOwn(declared, name)));
      return extra.length > 0 ? `object instance has properties which are not allowed by the schema: ${json(extra)}` : undefined;
    }
    case 'minLength':
      return type === 'string' && length(instance as string) < (value as number)
        ? `string "${instance as string}" is too short (length: ${length(instance as string)}, required minimum: ${value as number})`
        : undefined;
    case 'maxLength':
      return type === 'string' && length(instance as string) > (value as number)
        ? `string "${instance as string}" is too long (length: ${length(instance as string)}, maximum allowed: ${value as number})`
        : undefined;
    case 'pattern':
      return type === 'string' && !new RegExp(value as string, 'u').test(instance as string) ? `ECMA 262 regex "${value as string}" does not match input string "${instance as string}"` : undefined;
    case 'minimum': {
      if (type !== 'integer' && type !== 'number') return undefined;
      const number = instance as number;
      if (schema.exclusiveMinimum === true) return number <= (value as number) ? `numeric instance is not strictly greater than the required minimum ${value as number}` : undefined;
      return number < (value as number) ? `numeric instance is lower than the required minimum (minimum: ${value as number}, found: ${number})` : undefined;
    }
    case 'maximum': {
      if (type !== 'integer' && type !== 'number') return undefined;
      const number = instance as number;
      // The template file has two spaces after `=`; Java's Properties drops whitespace there, so none is kept.
      if (schema.exclusiveMaximum === true) return number >= (value as number) ? `numeric instance is not strictly lower than the required maximum ${value as number}` : undefined;
      return number > (value as number) ? `numeric instance is greater than the required maximum (maximum: ${value as number}, found: ${number})` : undefined;
    }
    case 'minItems':
      return type === 'array' && (instance as unknown[]).length < (value as number)
        ? `array is too short: must have at least ${value as number} elements but instance has ${(instance as unknown[]).length} elements`
        : undefined;
    case 'maxItems':
      return type === 'array' && (instance as unknown[]).length > (value as number)
        ? `array is too long: must have at most ${value as number} elements but instance has ${(instance as unknown[]).length} elements`
        : undefined;
    default:
      return undefined;
  }
}
