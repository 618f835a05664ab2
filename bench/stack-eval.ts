import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../model/paths';

/** Cold evaluations of the whole dev stack under Pulumi mocks, each in a fresh Node.js process. */
export interface StackEvalResult {
  readonly runs: number;
  readonly resources: number;
  /** Milliseconds from installing the mocks to the last output, as `synthesize` measures it. */
  readonly evalMs: { readonly min: number; readonly median: number; readonly max: number };
  /** Wall time of the whole process, Node.js start-up included. */
  readonly processMs: { readonly min: number; readonly median: number; readonly max: number };
}

/**
 * Compiles the synth tool once with esbuild (our TypeScript only; packages stay external), then runs it `runs`
 * times in new processes so every run is cold: module loading, bundling the functions, every resource.
 */
export function benchStackEval(runs = 5): StackEvalResult {
  const root = repoRoot();
  const outfile = join(root, '.build', 'synth.cjs');
  execFileSync(
    join(root, 'node_modules', '.bin', 'esbuild'),
    ['infra/synth/cli.ts', '--bundle', '--platform=node', '--packages=external', '--format=cjs', `--outfile=${outfile}`, '--log-level=warning'],
    { cwd: root },
  );
  const evals: number[] = [];
  const walls: number[] = [];
  let resources = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const out = execFileSync(process.execPath, [outfile, '--stack', 'dev', '--out', '.build/synth'], { cwd: root, encoding: 'utf8' });
    walls.push(performance.now() - started);
    const match = /^(\d+) resources for stack dev in (\d+) ms/m.exec(out);
    if (!match) throw new Error(`unexpected synth output: ${out}`);
    resources = Number(match[1]);
    evals.push(Number(match[2]));
  }
  return { runs, resources, evalMs: stats(evals), processMs: stats(walls) };
}

function stats(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: Math.round(sorted[0] ?? 0), median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: Math.round(sorted[sorted.length - 1] ?? 0) };
}
