/**
 * `npm run schemas:check [-- --base <git revision>]`: the schema evolution gate. Every catalog file that exists
 * at the base revision (default HEAD) must still accept what consumers of that version rely on. A breaking
 * change fails, naming the event, the version and each breaking path, and asks for a new version instead.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { EventCatalog } from './catalog';
import { loadOrderSystem } from './index';
import { breakingChanges, type BreakingChange } from './compatibility';
import { repoRoot } from './paths';
import type { JsonSchema } from './schema-validation';

/** A catalog version whose schema breaks what it was at the base revision. */
export interface GateFailure {
  readonly file: string;
  readonly changes: readonly BreakingChange[];
}

/** Each catalog version whose schema breaks the same version at `base`, with every breaking path. */
export function checkAgainst(base: string, catalog = EventCatalog.load(), root = repoRoot()): GateFailure[] {
  const failures: GateFailure[] = [];
  for (const entry of catalog.all()) {
    const older = readAt(base, `catalog/${entry.file}`, root);
    if (!older) continue; // a new version: nothing to be compatible with yet
    const { 'x-eventflow': _lifecycle, ...olderSchema } = older;
    const changes = breakingChanges(olderSchema, entry.dataSchema);
    if (changes.length > 0) failures.push({ file: entry.file, changes });
  }
  return failures;
}

/**
 * What the gate prints for a failure: the event, the version as it was at `base` and as it is now, each breaking
 * path, and what to do instead (keep the version as it was, add the next one, retire the old one with a ttl).
 */
export function describeFailure(failure: GateFailure, base: string, catalog: EventCatalog): string {
  const entry = catalog.all().find((candidate) => candidate.file === failure.file);
  const name = entry ? `${entry.name} v${entry.version}` : failure.file;
  const next = entry ? `${entry.service}/${entry.name}.v${catalog.versionsOf(entry.name).length + 1}.json` : 'a new version file';
  return [
    `${name} (catalog/${failure.file}) as it is now breaks readers of ${name} as it was at ${base}:`,
    ...failure.changes.map((change) => `  ${change.path}: ${change.change}`),
    `Restore ${name} as it was and add the change as a new version, catalog/${next}, with "x-eventflow": { "ttl", "nextVersion" } on the old one (README: "The worked evolution").`,
  ].join('\n');
}

function readAt(revision: string, path: string, root: string): JsonSchema | undefined {
  try {
    return JSON.parse(execFileSync('git', ['show', `${revision}:${path}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as JsonSchema;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { base: { type: 'string', default: 'HEAD' } } });
  const catalog = EventCatalog.load();
  const failures = checkAgainst(values.base as string, catalog);
  for (const failure of failures) process.stderr.write(`${describeFailure(failure, values.base as string, catalog)}\n`);
  const retired = loadOrderSystem().retiredInputs(new Date());
  for (const problem of retired) process.stderr.write(`${problem.where}: ${problem.problem}\n`);
  process.stdout.write(failures.length === 0 ? `schemas compatible with ${values.base}\n` : '');
  process.stdout.write(retired.length === 0 ? 'no consumer reads a retired version\n' : '');
  process.exitCode = failures.length === 0 && retired.length === 0 ? 0 : 1;
}
