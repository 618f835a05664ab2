/**
 * `npm run schemas:check [-- --base <git revision>]`: the schema evolution gate. Every catalog version that exists
 * at the base revision (default HEAD), an event's or an API request's, must still accept what the parties to that
 * version rely on. A breaking change fails, naming the event or request, the version and each breaking path, and
 * asks for a new version instead.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { diffSchemas } from 'json-schema-diff';
import { EventCatalog, REQUESTS_FOLDER } from '../model/catalog';
import { loadOrderSystem } from '../model';
import { EVENT_READERS, REQUEST_PARTIES, breakingChanges, type Audience, type BreakingChange } from './compatibility';
import { repoRoot } from '../model/paths';
import type { JsonSchema } from '../model/schema-validation';
import { GateBaseError } from './errors';

export { GateBaseError } from './errors';

/** A catalog version whose schema breaks what it was at the base revision, or that is gone. */
export interface GateFailure {
  readonly file: string;
  readonly changes: readonly BreakingChange[];
  /** The version's file existed at the base revision and no longer does. */
  readonly deleted?: boolean;
}

/** An event version file: `<service>/<EventName>.v<N>.json` (the envelope is not a version). */
const EVENT_FILE = /^[a-z][a-z0-9-]*\/[A-Z][A-Za-z0-9]*\.v\d+\.json$/;
/** A request version file: `<service>/requests/<Action>.v<N>.json`, capturing the service, the action and N. */
const REQUEST_FILE = new RegExp(`^([a-z][a-z0-9-]*)/${REQUESTS_FOLDER}/([A-Z][A-Za-z0-9]*)\\.v(\\d+)\\.json$`);

/** One version the gate holds to what it was at the base: an event's data schema or a request's body schema. */
interface Contract {
  /** Path of the schema file, relative to `catalog/`. */
  readonly file: string;
  /** The schema as the catalog reads it now. */
  readonly schema: JsonSchema;
  /** The same file at the base, read the way the catalog reads it now. */
  readonly atBase: (file: JsonSchema) => JsonSchema;
  readonly audience: Audience;
}

/**
 * Every versioned contract of the catalog. An event file's `x-eventflow` is its lifecycle, not its schema, and is
 * set on an old version when its successor comes; a request file is the API Gateway model whole.
 */
function contractsOf(catalog: EventCatalog): Contract[] {
  const withoutLifecycle = ({ 'x-eventflow': _lifecycle, ...schema }: JsonSchema): JsonSchema => schema;
  return [
    ...catalog.all().map((entry) => ({ file: entry.file, schema: entry.dataSchema, atBase: withoutLifecycle, audience: EVENT_READERS })),
    ...catalog.requestVersions().map((request) => ({ file: request.file, schema: request.schema, atBase: (file: JsonSchema) => file, audience: REQUEST_PARTIES })),
  ];
}

/**
 * Each catalog version (event or request) whose schema, compared with the same version at `base`, accepts other
 * documents than it did, with every path (see {@link breakingChanges}), and each version file that existed at
 * `base` and is gone (old versions stay for the archive, replays, late consumers and the API's record of what it
 * promised). The gate's own rules name the paths; json-schema-diff, which computes the documents a change admits
 * and rejects, cross-checks them, so a change the rules miss still fails. Throws {@link GateBaseError} when `base`
 * is not a revision git can read.
 */
export async function checkAgainst(base: string, catalog = EventCatalog.load(), root = repoRoot()): Promise<GateFailure[]> {
  const atBase = versionFilesAt(base, root);
  const contracts = contractsOf(catalog);
  const schemasAtBase = readAllAt(
    base,
    contracts.filter((contract) => atBase.has(contract.file)).map((contract) => `catalog/${contract.file}`),
    root,
  );
  const failures: GateFailure[] = [];
  for (const contract of contracts) {
    if (!atBase.has(contract.file)) continue; // a new version: nothing to be compatible with yet
    const olderSchema = contract.atBase(schemasAtBase.get(`catalog/${contract.file}`) as JsonSchema);
    const changes = breakingChanges(olderSchema, contract.schema, '$', contract.audience);
    if (changes.length === 0) changes.push(...(await crossCheck(olderSchema, contract.schema)));
    if (changes.length > 0) failures.push({ file: contract.file, changes });
  }
  const present = new Set(contracts.map((contract) => contract.file));
  for (const file of atBase) if (!present.has(file)) failures.push({ file, changes: [], deleted: true });
  return failures;
}

/**
 * What the gate prints for a failure: the event or request, the version as it was at `base` and as it is now, each
 * breaking path, and what to do instead (keep the version as it was, add the next one; an event's old version is
 * then retired with a ttl, a request's simply stops being served, since the API serves the newest).
 */
export function describeFailure(failure: GateFailure, base: string, catalog: EventCatalog): string {
  if (REQUEST_FILE.test(failure.file)) return describeRequestFailure(failure, base, catalog);
  if (failure.deleted) {
    return [
      `catalog/${failure.file} existed at ${base} and is gone: a published version is never deleted (the archive, replays and consumers not yet moved still read it).`,
      `Restore it; to retire it, give it "x-eventflow": { "ttl", "nextVersion" } (README: "The worked evolution").`,
    ].join('\n');
  }
  const entry = catalog.all().find((candidate) => candidate.file === failure.file);
  const name = entry ? `${entry.name} v${entry.version}` : failure.file;
  const next = entry ? `${entry.service}/${entry.name}.v${catalog.versionsOf(entry.name).length + 1}.json` : 'a new version file';
  return [
    `${name} (catalog/${failure.file}) as it is now breaks readers of ${name} as it was at ${base}:`,
    ...failure.changes.map((change) => `  ${change.path}: ${change.change}`),
    `Restore ${name} as it was and add the change as a new version, catalog/${next}, with "x-eventflow": { "ttl", "nextVersion" } on the old one (README: "The worked evolution").`,
  ].join('\n');
}

