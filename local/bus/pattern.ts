import { isIP } from 'node:net';
import { InvalidPatternError } from '../errors';

/**
 * EventBridge event patterns: validation as PutRule judges a pattern, and matching as the bus applies it.
 *
 * Written here because no maintained JavaScript library implements EventBridge's pattern language
 * (AWS's own engine, aws/event-ruler, is Java); the semantics follow the EventBridge user guide and the
 * event-ruler README, and test/fixtures/conformance/eventbridge-patterns checks them against AWS's answers.
 */

/** A pattern as PutRule receives it: the JSON text, or the parsed object. */
export type PatternInput = string | Readonly<Record<string, unknown>>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Predicate = (value: Json | undefined) => boolean;
/** A compiled pattern: true when the event matches. `prepared` skips {@link prepareEvent}, for callers that did it once. */
export type CompiledPattern = ((event: Json) => boolean) & { readonly prepared: (event: Json) => boolean };

const OPERATORS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'cidr', 'equals-ignore-case', 'wildcard']);
const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);
/** event-ruler compares numbers within ±5.0e9 (its ComparableNumber range). */
const NUMBER_LIMIT = 5e9;
/** Above this many wildcard characters event-ruler refuses a wildcard pattern as too complex. */
const MAX_WILDCARDS = 5;
/**
 * Names event-ruler's JSON compiler refuses as a field anywhere inside a `$or` branch (its
 * RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP): the match types, the numeric comparisons, and words kept for later.
 */
const RESERVED_FIELD_NAMES_IN_OR: ReadonlySet<string> = new Set([
  ...['exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr'],
  ...['=', '<', '<=', '>', '>='],
  ...['regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range'],
  ...['ip-address-in-range', 'ip-address-not-in-range'],
]);
/**
 * PutRule refuses a pattern whose `$or` arrays expand to more rule combinations than this.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
export const MAX_OR_COMBINATIONS = 1000;

const invalid = (reason: string) => `Event pattern is not valid. Reason: ${reason}`;
/** Where in the pattern a problem sits, for messages: `at "detail.$or[1].c-count"`. */
const at = (path: readonly string[]) => (path.length === 0 ? 'at the top level' : `at "${path.join('.')}"`);

/** Every reason PutRule would reject `pattern` for; empty when it is valid. */
export function validatePattern(pattern: PatternInput): string[] {
  const parsed = parsePattern(pattern);
  return typeof parsed === 'string' ? [parsed] : patternProblems(parsed);
}

/** Does `event` match `pattern`? Throws with the reasons when the pattern is invalid. */
export function matchesPattern(pattern: PatternInput, event: unknown): boolean {
  return compilePattern(pattern)(event as Json);
}

/** Validates a pattern once and returns a fast matcher for it; throws with every reason when invalid. */
export function compilePattern(pattern: PatternInput): CompiledPattern {
  const parsed = parsePattern(pattern);
  if (typeof parsed === 'string') throw new InvalidPatternError([parsed]);
  const errors = patternProblems(parsed);
  if (errors.length > 0) throw new InvalidPatternError(errors);
  const matcher = compileObject(expandDots(parsed) as Record<string, Json>);
  return Object.assign((event: Json) => matcher(prepareEvent(event)), { prepared: matcher });
}

export { InvalidPatternError } from '../errors';

