/**
 * `npm run schemas:check [-- --base <git revision>]`: the schema evolution gate. Every catalog file that exists
 * at the base revision (default HEAD) must still accept what consumers of that version rely on. A breaking
 * change fails, naming the event, the version and each breaking path, and asks for a new version instead.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { EventCatalog } from './catalog';
import { EventflowError } from './errors';
import { loadOrderSystem } from './index';
import { breakingChanges, type BreakingChange } from './compatibility';
import { repoRoot } from './paths';
import type { JsonSchema } from './schema-validation';

/** A catalog version whose schema breaks what it was at the base revision, or that is gone. */
export interface GateFailure {
  readonly file: string;
  readonly changes: readonly BreakingChange[];
  /** The version's file existed at the base revision and no longer does. */
  readonly deleted?: boolean;
}

/** The base revision cannot be read, so the gate cannot vouch for anything: it fails closed. */
export class GateBaseError extends EventflowError {}

/**
 * Each catalog version whose schema breaks the same version at `base`, with every breaking path, and each version
 * file that existed at `base` and is gone (old versions stay for the archive, replays and late consumers).
 * Throws {@link GateBaseError} when `base` is not a revision git can read.
 */
export function checkAgainst(base: string, catalog = EventCatalog.load(), root = repoRoot()): GateFailure[] {
  const atBase = versionFilesAt(base, root);
  const failures: GateFailure[] = [];
  for (const entry of catalog.all()) {
    if (!atBase.has(entry.file)) continue; // a new version: nothing to be compatible with yet
    const { 'x-eventflow': _lifecycle, ...olderSchema } = readAt(base, `catalog/${entry.file}`, root);
    const changes = breakingChanges(olderSchema, entry.dataSchema);
    if (changes.length > 0) failures.push({ file: entry.file, changes });
  }
  const present = new Set(catalog.all().map((entry) => entry.file));
  for (const file of atBase) if (!present.has(file)) failures.push({ file, changes: [], deleted: true });
  return failures;
}

/**
 * What the gate prints for a failure: the event, the version as it was at `base` and as it is now, each breaking
 * path, and what to do instead (keep the version as it was, add the next one, retire the old one with a ttl).
 */
export function describeFailure(failure: GateFailure, base: string, catalog: EventCatalog): string {
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

/** A catalog version file: `<service>/<EventName>.v<N>.json` (the envelope is not a version). */
const VERSION_FILE = /^[a-z][a-z0-9-]*\/[A-Z][A-Za-z0-9]*\.v\d+\.json$/;

/** The version files of the catalog at `revision`, relative to `catalog/`. */
function versionFilesAt(revision: string, root: string): Set<string> {
  const commit = git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], root, `the base revision "${revision}" is not a commit of this repository`).trim();
  const listing = git(['ls-tree', '-r', '--name-only', commit, '--', 'catalog/'], root, `cannot list catalog/ at ${revision}`);
  return new Set(
    listing
      .split('\n')
      .map((line) => line.replace(/^catalog\//, ''))
      .filter((file) => VERSION_FILE.test(file)),
  );
}

function readAt(revision: string, path: string, root: string): JsonSchema {
  const text = git(['show', `${revision}:${path}`], root, `cannot read ${path} at ${revision}`);
  try {
    return JSON.parse(text) as JsonSchema;
  } catch (error) {
    throw new GateBaseError(`${path} at ${revision} is not valid JSON`, { cause: error });
  }
}

/** Runs git; any failure (not a repository, unknown revision, unreadable object) fails the gate with `what`. */
function git(args: readonly string[], root: string, what: string): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new GateBaseError(`schemas:check cannot run: ${what}${stderr ? ` (git: ${stderr.split('\n')[0]})` : ''}`, { cause: error });
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { base: { type: 'string', default: 'HEAD' } } });
  const catalog = EventCatalog.load();
  let failures: GateFailure[];
  try {
    failures = checkAgainst(values.base as string, catalog);
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