function describeRequestFailure(failure: GateFailure, base: string, catalog: EventCatalog): string {
  const [, service = '', action = '', version = ''] = REQUEST_FILE.exec(failure.file) ?? [];
  const newest = Math.max(
    Number(version),
    ...catalog
      .requestVersions()
      .filter((request) => request.actionId === `${service}.${action}`)
      .map((request) => request.version),
  );
  const next = `catalog/${service}/${REQUESTS_FOLDER}/${action}.v${newest + 1}.json`;
  if (failure.deleted) {
    return [
      `catalog/${failure.file} existed at ${base} and is gone: a published request version is never deleted (it records what clients were told the API accepts, and an action's versions run 1, 2, 3… without gaps).`,
      `Restore it; to change the body, add ${next}, which the API then serves (README: "Request contracts").`,
    ].join('\n');
  }
  const name = `${action} request v${version}`;
  return [
    `${name} (catalog/${failure.file}) as it is now breaks clients of ${name} as it was at ${base}:`,
    ...failure.changes.map((change) => `  ${change.path}: ${change.change}`),
    `Restore ${name} as it was and add the change as a new version, ${next}: the API serves the newest (README: "Request contracts").`,
  ].join('\n');
}

/**
 * What json-schema-diff finds that the rules did not: the documents the newer schema admits or rejects, as the
 * schema of those documents (its own report), at `$`.
 */
export async function crossCheck(older: JsonSchema, newer: JsonSchema): Promise<BreakingChange[]> {
  // The library reads draft-07 and refuses draft-04's `$schema`; the keywords these schemas use mean the same in both.
  const { $schema: _older, ...source } = older;
  const { $schema: _newer, ...destination } = newer;
  const diff = await diffSchemas({ sourceSchema: source, destinationSchema: destination });
  const found: BreakingChange[] = [];
  if (diff.additionsFound) found.push({ path: '$', change: `json-schema-diff: now admits documents the old version rejects, those matching ${JSON.stringify(diff.addedJsonSchema)}` });
  if (diff.removalsFound) found.push({ path: '$', change: `json-schema-diff: now rejects documents the old version accepted, those matching ${JSON.stringify(diff.removedJsonSchema)}` });
  return found;
}

/** The version files (events' and requests') of the catalog at `revision`, relative to `catalog/`. */
function versionFilesAt(revision: string, root: string): Set<string> {
  const commit = git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], root, `the base revision "${revision}" is not a commit of this repository`).trim();
  const listing = git(['ls-tree', '-r', '--name-only', commit, '--', 'catalog/'], root, `cannot list catalog/ at ${revision}`);
  return new Set(
    listing
      .split('\n')
      .map((line) => line.replace(/^catalog\//, ''))
      .filter((file) => EVENT_FILE.test(file) || REQUEST_FILE.test(file)),
  );
}

/**
 * The files at `revision`, parsed, by path: one `git cat-file --batch` for all of them, since a git process per
 * file cost the gate about a second on the catalog's eighteen versions.
 */
function readAllAt(revision: string, paths: readonly string[], root: string): Map<string, JsonSchema> {
  const schemas = new Map<string, JsonSchema>();
  if (paths.length === 0) return schemas;
  const output = gitBuffer(['cat-file', '--batch'], root, `cannot read catalog/ at ${revision}`, `${paths.map((path) => `${revision}:${path}`).join('\n')}\n`);
  let offset = 0;
  for (const path of paths) {
    const headerEnd = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, headerEnd).toString('utf8');
    const size = Number(/^\S+ blob (\d+)$/.exec(header)?.[1] ?? Number.NaN);
    if (!Number.isInteger(size)) throw new GateBaseError(`schemas:check cannot run: cannot read ${path} at ${revision} (git: ${header})`);
    const text = output.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8');
    offset = headerEnd + 1 + size + 1;
    try {
      schemas.set(path, JSON.parse(text) as JsonSchema);
    } catch (error) {
      throw new GateBaseError(`${path} at ${revision} is not valid JSON`, { cause: error });
    }
  }
  return schemas;
}

/** Runs git; any failure (not a repository, unknown revision, unreadable object) fails the gate with `what`. */
function git(args: readonly string[], root: string, what: string): string {
  return gitBuffer(args, root, what).toString('utf8');
}

function gitBuffer(args: readonly string[], root: string, what: string, input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd: root, ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input, stdio: ['pipe', 'pipe', 'pipe'] }) });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new GateBaseError(`schemas:check cannot run: ${what}${stderr ? ` (git: ${stderr.split('\n')[0]})` : ''}`, { cause: error });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { base: { type: 'string', default: 'HEAD' } } });
  const catalog = EventCatalog.load();
  let failures: GateFailure[];
  try {
    failures = await checkAgainst(values.base as string, catalog);
  } catch (error) {
    if (!(error instanceof GateBaseError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  for (const failure of failures) process.stderr.write(`${describeFailure(failure, values.base as string, catalog)}\n`);
  const retired = loadOrderSystem().retiredInputs(new Date());
  for (const problem of retired) process.stderr.write(`${problem.where}: ${problem.problem}\n`);
  process.stdout.write(failures.length === 0 ? `schemas compatible with ${values.base}\n` : '');
  process.stdout.write(retired.length === 0 ? 'no consumer reads a retired version\n' : '');
  process.exitCode = failures.length === 0 && retired.length === 0 ? 0 : 1;
}

if (require.main === module) void main();