function parsePattern(pattern: PatternInput): Record<string, Json> | string {
  let value: unknown = pattern;
  if (typeof pattern === 'string') {
    try {
      // Duplicate keys: JSON.parse keeps the last, as EventBridge does.
      value = JSON.parse(pattern);
    } catch (error) {
      return invalid(`Malformed JSON: ${(error as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('Filter is not an object');
  return value as Record<string, Json>;
}

function patternProblems(pattern: Record<string, Json>): string[] {
  const errors: string[] = [];
  validateObject(pattern, errors, [], false);
  const combinations = orCombinations(pattern);
  if (combinations > MAX_OR_COMBINATIONS)
    errors.push(invalid(`"$or" expands to ${combinations} rule combinations, more than the ${MAX_OR_COMBINATIONS} allowed (the branch counts of successive "$or" arrays multiply)`));
  return errors;
}

function validateObject(pattern: Record<string, Json>, errors: string[], path: readonly string[], inOr: boolean): void {
  const entries = Object.entries(pattern);
  // event-ruler's compiler refuses an object with no fields at any depth, the whole pattern and "$or" branches included.
  if (entries.length === 0) errors.push(invalid(`Empty objects are not allowed ${at(path)}`));
  for (const [key, value] of entries) {
    const here = [...path, key];
    if (key === '$or') {
      validateOr(value, errors, path);
      continue;
    }
    if (inOr && RESERVED_FIELD_NAMES_IN_OR.has(key)) errors.push(invalid(`"${key}" is a reserved word, not allowed as a field name inside "$or" ${at(here)}`));
    if (Array.isArray(value)) {
      if (value.length === 0) errors.push(invalid(`Empty arrays are not allowed ("${key}")`));
      for (const condition of value) validateCondition(key, condition, errors, here);
    } else if (isPlainObject(value)) {
      validateObject(value, errors, here, inOr);
    } else {
      errors.push(invalid(`"${key}" must be an object or an array`));
    }
  }
}

/** A `$or` is an array of two or more patterns, each checked as a pattern of its own (and for reserved field names). */
function validateOr(value: Json, errors: string[], parent: readonly string[]): void {
  const path = [...parent, '$or'];
  if (!Array.isArray(value)) {
    errors.push(invalid(`"$or" must be an array of objects ${at(path)}, got ${kindOf(value)}`));
    return;
  }
  value.forEach((branch, index) => {
    const branchPath = [...parent, `$or[${index}]`];
    if (isPlainObject(branch)) validateObject(branch, errors, branchPath, true);
    else errors.push(invalid(`Only objects are allowed in "$or" ${at(branchPath)}, got ${kindOf(branch)}`));
  });
  if (value.length < 2) errors.push(invalid(`"$or" needs at least 2 objects ${at(path)}, got ${value.length}`));
}

/**
 * How many rules the pattern expands to, as event-ruler's compiler expands it: a `$or` forks the rule once per
 * branch (branches add up), and successive `$or` arrays fork every fork again (they multiply).
 * @internal exported for tests
 */
export function orCombinations(pattern: Readonly<Record<string, unknown>>): number {
  let combinations = 1;
  for (const [key, value] of Object.entries(pattern as Record<string, Json>)) {
    if (key === '$or' && Array.isArray(value)) combinations *= value.filter(isPlainObject).reduce((sum, branch) => sum + orCombinations(branch), 0) || 1;
    else if (isPlainObject(value)) combinations *= orCombinations(value);
  }
  return combinations;
}

const kindOf = (value: Json): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

function validateCondition(key: string, condition: Json, errors: string[], path: readonly string[]): void {
  if (condition === null || typeof condition === 'string' || typeof condition === 'boolean') return;
  if (typeof condition === 'number') {
    if (!Number.isFinite(condition)) errors.push(invalid(`"${key}": number out of range`));
    return;
  }
  if (Array.isArray(condition)) {
    errors.push(invalid(`"${key}": a match value cannot be an array`));
    return;
  }
  const entries = Object.entries(condition);
  if (entries.length !== 1) {
    errors.push(invalid(`"${key}": a match expression must have exactly one operator, got ${entries.length}`));
    return;
  }
  const [operator, operand] = entries[0] as [string, Json];
  if (!OPERATORS.has(operator)) {
    errors.push(invalid(`Unrecognized match type ${operator}`));
    return;
  }
  const problem = operandProblem(operator, operand, at(path));
  if (problem) errors.push(invalid(problem));
}

/** What is wrong with an operator's operand; `where` places the newer, path-naming messages. */
function operandProblem(operator: string, operand: Json, where: string): string | undefined {
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (isIgnoreCase(operand)) return undefined;
      return typeof operand === 'string' ? undefined : `${operator} match pattern must be a string`;
    case 'equals-ignore-case':
      return typeof operand === 'string' ? undefined : 'equals-ignore-case match pattern must be a string';
    case 'exists':
      return typeof operand === 'boolean' ? undefined : 'exists match pattern must be either true or false.';
    case 'cidr':
      return typeof operand === 'string' ? cidrProblem(operand) : 'cidr match pattern must be a string';
    case 'wildcard':
      return typeof operand === 'string' ? wildcardProblem(operand, where) : 'wildcard match pattern must be a string';
    case 'numeric':
      return numericProblem(operand, where);
    default:
      return anythingButProblem(operand, where);
  }
}

function isIgnoreCase(operand: Json): boolean {
  return typeof operand === 'object' && operand !== null && !Array.isArray(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string';
}

function anythingButProblem(operand: Json, where: string): string | undefined {
  if (typeof operand === 'string') return undefined;
  if (typeof operand === 'number') return Number.isFinite(operand) ? undefined : 'number out of range';
  if (Array.isArray(operand)) {
    if (operand.length === 0) return 'Empty arrays are not allowed';
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    return allStrings || allNumbers ? undefined : 'Inside anything but list, start|null|boolean is not supported.';
  }
  if (typeof operand === 'object' && operand !== null) {
    const entries = Object.entries(operand);
    if (entries.length !== 1) return 'Value of anything-but must be an array or single string/number value.';
    const [inner, value] = entries[0] as [string, Json];
    const values = Array.isArray(value) ? value : [value];
    if (inner === 'prefix' || inner === 'suffix') {
      if (values.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) return 'Value of anything-but must be an array or single string/number value.';
      if (values.some((v) => typeof v !== 'string')) return 'prefix/suffix match pattern must be a string';
      return values.some((v) => v === '') ? 'Null prefix/suffix not allowed' : undefined;
    }
    if (inner === 'equals-ignore-case')
      return values.length > 0 && values.every((v) => typeof v === 'string') ? undefined : 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
    if (inner === 'wildcard') return values.every((v) => typeof v === 'string') ? values.map((v) => wildcardProblem(v as string, where)).find(Boolean) : 'wildcard match pattern must be a string';
    return 'Value of anything-but must be an array or single string/number value.';
  }
  return 'Value of anything-but must be an array or single string/number value.';
}

/**
 * A numeric expression as event-ruler parses it: one comparison, or a range of two, a lower bound (">" or ">=")
 * then an upper bound ("<" or "<="); "=" stands alone.
 */
function numericProblem(operand: Json, where: string): string | undefined {
  if (!Array.isArray(operand)) return 'Value of numeric must be an array.';
  if (operand.length > 4) return `Too many terms in numeric range expression ${where}: at most 4 elements (a lower bound, then an upper bound), got ${operand.length}`;
  if (operand.length !== 2 && operand.length !== 4) {
    const last = operand[operand.length - 1];
    return typeof last === 'string' ? `Value of ${last} must be numeric` : 'Bad numeric range definition';
  }
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const value = operand[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPERATORS.has(op)) return `Unrecognized numeric range operator: ${String(op)}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `Value of ${op} must be numeric`;
    if (Math.abs(value) > NUMBER_LIMIT) return `Value of ${op} must be between -5.0E9 and 5.0E9, got ${value}`;
  }
  if (operand.length === 2) return undefined;
  const [first, bottom, second, top] = operand as [string, number, string, number];
  if (first === '=' || second === '=') return 'Bad numeric range operator: = cannot be combined';
  if (first.startsWith('<')) return `Too many elements in numeric expression ${where}: nothing may follow "${first}", so a range puts its lower bound (">" or ">=") first`;
  if (second.startsWith('>')) return `Bad numeric range operator: ${second}`;
  return bottom < top ? undefined : 'Bad numeric range: the lower bound must be below the upper bound';
}

function cidrProblem(cidr: string): string | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0 || slash !== cidr.lastIndexOf('/')) return "Malformed CIDR, one '/' required";
  const address = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  if (!/^\d+$/.test(bits)) return 'Malformed CIDR, mask bits must be an integer';
  const family = isIP(address);
  if (family === 0) return `Nonstandard IP address: ${address}`;
  return Number(bits) > (family === 4 ? 32 : 128) ? 'Malformed CIDR, mask bits out of range' : undefined;
}

