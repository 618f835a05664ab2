import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../model/paths';
import { synthesize, type SynthOptions, type SynthResult } from '../../infra/synth/synthesize';

/** What the program's evaluation depends on: its sources, the catalog, the stage files and the locked dependencies. */
const INPUT_DIRS = ['infra', 'model', 'functions', 'statemachines', 'catalog'];
const INPUT_FILE = /^(Pulumi\..*\.ya?ml|Pulumi\.yaml|package-lock\.json)$/;

let sourceHash: string | undefined;

function hashSources(root: string): string {
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) hash.update(path.slice(root.length)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const dir of INPUT_DIRS) visit(join(root, dir));
  for (const file of readdirSync(root)
    .filter((name) => INPUT_FILE.test(name))
    .sort())
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

/**
 * The stack evaluated under mocks, once per source state: test files that check the same stage share one
 * evaluation (each takes seconds, and a Pulumi runtime is one per module registry) through a file keyed by a hash
 * of everything the evaluation reads, so a change to any source, stage file or dependency evaluates again.
 */
export async function synthesizeShared(stack: string, overrides: Record<string, string | undefined> = {}, options: SynthOptions = {}): Promise<SynthResult> {
  const root = repoRoot();
  sourceHash ??= hashSources(root);
  const variant = `${stack}-${createHash('sha256').update(JSON.stringify(overrides)).digest('hex').slice(0, 12)}`;
  const dir = join(root, '.build', 'synth-cache');
  const file = join(dir, `${variant}-${sourceHash.slice(0, 24)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SynthResult;
  const result = await synthesize(stack, overrides, options);
  mkdirSync(dir, { recursive: true });
  // Written beside it and renamed: a worker reading it meanwhile sees the whole file or none.
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify(result));
  renameSync(staging, file);
  // Evaluations of older sources are never read again.
  for (const old of readdirSync(dir).filter((name) => name.startsWith(`${variant}-`) && name.endsWith('.json') && join(dir, name) !== file)) rmSync(join(dir, old), { force: true });
  return JSON.parse(readFileSync(file, 'utf8')) as SynthResult;
}
