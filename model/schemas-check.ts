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

/** Each catalog version whose schema breaks the same version at `base`, with every breaking path. */
export function checkAgainst(base: string, catalog = EventCatalog.load(), root = repoRoot()): Array<{ file: string; changes: BreakingChange[] }> {
  const failures: Array<{ file: string; changes: BreakingChange[] }> = [];
  for (const entry of catalog.all()) {
    const older = readAt(base, `catalog/${entry.file}`, root);
    if (!older) continue; // a new version: nothing to be compatible with yet
    const { 'x-eventflow': _lifecycle, ...olderSchema } = older;
    const changes = breakingChanges(olderSchema, entry.dataSchema);
    if (changes.length > 0) failures.push({ file: entry.file, changes });
  }
  return failures;
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
  const failures = checkAgainst(values.base as string);
  for (const failure of failures) {
    process.stderr.write(`catalog/${failure.file} breaks its consumers (compared with ${values.base}); add a new version instead:\n`);
    for (const change of failure.changes) process.stderr.write(`  ${change.path}: ${change.change}\n`);
  }
  const retired = loadOrderSystem().retiredInputs(new Date());
  for (const problem of retired) process.stderr.write(`${problem.where}: ${problem.problem}\n`);
  process.stdout.write(failures.length === 0 ? `schemas compatible with ${values.base}\n` : '');
  process.stdout.write(retired.length === 0 ? 'no consumer reads a retired version\n' : '');
  process.exitCode = failures.length === 0 && retired.length === 0 ? 0 : 1;
}