/**
 * event-ruler's wildcard syntax: `*` matches anything, but never twice in a row; a backslash escapes `*` or a
 * second backslash and nothing else, so a trailing one is refused too. It parses the value inside its JSON quotes,
 * so a position counts UTF-8 bytes from the opening quote.
 */
function wildcardProblem(wildcard: string, where: string): string | undefined {
  const chars = Array.from(wildcard);
  let pos = 1;
  let wildcards = 0;
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    if (char === '*') {
      if (chars[i + 1] === '*') return `Consecutive wildcard characters at pos ${pos}`;
      wildcards++;
    } else if (char === '\\') {
      if (chars[i + 1] !== '*' && chars[i + 1] !== '\\') return `Invalid escape character at pos ${pos} in the wildcard ${where}: a backslash may only escape \\* or \\\\`;
      i++;
      pos++;
    }
    pos += Buffer.byteLength(char);
  }
  return wildcards > MAX_WILDCARDS ? 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character' : undefined;
}

/** `{"a.b": x}` means `{"a": {"b": x}}`, in patterns and in events alike; merges both spellings. */
function expandDots(value: Json): Json {
  if (Array.isArray(value)) return value.map(expandDots);
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, Json> = {};
  for (const [key, inner] of Object.entries(value)) {
    const expanded = key === '$or' ? (inner as Json[]).map(expandDots) : isLeafArray(key, inner) ? inner : expandDots(inner);
    const path = key === '$or' ? [key] : key.split('.');
    let target = result;
    path.slice(0, -1).forEach((segment) => {
      const existing = target[segment];
      const next = (typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {}) as Record<string, Json>;
      target[segment] = next;
      target = next;
    });
    const last = path[path.length - 1] as string;
    const existing = target[last];
    target[last] = isPlainObject(existing) && isPlainObject(expanded) ? { ...existing, ...expanded } : expanded;
  }
  return result;
}

