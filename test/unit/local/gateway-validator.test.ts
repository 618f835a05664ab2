import { GatewayRequestValidator, renderGatewayResponse, validationErrorString } from '../../../local/gateway-validator';
import { BAD_REQUEST_BODY_RESPONSE } from '../../../model/api';
import type { JsonSchema } from '../../../model/schema-validation';

const validator = (schema: Record<string, unknown>) => new GatewayRequestValidator({ $schema: 'http://json-schema.org/draft-04/schema#', ...schema } as JsonSchema);
const errorString = (schema: Record<string, unknown>, body: unknown) => validationErrorString(validator(schema).messages(body));

/**
 * The local API's request validator against what real REST APIs answered: each expected string below is a
 * `$context.error.validationErrorString` published from a live API Gateway (the captures are quoted in the
 * comments), the schema rebuilt to fit. The wording is java-json-tools/json-schema-validator's
 * (src/main/resources/com/github/fge/jsonschema/validator/validation.properties).
 */
describe('the local API validates bodies as API Gateway does', () => {
  it('lists missing required properties, sorted', () => {
    // "[object has missing required properties ([\"email\",\"fullName\"])]": a users API behind API Gateway.
    expect(errorString({ type: 'object', required: ['fullName', 'email'], properties: { fullName: { type: 'string' }, email: { type: 'string' } } }, {})).toBe(
      '[object has missing required properties ([\\"email\\",\\"fullName\\"])]',
    );
  });

  it('lists members the schema does not allow', () => {
    // "[object instance has properties which are not allowed by the schema: [\"foo\"]]"
    expect(errorString({ type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } }, { name: 'x', foo: 1 })).toBe(
      '[object instance has properties which are not allowed by the schema: [\\"foo\\"]]',
    );
  });

  it('names the instance type and the allowed ones, integers included where a number is allowed', () => {
    // "[instance type (string) does not match any allowed primitive type (allowed: [\"integer\"])]"
    expect(errorString({ type: 'object', properties: { quantity: { type: 'integer' } } }, { quantity: 'two' })).toBe(
      '[instance type (string) does not match any allowed primitive type (allowed: [\\"integer\\"])]',
    );
    // "[instance type (string) does not match any allowed primitive type (allowed: [\"integer\",\"number\"])]"
    expect(errorString({ type: 'object', properties: { amount: { type: 'number' } } }, { amount: '1' })).toBe(
      '[instance type (string) does not match any allowed primitive type (allowed: [\\"integer\\",\\"number\\"])]',
    );
    // "[instance type (boolean) does not match any allowed primitive type (allowed: [\"string\"])]"
    expect(errorString({ type: 'object', properties: { id: { type: 'string' } } }, { id: true })).toBe('[instance type (boolean) does not match any allowed primitive type (allowed: [\\"string\\"])]');
  });

  it('gives the bound and the value found', () => {
    // "[numeric instance is lower than the required minimum (minimum: 315529200000, found: 1)]"
    expect(errorString({ type: 'object', properties: { timestamp: { type: 'integer', minimum: 315529200000 } } }, { timestamp: 1 })).toBe(
      '[numeric instance is lower than the required minimum (minimum: 315529200000, found: 1)]',
    );
  });

  it('reports every failing member of a level, in member-name order', () => {
    // "[…, numeric instance is greater than the required maximum (maximum: 1000, found: 999999), string
    // \"thisstringistoolong\" is too long (length: 19, maximum allowed: 4), instance value (\"foobar\") not found in
    // enum (possible values: [\"STOCK\",\"BOND\",\"CASH\"])]": one capture, three of its four messages.
    const schema = {
      type: 'object',
      properties: { amount: { type: 'number', maximum: 1000 }, code: { type: 'string', maxLength: 4 }, kind: { type: 'string', enum: ['STOCK', 'BOND', 'CASH'] } },
    };
    expect(errorString(schema, { kind: 'foobar', code: 'thisstringistoolong', amount: 999999 })).toBe(
      '[numeric instance is greater than the required maximum (maximum: 1000, found: 999999), string \\"thisstringistoolong\\" is too long (length: 19, maximum allowed: 4), instance value (\\"foobar\\") not found in enum (possible values: [\\"STOCK\\",\\"BOND\\",\\"CASH\\"])]',
    );
  });

  it('does not look inside the members once the object itself failed', () => {
    const schema = { type: 'object', required: ['a', 'b'], properties: { a: { type: 'integer' }, b: { type: 'integer' } } };
    expect(validator(schema).messages({ a: 'x' })).toEqual(['object has missing required properties (["b"])']);
  });

  it('words the templates it has no capture for from the validator’s own file', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'string', minLength: 3 },
        b: { type: 'string', pattern: '^[a-z]+$' },
        c: { type: 'integer', minimum: 1, exclusiveMinimum: true },
        d: { type: 'integer', maximum: 5, exclusiveMaximum: true },
        e: { type: 'array', minItems: 2, maxItems: 3 },
        f: { type: 'array', maxItems: 1, items: { type: 'string' } },
      },
    };
    expect(validator(schema).messages({ a: 'x', b: 'A1', c: 1, d: 5, e: [1], f: ['x', 'y'] })).toEqual([
      'string "x" is too short (length: 1, required minimum: 3)',
      'ECMA 262 regex "^[a-z]+$" does not match input string "A1"',
      'numeric instance is not strictly greater than the required minimum 1',
      'numeric instance is not strictly lower than the required maximum 5',
      'array is too short: must have at least 2 elements but instance has 1 elements',
      'array is too long: must have at most 1 elements but instance has 2 elements',
    ]);
    // Lengths are counted in code points, as Java's codePointCount does.
    expect(validator(schema).messages({ a: '😀😀😀' })).toEqual([]);
  });

  it('refuses to stand in for API Gateway on a keyword it does not know', () => {
    expect(() => validator({ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } })).toThrow(/#\/properties\/at: the local API cannot validate "format" as API Gateway does/);
  });

  it('renders the gateway response template by plain substitution, into JSON', () => {
    const rendered = renderGatewayResponse(BAD_REQUEST_BODY_RESPONSE.template, {
      message: BAD_REQUEST_BODY_RESPONSE.message,
      validationErrorString: validationErrorString(['object has missing required properties (["quantity"])']),
    });
    expect(JSON.parse(rendered)).toEqual({ message: 'Invalid request body', validationErrors: '[object has missing required properties (["quantity"])]' });
  });
});
