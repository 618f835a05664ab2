import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** A JSON Schema document (draft-04), kept as plain JSON. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One way a value breaks its schema: where (a JSONPath from the event's root) and what rule it broke. */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

/** A compiled schema: returns every violation, or an empty list when the value conforms. */
export type SchemaCheck = (value: unknown) => Violation[];

/**
 * Compiles draft-04 schemas, the dialect the EventBridge schema registry accepts (besides OpenAPI 3),
 * so what we validate at the edges is exactly what the registry holds.
 */
export function compileSchema(schema: JsonSchema): SchemaCheck {
  const validate: ValidateFunction = sharedAjv().compile(schema as object);
  return (value) => (validate(value) ? [] : toViolations(validate.errors ?? []));
}

let ajv: Ajv04 | undefined;
function sharedAjv(): Ajv04 {
  // allErrors: producers and consumers want every violation in one message, not the first.
  ajv ??= addFormats(new Ajv04({ allErrors: true, strict: true }), ['date-time', 'email', 'uri']) as Ajv04;
  return ajv;
}

function toViolations(errors: readonly ErrorObject[]): Violation[] {
  return errors.map((error) => {
    const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
    // Ajv reports a missing or an extra property at its parent; point at the property itself.
    if (error.keyword === 'required') {
      segments.push((error.params as { missingProperty: string }).missingProperty);
      return { path: toJsonPath(segments), message: 'is required' };
    }
    if (error.keyword === 'additionalProperties') {
      segments.push((error.params as { additionalProperty: string }).additionalProperty);
      return { path: toJsonPath(segments), message: 'is not allowed here' };
    }
    return { path: toJsonPath(segments), message: error.message ?? error.keyword };
  });
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function toJsonPath(segments: readonly string[]): string {
  return segments.reduce((path, segment) => {
    if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
    if (/^[A-Za-z_$][\w$]*$/.test(segment)) return `${path}.${segment}`;
    return `${path}[${JSON.stringify(segment)}]`;
  }, '$');
}

/** Renders violations as one line each, for error messages. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.path} ${v.message}`).join('; ');
}