const isPlainObject = (value: Json | undefined): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
// In a pattern, an array is a list of conditions, never to be expanded.
const isLeafArray = (_key: string, value: Json) => Array.isArray(value);

/**
 * An event as patterns see it: dotted keys expanded into nesting. Events rarely hold dotted keys, so this
 * copies only when one is there; a bus does it once per event, not once per rule.
 */
export function prepareEvent(event: Json): Json {
  return hasDottedKey(event) ? expandDots(event) : event;
}

function hasDottedKey(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasDottedKey);
  if (!isPlainObject(value)) return false;
  for (const [key, inner] of Object.entries(value)) if (key.includes('.') || hasDottedKey(inner)) return true;
  return false;
}

function compileObject(pattern: Record<string, Json>): (value: Json | undefined) => boolean {
  const checks: Array<(value: Record<string, Json>) => boolean> = [];
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      const branches = (sub as Record<string, Json>[]).map(compileObject);
      checks.push((value) => branches.some((branch) => branch(value)));
    } else if (Array.isArray(sub)) {
      const leaf = compileLeaf(sub);
      checks.push((value) => leaf(value[key]));
    } else {
      const nested = compileObject(sub as Record<string, Json>);
      checks.push((value) => nested(value[key]));
    }
  }
  const matchOne = (value: Json | undefined): boolean => isPlainObject(value) && checks.every((check) => check(value));
  // Array consistency: every field of a sub-pattern must match within the same element of an event array
  // (of arrays, at any depth).
  const match = (value: Json | undefined): boolean => (Array.isArray(value) ? value.some(match) : matchOne(value ?? {}));
  return match;
}

/** A leaf's conditions are OR'd; an event array matches when any element does. */
function compileLeaf(conditions: readonly Json[]): Predicate {
  if (conditions.every((condition) => !isPlainObject(condition))) {
    // The common leaf, a list of exact values: one set lookup per event value.
    const values = new Set(conditions);
    return (value) => (Array.isArray(value) ? value.flat(Infinity as 1).some((leaf) => values.has(leaf as Json)) : value !== undefined && values.has(value));
  }
  const predicates = conditions.map(compileCondition);
  const exists = predicates.filter((p) => (p as { exists?: boolean }).exists !== undefined);
  const values = predicates.filter((p) => (p as { exists?: boolean }).exists === undefined);
  return (value) => {
    if (exists.some((p) => p(value))) return true;
    if (value === undefined) return false;
    const leaves = Array.isArray(value) ? value.flat(Infinity as 1) : [value];
    return leaves.some((leaf) => !isPlainObject(leaf) && values.some((p) => p(leaf)));
  };
}

function compileCondition(condition: Json): Predicate {
  if (!isPlainObject(condition)) return (value) => value === condition;
  const [operator, operand] = Object.entries(condition)[0] as [string, Json];
  switch (operator) {
    case 'exists': {
      // exists looks at leaf values only: an object is not a value, an empty array holds none.
      const hasLeaf = (value: Json | undefined): boolean => value !== undefined && !isPlainObject(value) && (!Array.isArray(value) || value.some((v) => !isPlainObject(v)));
      const predicate: Predicate = operand === true ? hasLeaf : (value) => !hasLeaf(value);
      return Object.assign(predicate, { exists: operand as boolean });
    }
    case 'prefix':
      return stringTest(operand, (value, text) => value.startsWith(text));
    case 'suffix':
      return stringTest(operand, (value, text) => value.endsWith(text));
    case 'equals-ignore-case': {
      const expected = (operand as string).toLowerCase();
      return (value) => typeof value === 'string' && value.toLowerCase() === expected;
    }
    case 'wildcard': {
      const regex = wildcardRegex(operand as string);
      return (value) => typeof value === 'string' && regex.test(value);
    }
    case 'cidr': {
      const inRange = cidrTest(operand as string);
      return (value) => typeof value === 'string' && inRange(value);
    }
    case 'numeric': {
      const range = operand as Json[];
      const tests: Array<(n: number) => boolean> = [];
      for (let i = 0; i < range.length; i += 2) {
        const bound = range[i + 1] as number;
        tests.push(
          { '=': (n: number) => n === bound, '<': (n: number) => n < bound, '<=': (n: number) => n <= bound, '>': (n: number) => n > bound, '>=': (n: number) => n >= bound }[range[i] as string] as (
            n: number,
          ) => boolean,
        );
      }
      return (value) => typeof value === 'number' && tests.every((test) => test(value));
    }
    default:
      return anythingBut(operand);
  }
}

function stringTest(operand: Json, test: (value: string, text: string) => boolean): Predicate {
  if (isPlainObject(operand)) {
    const text = (operand['equals-ignore-case'] as string).toLowerCase();
    return (value) => typeof value === 'string' && test(value.toLowerCase(), text);
  }
  const text = operand as string;
  return (value) => typeof value === 'string' && test(value, text);
}

/** anything-but matches null and values of another type, never a missing field (the leaf handles that). */
function anythingBut(operand: Json): Predicate {
  if (isPlainObject(operand)) {
    const [inner, raw] = Object.entries(operand)[0] as [string, Json];
    const values = (Array.isArray(raw) ? raw : [raw]) as string[];
    const excluded: (value: string) => boolean =
      inner === 'prefix'
        ? (value) => values.some((v) => value.startsWith(v))
        : inner === 'suffix'
          ? (value) => values.some((v) => value.endsWith(v))
          : inner === 'wildcard'
            ? (
                (regexes) => (value: string) =>
                  regexes.some((r) => r.test(value))
              )(values.map(wildcardRegex))
            : (
                (lower) => (value: string) =>
                  lower.includes(value.toLowerCase())
              )(values.map((v) => v.toLowerCase()));
    return (value) => typeof value !== 'string' || !excluded(value);
  }
  const excluded = new Set<Json>(Array.isArray(operand) ? operand : [operand]);
  return (value) => !excluded.has(value as Json);
}

function wildcardRegex(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === '\\' && i + 1 < wildcard.length) source += escapeRegex(wildcard[++i] as string);
    else if (char === '*') source += '.*';
    else source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cidrTest(cidr: string): (address: string) => boolean {
  const [network = '', bitsText = '0'] = cidr.split('/');
  const bits = Number(bitsText);
  const family = isIP(network);
  const base = toBigInt(network, family);
  const width = family === 4 ? 32 : 128;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return (address) => {
    const addressFamily = isIP(address);
    return addressFamily === family && (toBigInt(address, family) & mask) === (base & mask);
  };
}

function toBigInt(address: string, family: number): bigint {
  if (family === 4) return address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const parts = address.includes('::') ? [...headParts, ...Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts] : headParts;
  return parts.reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part || '0', 16)), 0n);
}
